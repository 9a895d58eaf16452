package org.hotspotbilling.hooks;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.Tuple;
import jakarta.transaction.Transactional;
import org.hotspotbilling.crypto.SecretBox;
import org.hotspotbilling.hooks.WebhookDtos.AttemptView;
import org.hotspotbilling.hooks.WebhookDtos.DeliveryView;
import org.hotspotbilling.hooks.WebhookDtos.EndpointRequest;
import org.hotspotbilling.router.HostPolicy;
import org.hotspotbilling.web.Conflict;
import org.hotspotbilling.web.Invalid;
import org.hotspotbilling.web.NotFound;

import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Owners' webhook endpoints: CRUD with the signing secret encrypted to its row, rotation with an overlap, the
 * delivery log and replays. Another owner's endpoint answers 404 like one that does not exist.
 */
@ApplicationScoped
public class WebhookEndpoints {

    static final String NOT_FOUND = "Webhook endpoint not found or access denied";
    private static final String REQUIRED = "This field is required.";
    private static final int MAX_URL = 2000;
    private static final int MAX_DESCRIPTION = 200;
    /** Standard Webhooks secrets are 24 to 64 bytes; 32 is what its reference libraries generate. */
    private static final int SECRET_BYTES = 32;
    private static final int LOG_ROWS = 100;
    private static final int MAX_REPLAY = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final EntityManager em;
    private final SecretBox secrets;
    private final HostPolicy hostPolicy;
    private final WebhookConfig config;
    private final WebhookEvents events;

    public WebhookEndpoints(EntityManager em, SecretBox secrets, HostPolicy hostPolicy, WebhookConfig config,
            WebhookEvents events) {
        this.em = em;
        this.secrets = secrets;
        this.hostPolicy = hostPolicy;
        this.config = config;
        this.events = events;
    }

    /** A new endpoint and its secret, which is shown this once. */
    public record Created(WebhookEndpoint endpoint, String secret) {
    }

    @Transactional
    public List<WebhookEndpoint> list(long ownerId) {
        return WebhookEndpoint.listOwned(ownerId);
    }

    @Transactional
    public WebhookEndpoint get(long ownerId, long id) {
        return WebhookEndpoint.findOwned(id, ownerId).orElseThrow(() -> new NotFound(NOT_FOUND));
    }

    @Transactional
    public Created create(long ownerId, EndpointRequest request) {
        validate(request, true);
        WebhookEndpoint endpoint = new WebhookEndpoint();
        endpoint.ownerId = ownerId;
        endpoint.secretCiphertext = new byte[0];
        apply(endpoint, request, true);
        endpoint.persist(); // assigns the id, which the secret's ciphertext is bound to
        String secret = newSecret();
        endpoint.secretCiphertext = secrets.encrypt(secret, binding(endpoint));
        return new Created(endpoint, secret);
    }

    /** PUT replaces url, event_types, description and enabled; PATCH changes only the given fields. */
    @Transactional
    public WebhookEndpoint update(long ownerId, long id, EndpointRequest request, boolean replace) {
        validate(request, replace);
        WebhookEndpoint endpoint = locked(ownerId, id);
        apply(endpoint, request, replace);
        return endpoint;
    }

    @Transactional
    public void delete(long ownerId, long id) {
        locked(ownerId, id).delete();
    }

    /**
     * A new secret, shown once. The previous one keeps signing beside it (a second {@code v1,} signature) for the
     * configured overlap, so receivers can switch without losing a delivery; a secret older than that is dropped.
     */
    @Transactional
    public WebhookDtos.RotatedSecret rotateSecret(long ownerId, long id) {
        WebhookEndpoint endpoint = locked(ownerId, id);
        String secret = newSecret();
        endpoint.previousSecretCiphertext = endpoint.secretCiphertext;
        endpoint.previousSecretUntil = Instant.now().plus(config.secretOverlap()).truncatedTo(ChronoUnit.MICROS);
        endpoint.secretCiphertext = secrets.encrypt(secret, binding(endpoint));
        endpoint.updatedAt = Instant.now();
        return new WebhookDtos.RotatedSecret(endpoint.id, secret, endpoint.previousSecretUntil);
    }

