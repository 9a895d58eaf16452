package org.hotspotbilling.portal;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.hotspotbilling.crypto.Tokens;
import org.hotspotbilling.payment.CustomerInput;
import org.hotspotbilling.router.Router;
import org.hotspotbilling.router.RouterService;
import org.hotspotbilling.tenant.ApiKeyService;
import org.hotspotbilling.web.Invalid;
import org.hotspotbilling.web.Unauthenticated;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The captive page ({@code mikrotik-scripts/login.html}, which the build copies to {@value #TEMPLATE}) filled in
 * for one router of the owner whose public key is given: the backend's address, the router id and the key. The
 * device's values (MAC, IP, the hotspot's login URL, the page first asked for) are what RouterOS fills in when it
 * serves the page; given here, they replace those variables, and left out, the variables stay for the router.
 */
@ApplicationScoped
@Startup
public class CaptivePage {

    static final String TEMPLATE = "portal/login.html";
    static final String KEY_REQUIRED = "The owner's public key is required: ?key=<32-character hexadecimal key>";
    static final String BAD_KEY_FORMAT = "Invalid public API key format. The public key should be a 32-character "
            + "hexadecimal string.";
    static final String UNKNOWN_KEY = "Invalid public API key. The provided key does not exist in our system.";
    static final String DISABLED = "User account is disabled. Please contact support to reactivate your account.";

    /** The settings the page reads, each a line {@code name: "value"} in its settings block. */
    static final List<String> SETTINGS = List.of("api", "routerId", "publicKey", "mac", "ip", "loginUrl", "origUrl");

    private static final Pattern HEX_32 = Pattern.compile("[0-9a-fA-F]{32}");
    private static final int MAX_URL_LENGTH = 2048;

    private final ApiKeyService keys;
    private final RouterService routers;
    private final Optional<URI> publicUrl;
    private final String template;

    public CaptivePage(ApiKeyService keys, RouterService routers, PortalConfig config) {
        this.keys = keys;
        this.routers = routers;
        this.publicUrl = config.publicUrl().map(url -> httpUrl(url.toString()).map(URI::create).orElseThrow(
                () -> new IllegalStateException("hotspot.portal.public-url must be an http(s) URL: " + url)));
        this.template = load();
    }

    /** What the hotspot would fill in, as given in the query; null or blank when not given. */
    public record Device(String mac, String ip, String loginUrl, String origUrl) {
    }

    public record Rendered(String html, String contentSecurityPolicy) {
    }

    /**
     * The page for this router. 401 for a missing, malformed or unknown key or a disabled owner; 404 for a router
     * that is not the key owner's; 400 for device values that are not what a hotspot sends.
     */
    public Rendered render(long routerId, String key, Device device, URI requestBase) {
        String publicKey = canonicalKey(key);
        ApiKeyService.KeyOwner owner = keys.ownerOfPublicKey(publicKey)
                .orElseThrow(() -> new Unauthenticated(UNKNOWN_KEY));
        if (!owner.active()) {
            throw new Unauthenticated(DISABLED);
        }
        Router router = routers.get(owner.ownerId(), routerId);
        return page(router.id, publicKey, device, requestBase);
    }

    /** The page for a router and the key of its owner (checked by the caller). */
    Rendered page(long routerId, String publicKey, Device device, URI requestBase) {
        URI api = publicUrl.orElse(requestBase);
        Map<String, String> values = new LinkedHashMap<>();
        values.put("api", api.toString().replaceAll("/+$", ""));
        values.put("routerId", String.valueOf(routerId));
        values.put("publicKey", publicKey);
        values.putAll(deviceValues(device));

        String nonce = Tokens.randomHex(16);
        String html = fill(template, values)
                .replace("<script>", "<script nonce=\"" + nonce + "\">")
                .replace("<style>", "<style nonce=\"" + nonce + "\">");
        // No form-action: after the login form the hotspot redirects on to the page first asked for, which a
        // form-action list would block. The page sends nothing anywhere else.
        String policy = "default-src 'none'; script-src 'nonce-" + nonce + "'; style-src 'nonce-" + nonce + "'; "
                + "connect-src " + origin(api) + "; img-src data:; base-uri 'none'; frame-ancestors 'none'";
        return new Rendered(html, policy);
    }

    private static String canonicalKey(String key) {
        if (key == null || key.isBlank()) {
            throw new Unauthenticated(KEY_REQUIRED);
        }
        if (!HEX_32.matcher(key.trim()).matches()) {
            throw new Unauthenticated(BAD_KEY_FORMAT);
        }
        return key.trim().toLowerCase(Locale.ROOT);
    }

    /** The device's values that were given, validated; all faults are reported at once. */
    private static Map<String, String> deviceValues(Device device) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> faults = new TreeMap<>();
        if (given(device.mac())) {
            CustomerInput.mac(device.mac()).ifPresentOrElse(mac -> values.put("mac", mac),
                    () -> faults.put("mac", "Use AA:BB:CC:DD:EE:FF (a device's address)."));
        }
        if (given(device.ip())) {
            CustomerInput.ip(device.ip()).ifPresentOrElse(ip -> values.put("ip", ip),
                    () -> faults.put("ip", "Use an IPv4 or IPv6 address."));
        }
        if (given(device.loginUrl())) {
            httpUrl(device.loginUrl()).ifPresentOrElse(url -> values.put("loginUrl", url),
                    () -> faults.put("link-login-only", "Use the hotspot's http(s) login URL."));
        }
        if (given(device.origUrl())) {
            // The page reads it URL-encoded, as RouterOS' link-orig-esc gives it.
            httpUrl(device.origUrl()).ifPresentOrElse(
                    url -> values.put("origUrl", URLEncoder.encode(url, StandardCharsets.UTF_8).replace("+", "%20")),
                    () -> faults.put("link-orig", "Use an http(s) URL."));
        }
        if (!faults.isEmpty()) {
            throw Invalid.ofFields(faults);
        }
        return values;
    }

    private static boolean given(String value) {
        return value != null && !value.isBlank();
    }

    private static Optional<String> httpUrl(String raw) {
        String trimmed = raw.trim();
        if (trimmed.length() > MAX_URL_LENGTH) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(trimmed);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            boolean http = scheme.equals("http") || scheme.equals("https");
            return http && uri.getHost() != null ? Optional.of(uri.toString()) : Optional.empty();
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    private static String origin(URI uri) {
        return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getRawAuthority();
    }

    /** Writes each value into its settings line, as a JavaScript string that cannot end the string or the script. */
    static String fill(String page, Map<String, String> values) {
        String filled = page;
        for (Map.Entry<String, String> value : values.entrySet()) {
            Matcher line = settingLine(value.getKey()).matcher(filled);
            filled = line.replaceFirst("$1" + Matcher.quoteReplacement("\"" + jsString(value.getValue()) + "\""));
        }
        return filled;
    }

    private static Pattern settingLine(String name) {
        return Pattern.compile("(?m)^(\\s*" + name + ": )\"[^\"\\r\\n]*\"");
    }

    /** Letters, digits and URL punctuation as they are; anything else (quotes, angle brackets, dollar) as \\uXXXX. */
    static String jsString(String value) {
        StringBuilder out = new StringBuilder(value.length() + 16);
        for (char c : value.toCharArray()) {
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || ".:/_-?=&%+,;@~#!*[]".indexOf(c) >= 0;
            out.append(plain ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return out.toString();
    }

    private static String load() {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(TEMPLATE)) {
            if (in == null) {
                throw new IllegalStateException(TEMPLATE + " is missing from the classpath (the build copies "
                        + "mikrotik-scripts/login.html there)");
            }
            String page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (String name : SETTINGS) {
                Matcher line = settingLine(name).matcher(page);
                if (!line.find() || line.find()) {
                    throw new IllegalStateException(TEMPLATE + " must have exactly one settings line '" + name
                            + ": \"...\"'");
                }
            }
            return page;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
