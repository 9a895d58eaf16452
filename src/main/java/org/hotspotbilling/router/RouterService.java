package org.hotspotbilling.router;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;
import org.hotspotbilling.crypto.Hashes;
import org.hotspotbilling.crypto.SecretBox;
import org.hotspotbilling.crypto.Tokens;
import org.hotspotbilling.router.RouterDtos.RouterRequest;
import jakarta.persistence.PersistenceException;
import org.hotspotbilling.web.Conflict;
import org.hotspotbilling.web.DatabaseErrors;
import org.hotspotbilling.web.Invalid;
import org.hotspotbilling.web.NotFound;
import org.hotspotbilling.web.ShortLivedCache;
import org.hotspotbilling.web.Upstream;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Owners' routers: CRUD with the password encrypted to its row, and the calls that reach the router itself.
 * No database transaction stays open while a router is being called: RouterOS may take seconds to answer.
 */
@ApplicationScoped
public class RouterService {

    static final String NOT_FOUND = "Router not found or access denied";
    private static final String REQUIRED = "This field is required.";

    private final SecretBox secrets;
    private final HostPolicy hostPolicy;
    private final RouterOsClient client;
    private final Event<RouterSettingsChanged> settingsChanged;
    private final Event<PollTokenRevoked> pollTokenRevoked;
    private final ShortLivedCache<Long, List<RouterDtos.RouterView>> lists;
    private final Duration pollInterval;

    public RouterService(SecretBox secrets, HostPolicy hostPolicy, RouterOsClient client,
            Event<RouterSettingsChanged> settingsChanged, Event<PollTokenRevoked> pollTokenRevoked,
            RouterConfig config) {
        this.lists = new ShortLivedCache<>(config.listCacheTtl(), 10_000);
        this.pollInterval = config.pollInterval();
        this.secrets = secrets;
        this.hostPolicy = hostPolicy;
        this.client = client;
        this.settingsChanged = settingsChanged;
        this.pollTokenRevoked = pollTokenRevoked;
    }

    /**
     * Fired inside the transaction that changed how a router is reached or how it enforces access, so that push
     * delivery brings the router in line again at once (access/ observes it; router/ does not depend on access/).
     */
    public record RouterSettingsChanged(long routerId) {
    }

    /**
     * Fired inside the transaction that replaced a router's poll token or deleted the router, so that the old
     * token stops working at once on this instance too, where polls are answered from memory (access/).
     */
    public record PollTokenRevoked(long routerId) {
    }

    /**
     * The owner's routers as the list answers them, kept for {@link RouterConfig#listCacheTtl()}: dropped at once by a
     * committed change of one of them through this instance (plan/PortalPlansInvalidation); the time of the last poll
     * and the poll state can be that much older than the routers' polls.
     */
    public List<RouterDtos.RouterView> listViews(long ownerId) {
        return lists.getOrRead(ownerId, () -> QuarkusTransaction.joiningExisting().call(() -> Router.<Router>listOwned(
                ownerId).stream().map(r -> RouterDtos.RouterView.of(r, pollInterval)).toList()));
    }

    /** Drops the owner's kept router list; called once a change of one of its routers has committed. */
    public void forgetList(long ownerId) {
        lists.forget(ownerId);
    }

    @Transactional
    public Router get(long ownerId, long routerId) {
        return Router.findOwned(routerId, ownerId).orElseThrow(() -> new NotFound(NOT_FOUND));
    }

    /** A new router and its poll token, which is shown this once. */
    public record Created(Router router, String pollToken) {
    }

    @Transactional
    public Created create(long ownerId, RouterRequest request) {
        validate(request, true);
        Router router = new Router();
        router.ownerId = ownerId;
        apply(router, request, true);
        router.persist(); // assigns the id, which the password's ciphertext is bound to
        setPassword(router, request.password());
        if (router.pushes()) {
            settingsChanged.fire(new RouterSettingsChanged(router.id));
        }
        return new Created(router, newPollToken(router));
    }

    /** Replaces the router's poll token; the old one stops working at once. */
    @Transactional
    public String rotatePollToken(long ownerId, long routerId) {
        String token = newPollToken(get(ownerId, routerId));
        pollTokenRevoked.fire(new PollTokenRevoked(routerId));
        return token;
    }

    private String newPollToken(Router router) {
        String text = Tokens.randomHex(32);
        router.pollTokenSha256 = Hashes.sha256Hex(text);
        return text;
    }

