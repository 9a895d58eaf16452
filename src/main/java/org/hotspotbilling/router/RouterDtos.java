package org.hotspotbilling.router;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Bodies of {@code /routers/...}. The password is write-only: it is accepted here and never returned. */
public final class RouterDtos {

    private RouterDtos() {
    }

    /** Create, PUT or PATCH body. Which fields are required depends on the verb (see RouterService). */
    public record RouterRequest(
            @Size(min = 1, max = 100, message = "Must be 1 to 100 characters.")
            @Pattern(regexp = "[^\\p{Cntrl}]*", message = "Must not contain control characters.")
            String name,
            @Size(min = 1, max = 253, message = "Must be 1 to 253 characters.")
            String host,
            @Min(value = 1, message = "Must be between 1 and 65535.")
            @Max(value = 65535, message = "Must be between 1 and 65535.")
            Integer port,
            @Size(min = 1, max = 100, message = "Must be 1 to 100 characters.")
            @Pattern(regexp = "[^\\p{Cntrl}\\s:]*", message = "Must not contain spaces, colons or control characters.")
            String username,
            @Size(max = 256, message = "Must be at most 256 characters.")
            @Pattern(regexp = "[^\\p{Cntrl}]*", message = "Must not contain control characters.")
            String password,
            Boolean useHttps,
            Boolean verifyTls,
            String enforcementMode,
            String delivery,
            @Size(max = 95, message = "Must be at most 95 characters.")
            String tlsFingerprint) {
    }

    /**
     * A router as its owner sees it; {@code poll_token} appears only in the answer that created it. {@code
     * poll_state}: online (polled within 3 poll intervals), offline (silent for longer), never (has not polled
     * yet; null instead for a push-only router); details at {@code GET /routers/{id}/poll/}.
     * {@code tls_fingerprint} is the certificate pin, {@code tls_fingerprint_seen} what the last connection test
     * was presented.
     */
    public record RouterView(long id, String name, String host, int port, String username, boolean hasPassword,
            boolean useHttps, boolean verifyTls, String enforcementMode, String delivery, boolean isOnline,
            Instant lastChecked, String lastError, boolean hasPollToken, Instant lastPollAt, String pollState,
            String pollUrl, @JsonInclude(JsonInclude.Include.NON_NULL) String pollToken, Instant createdAt,
            Instant updatedAt, String tlsFingerprint, String tlsFingerprintSeen, Instant tlsFingerprintSeenAt) {
        static RouterView of(Router r, Duration pollInterval) {
            return withToken(r, null, pollInterval);
        }

        static RouterView withToken(Router r, String pollToken, Duration pollInterval) {
            return new RouterView(r.id, r.name, r.host, r.port, r.username, r.passwordCiphertext != null, r.useHttps,
                    r.verifyTls, r.enforcementMode, r.delivery, r.online, r.lastChecked, r.lastError, r.pollTokenSha256 != null, r.lastPollAt,
                    r.pollState(pollInterval, Instant.now()), "/routers/" + r.id + "/authorized-macs/", pollToken,
                    r.createdAt, r.updatedAt, r.tlsFingerprint, r.tlsFingerprintSeen, r.tlsFingerprintSeenAt);
        }
    }

    public record PollToken(long routerId, String pollToken, String pollUrl, String message) {
    }

    public record Deleted(String message) {
    }

    /**
     * {@code tls_fingerprint_seen}: the SHA-256 fingerprint of the certificate the router presented (HTTPS only),
     * for the owner to check on the router and set as {@code tls_fingerprint}, the pin, shown alongside.
     */
    public record ConnectionTest(long routerId, boolean isOnline, Instant lastChecked, String detail, String message,
            String tlsFingerprintSeen, String tlsFingerprint) {
    }

    public record DeviceInfo(String identity, String version, String boardName, String architecture, String uptime,
            Integer cpuLoad, Integer cpuCount, Long freeMemory, Long totalMemory, Long freeHddSpace) {
    }

    public record DeviceInfoAnswer(long routerId, DeviceInfo deviceInfo, String message) {
    }

    public record CommandRequest(String command, String method, Map<String, String> params) {
    }

    public record CommandAnswer(long routerId, String command, String method, JsonNode result, String message) {
    }
}