    /** The endpoint's deliveries, newest first (at most 100). */
    @Transactional
    @SuppressWarnings("unchecked")
    public List<DeliveryView> deliveries(long ownerId, long id) {
        get(ownerId, id);
        List<Tuple> rows = em.createNativeQuery("SELECT d.id, d.event_id, e.type, d.state, d.replay, d.attempts, "
                        + "d.next_attempt_at, d.last_status, d.last_error, d.created_at, d.finished_at "
                        + "FROM webhook_delivery d JOIN webhook_event e ON e.id = d.event_id "
                        + "WHERE d.endpoint_id = ?1 ORDER BY d.id DESC LIMIT ?2", Tuple.class)
                .setParameter(1, id).setParameter(2, LOG_ROWS).getResultList();
        return rows.stream().map(t -> new DeliveryView(((Number) t.get(0)).longValue(), (String) t.get(1),
                (String) t.get(2), (String) t.get(3), (Boolean) t.get(4), ((Number) t.get(5)).intValue(),
                t.get(6, Instant.class), t.get(7) == null ? null : ((Number) t.get(7)).intValue(), (String) t.get(8),
                t.get(9, Instant.class), t.get(10, Instant.class))).toList();
    }

    /** The endpoint's attempts, newest first (at most 100): status, latency, the answer's start, or the error. */
    @Transactional
    @SuppressWarnings("unchecked")
    public List<AttemptView> attempts(long ownerId, long id) {
        get(ownerId, id);
        List<Tuple> rows = em.createNativeQuery("SELECT a.id, a.delivery_id, d.event_id, a.attempted_at, "
                        + "a.status_code, a.latency_ms, a.response, a.error FROM webhook_attempt a "
                        + "JOIN webhook_delivery d ON d.id = a.delivery_id "
                        + "WHERE a.endpoint_id = ?1 ORDER BY a.id DESC LIMIT ?2", Tuple.class)
                .setParameter(1, id).setParameter(2, LOG_ROWS).getResultList();
        return rows.stream().map(t -> new AttemptView(((Number) t.get(0)).longValue(), ((Number) t.get(1)).longValue(),
                (String) t.get(2), t.get(3, Instant.class), t.get(4) == null ? null : ((Number) t.get(4)).intValue(),
                ((Number) t.get(5)).intValue(), (String) t.get(6), (String) t.get(7))).toList();
    }

    /**
     * Queues one event ({@code event_id}, any of the owner's events) or every event since a time ({@code since},
     * of the types the endpoint subscribes to, oldest first, at most 10,000) to the endpoint again, as new
     * deliveries with the same event id. Answers how many were queued.
     */
    @Transactional
    public int replay(long ownerId, long id, WebhookDtos.ReplayRequest request) {
        if (request == null || (request.eventId() == null) == (request.since() == null)) {
            throw new Invalid("Give exactly one of event_id or since.");
        }
        Instant since = request.since() == null ? null : instant(request.since());
        WebhookEndpoint endpoint = locked(ownerId, id);
        if (!endpoint.enabled) {
            throw new Conflict("The endpoint is disabled: enable it before replaying to it");
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        String insert = "INSERT INTO webhook_delivery (endpoint_id, event_id, owner_id, state, replay, "
                + "next_attempt_at, created_at) SELECT ?1, e.id, e.owner_id, 'queued', true, ?2, ?2 FROM webhook_event e "
                + "WHERE e.owner_id = ?3 AND ";
        int queued;
        if (request.eventId() != null) {
            queued = em.createNativeQuery(insert + "e.id = ?4")
                    .setParameter(1, id).setParameter(2, now).setParameter(3, ownerId)
                    .setParameter(4, request.eventId()).executeUpdate();
            if (queued == 0) {
                throw new NotFound("Event not found or access denied");
            }
        } else {
            queued = em.createNativeQuery(insert + "e.id IN (SELECT x.id FROM webhook_event x "
                            + "JOIN webhook_endpoint w ON w.id = ?1 AND x.type = ANY (w.event_types) "
                            + "WHERE x.owner_id = ?3 AND x.created_at >= ?4 ORDER BY x.created_at LIMIT ?5)")
                    .setParameter(1, id).setParameter(2, now).setParameter(3, ownerId).setParameter(4, since)
                    .setParameter(5, MAX_REPLAY).executeUpdate();
        }
        if (queued > 0) {
            events.queued();
        }
        return queued;
    }

    private static Instant instant(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw Invalid.ofFields(Map.of("since", "Must be an ISO-8601 date-time with an offset, e.g. "
                    + "2026-01-31T08:00:00Z."));
        }
    }