    /** PUT replaces every field (password only when given); PATCH changes only the given fields. */
    @Transactional
    public Router update(long ownerId, long routerId, RouterRequest request, boolean replace) {
        Router router = get(ownerId, routerId);
        validate(request, replace);
        String before = target(router);
        String enforcementBefore = router.enforcementMode + "|" + router.delivery;
        apply(router, request, replace);
        if (request.password() != null) {
            setPassword(router, request.password());
        }
        boolean reachedDifferently = !before.equals(target(router)) || request.password() != null;
        if (reachedDifferently) {
            // The stored status described the old address or credentials.
            router.online = false;
            router.lastChecked = null;
            router.lastError = null;
        }
        boolean enforcesDifferently = !enforcementBefore.equals(router.enforcementMode + "|" + router.delivery);
        if (router.pushes() && (reachedDifferently || enforcesDifferently)) {
            settingsChanged.fire(new RouterSettingsChanged(router.id));
        }
        return router;
    }

    @Transactional
    public String delete(long ownerId, long routerId) {
        Router router = get(ownerId, routerId);
        router.delete();
        try {
            Router.flush();
        } catch (PersistenceException e) {
            if (DatabaseErrors.isForeignKeyViolation(e)) {
                // Payments are money records: they keep their router.
                throw new Conflict("Router \"" + router.name + "\" has payments and cannot be deleted");
            }
            throw e;
        }
        pollTokenRevoked.fire(new PollTokenRevoked(routerId));
        return router.name;
    }

    /**
     * Calls the router and records whether its REST API answered. Never throws for an offline router. Over HTTPS it
     * also reads which certificate the router presents, before and apart from the call (which may refuse it), and
     * keeps its fingerprint for the owner to confirm as the router's pin.
     */
    public RouterDtos.ConnectionTest testConnection(long ownerId, long routerId) {
        RouterOsClient.Target target = targetOf(ownerId, routerId);
        String seen = client.certificateFingerprint(target).orElse(null);
        String failure = null;
        try {
            client.get(target, "/system/resource");
        } catch (RouterOsException e) {
            failure = e.getMessage();
        }
        Instant checked = recordStatus(routerId, failure, seen);
        return new RouterDtos.ConnectionTest(routerId, failure == null, checked, failure, "Connection test completed",
                seen, target.tlsFingerprint());
    }

    public RouterDtos.DeviceInfo deviceInfo(long ownerId, long routerId) {
        RouterOsClient.Target target = targetOf(ownerId, routerId);
        try {
            JsonNode resource = single(client.get(target, "/system/resource"));
            JsonNode identity = single(client.get(target, "/system/identity"));
            recordStatus(routerId, null, null);
            return new RouterDtos.DeviceInfo(text(identity, "name"), text(resource, "version"),
                    text(resource, "board-name"), text(resource, "architecture-name"), text(resource, "uptime"),
                    integer(resource, "cpu-load"), integer(resource, "cpu-count"), number(resource, "free-memory"),
                    number(resource, "total-memory"), number(resource, "free-hdd-space"));
        } catch (RouterOsException e) {
            recordStatus(routerId, e.getMessage(), null);
            throw upstream(e);
        }
    }

    /** Runs an allow-listed read; the router is looked up first, so another owner's id is a 404 whatever the body. */
    public RouterDtos.CommandAnswer executeReadOnly(long ownerId, long routerId, RouterDtos.CommandRequest request) {
        RouterOsClient.Target target = targetOf(ownerId, routerId);
        ReadOnlyCommand command = ReadOnlyCommand.parse(request.command(), request.method(), request.params());
        try {
            JsonNode result = client.get(target, command.path(), command.query());
            return new RouterDtos.CommandAnswer(routerId, command.path(), "GET", result, "Command executed successfully");
        } catch (RouterOsException e) {
            throw upstream(e);
        }
    }

