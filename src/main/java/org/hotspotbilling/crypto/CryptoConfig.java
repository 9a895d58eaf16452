package org.hotspotbilling.crypto;

import io.smallrye.config.ConfigMapping;

import java.util.Optional;

/** Where the Tink keyset that encrypts secrets at rest comes from: inline JSON or a file. */
@ConfigMapping(prefix = "hotspot.crypto")
public interface CryptoConfig {

    /** The keyset as Tink JSON, inline (e.g. from a secret store). Takes precedence over the file. */
    Optional<String> keyset();

    /** Path of a file holding the keyset as Tink JSON. */
    Optional<String> keysetFile();
}
