package org.hotspotbilling.portal;

import io.smallrye.config.ConfigMapping;

import java.net.URI;
import java.util.Optional;

/** How the backend writes its own address into the captive page it serves ({@link CaptivePage}). */
@ConfigMapping(prefix = "hotspot.portal")
public interface PortalConfig {

    /**
     * The backend's address as customers on a hotspot reach it ({@code https://billing.isp.example}), written into
     * the page as the API it calls. Unset: the address the request for the page came to, which is wrong behind a
     * proxy that terminates TLS unless the proxy's forwarded headers are trusted.
     */
    Optional<URI> publicUrl();
}