    /** Connection details with the password decrypted, read in a short transaction of its own. */
    public RouterOsClient.Target targetOf(long ownerId, long routerId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Router router = get(ownerId, routerId);
            String password = router.passwordCiphertext == null ? null
                    : secrets.decrypt(router.passwordCiphertext, binding(router));
            return new RouterOsClient.Target(router.host, router.port, router.useHttps, router.verifyTls,
                    router.tlsFingerprint, router.username, password);
        });
    }

    /** How a failed router call is answered: 504 when it timed out, 502 otherwise. */
    static Upstream upstream(RouterOsException e) {
        return e.kind() == RouterOsException.Kind.TIMEOUT ? Upstream.timeout(e.getMessage()) : new Upstream(e.getMessage());
    }

    /** Records a call's outcome and, when {@code certificateSeen} is given, the certificate the router presented. */
    private Instant recordStatus(long routerId, String failure, String certificateSeen) {
        Instant now = Instant.now();
        QuarkusTransaction.requiringNew().run(() -> {
            Router router = Router.findById(routerId);
            if (router != null) {
                router.online = failure == null;
                router.lastChecked = now;
                router.lastError = failure == null ? null : truncate(failure, 500);
                if (certificateSeen != null) {
                    router.tlsFingerprintSeen = certificateSeen;
                    router.tlsFingerprintSeenAt = now;
                }
            }
        });
        return now;
    }

    private void validate(RouterRequest request, boolean complete) {
        Map<String, String> errors = new TreeMap<>();
        if (complete) {
            requirePresent(errors, "name", request.name());
            requirePresent(errors, "host", request.host());
            requirePresent(errors, "username", request.username());
        }
        if (request.host() != null && !errors.containsKey("host")) {
            if (!HostPolicy.wellFormed(request.host())) {
                errors.put("host", "Enter a valid IPv4 or IPv6 address or DNS name.");
            } else {
                hostPolicy.refusal(request.host()).ifPresent(why -> errors.put("host", "Host not allowed: " + why + "."));
            }
        }
        if (request.name() != null && request.name().isBlank()) {
            errors.put("name", REQUIRED);
        }
        if (request.enforcementMode() != null && !Router.ENFORCEMENT_MODES.contains(request.enforcementMode())) {
            errors.put("enforcement_mode", "Must be one of: " + String.join(", ", Router.ENFORCEMENT_MODES) + ".");
        }
        if (request.delivery() != null && !Router.DELIVERIES.contains(request.delivery())) {
            errors.put("delivery", "Must be one of: " + String.join(", ", Router.DELIVERIES) + ".");
        }
        if (request.tlsFingerprint() != null && !request.tlsFingerprint().isEmpty()
                && CertificatePins.parse(request.tlsFingerprint()).isEmpty()) {
            errors.put("tls_fingerprint", "Must be a SHA-256 fingerprint: 64 hex digits, with or without colons "
                    + "between pairs; \"\" removes the pin.");
        }
        if (!errors.isEmpty()) {
            throw Invalid.ofFields(errors);
        }
    }

    /** Rules on the router as a request leaves it: a pin checks HTTPS, so it needs HTTPS. */
    private static void validateResult(Router router) {
        if (router.tlsFingerprint != null && !router.useHttps) {
            throw Invalid.ofFields(Map.of("tls_fingerprint", "A pinned certificate needs use_https: true."));
        }
    }

    private static void requirePresent(Map<String, String> errors, String field, String value) {
        if (value == null || value.isBlank()) {
            errors.put(field, REQUIRED);
        }
    }

    private static void apply(Router router, RouterRequest request, boolean replace) {
        if (replace || request.name() != null) {
            router.name = request.name().strip();
        }
        if (replace || request.host() != null) {
            router.host = request.host();
        }
        if (replace || request.port() != null) {
            router.port = request.port() == null ? 80 : request.port();
        }
        if (replace || request.username() != null) {
            router.username = request.username();
        }
        if (replace || request.useHttps() != null) {
            router.useHttps = Boolean.TRUE.equals(request.useHttps());
        }
        if (replace || request.verifyTls() != null) {
            router.verifyTls = !Boolean.FALSE.equals(request.verifyTls());
        }
        if (replace || request.enforcementMode() != null) {
            router.enforcementMode = request.enforcementMode() == null ? "hotspot-user" : request.enforcementMode();
        }
        if (replace || request.delivery() != null) {
            router.delivery = request.delivery() == null ? "poll" : request.delivery();
        }
        if (replace || request.tlsFingerprint() != null) {
            router.tlsFingerprint = request.tlsFingerprint() == null ? null
                    : CertificatePins.parse(request.tlsFingerprint()).orElse(null);
        }
        validateResult(router);
    }

    private void setPassword(Router router, String password) {
        router.passwordCiphertext = password == null || password.isEmpty() ? null
                : secrets.encrypt(password, binding(router));
    }

    private static SecretBox.Binding binding(Router router) {
        return new SecretBox.Binding(Router.TABLE, router.id, router.ownerId);
    }

    private static String target(Router router) {
        return String.join("|", router.host, String.valueOf(router.port), router.username,
                String.valueOf(router.useHttps), String.valueOf(router.verifyTls), String.valueOf(router.tlsFingerprint));
    }

    /** Singleton menus come as a bare object or, on some versions, wrapped in a one-element array. */
    private static JsonNode single(JsonNode node) {
        return node != null && node.isArray() && !node.isEmpty() ? node.get(0) : node;
    }

    private static String text(JsonNode node, String field) {
        return node != null && node.hasNonNull(field) ? node.get(field).asText() : null;
    }

    /** RouterOS sends every value as a string; a value that is not a number reads as absent. */
    private static Long number(JsonNode node, String field) {
        String value = text(node, field);
        try {
            return value == null ? null : Long.valueOf(value.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Integer integer(JsonNode node, String field) {
        Long value = number(node, field);
        return value == null ? null : Math.toIntExact(value);
    }

    private static String truncate(String text, int max) {
        return Objects.requireNonNull(text).length() <= max ? text : text.substring(0, max);
    }
}