    private WebhookEndpoint locked(long ownerId, long id) {
        WebhookEndpoint endpoint = get(ownerId, id);
        em.lock(endpoint, LockModeType.PESSIMISTIC_WRITE);
        em.refresh(endpoint); // a worker may have disabled it since it was read
        return endpoint;
    }

    private void validate(EndpointRequest request, boolean full) {
        Map<String, String> errors = new java.util.TreeMap<>();
        if (request.url() == null) {
            if (full) {
                errors.put("url", REQUIRED);
            }
        } else {
            urlProblem(request.url()).ifPresent(problem -> errors.put("url", problem));
        }
        if (request.eventTypes() == null) {
            if (full) {
                errors.put("event_types", REQUIRED);
            }
        } else if (request.eventTypes().isEmpty()) {
            errors.put("event_types", "List at least one event type.");
        } else {
            for (String type : request.eventTypes()) {
                if (type == null || !EventTypes.ALL.contains(type)) {
                    errors.put("event_types", "Unknown event type '" + type + "'; known: "
                            + String.join(", ", EventTypes.ALL) + ".");
                    break;
                }
            }
        }
        if (request.description() != null && request.description().length() > MAX_DESCRIPTION) {
            errors.put("description", "Must be at most " + MAX_DESCRIPTION + " characters.");
        }
        if (!errors.isEmpty()) {
            throw Invalid.ofFields(errors);
        }
    }

    /**
     * Why the URL cannot be an endpoint, if it cannot: not an absolute http(s) URL, plain http where https is
     * required, credentials in it, or a host the address policy refuses (loopback, link-local, cloud metadata; names
     * are checked again after DNS resolution before every delivery).
     */
    Optional<String> urlProblem(String url) {
        if (url.length() > MAX_URL) {
            return Optional.of("Must be at most " + MAX_URL + " characters.");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("Not a valid URL.");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            return Optional.of("Must be an absolute http or https URL.");
        }
        if (config.requireHttps() && !scheme.equals("https")) {
            return Optional.of("Must use https.");
        }
        if (uri.getRawUserInfo() != null) {
            return Optional.of("Must not contain credentials.");
        }
        String host = uri.getHost();
        if (host == null) {
            return Optional.of("Must name a host.");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (!HostPolicy.wellFormed(host)) {
            return Optional.of("Must name a valid host.");
        }
        return hostPolicy.refusal(host).map(reason -> "Not allowed: " + reason + ".");
    }

    private static void apply(WebhookEndpoint endpoint, EndpointRequest request, boolean replace) {
        if (request.url() != null) {
            endpoint.url = request.url();
        }
        if (request.eventTypes() != null) {
            Set<String> types = new LinkedHashSet<>(request.eventTypes());
            endpoint.eventTypes = types.toArray(String[]::new);
        }
        if (request.description() != null || replace) {
            endpoint.description = request.description() == null ? "" : request.description();
        }
        if (request.enabled() != null || replace) {
            boolean enabled = request.enabled() == null || request.enabled();
            if (enabled && !endpoint.enabled) {
                // Enabled again by its owner: what made us stop is history; deliveries still queued resume.
                endpoint.disabledReason = null;
                endpoint.disabledAt = null;
            }
            endpoint.enabled = enabled;
        }
    }

    private static String newSecret() {
        byte[] key = new byte[SECRET_BYTES];
        RANDOM.nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    static SecretBox.Binding binding(WebhookEndpoint endpoint) {
        return new SecretBox.Binding(WebhookEndpoint.TABLE, endpoint.id, endpoint.ownerId);
    }
}
