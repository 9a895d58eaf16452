package org.hotspotbilling.router;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import org.hotspotbilling.web.TimestampedEntity;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** A MikroTik router of one owner. Ids come from a sequence so they exist before the password is encrypted. */
@Entity
@Table(name = "router")
public class Router extends TimestampedEntity {

    public static final String TABLE = "router";

    /** How the router lets a paid device through (docs/routeros-rest.md "Enforcement modes", docs/routeros-scripts.md). */
    public static final List<String> ENFORCEMENT_MODES = List.of("hotspot-user", "ip-binding");

    /** How the router learns its grants: it polls us, we push over its REST API, or both. */
    public static final List<String> DELIVERIES = List.of("poll", "push", "both");

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "router_id")
    @SequenceGenerator(name = "router_id", sequenceName = "router_id_seq", allocationSize = 1)
    public Long id;

    @Column(name = "owner_id", nullable = false)
    public long ownerId;

    @Column(nullable = false, length = 100)
    public String name;

    @Column(nullable = false, length = 253)
    public String host;

    @Column(nullable = false)
    public int port;

    @Column(nullable = false, length = 100)
    public String username;

    @Column(name = "password_ciphertext")
    public byte[] passwordCiphertext;

    @Column(name = "use_https", nullable = false)
    public boolean useHttps;

    @Column(name = "verify_tls", nullable = false)
    public boolean verifyTls = true;

    /**
     * The router's certificate pin: SHA-256 of its DER bytes, lower-case hex. When set, HTTPS calls accept exactly
     * that certificate, whatever verify_tls says (docs/routeros-rest.md "TLS and pinning").
     */
    @Column(name = "tls_fingerprint", length = 64)
    public String tlsFingerprint;

    /** The certificate the router presented at its last connection test, for the owner to confirm as the pin. */
    @Column(name = "tls_fingerprint_seen", length = 64)
    public String tlsFingerprintSeen;

    @Column(name = "tls_fingerprint_seen_at")
    public Instant tlsFingerprintSeenAt;

    @Column(name = "is_online", nullable = false)
    public boolean online;

    @Column(name = "last_checked")
    public Instant lastChecked;

    @Column(name = "last_error", length = 500)
    public String lastError;

    @Column(name = "enforcement_mode", nullable = false, length = 12)
    public String enforcementMode = "hotspot-user";

    @Column(nullable = false, length = 4)
    public String delivery = "poll";

    @Column(name = "poll_token_sha256", length = 64)
    public String pollTokenSha256;

    /** Written by the poll endpoint only (in SQL), so saving a router never overwrites it. */
    @Column(name = "last_poll_at", insertable = false, updatable = false)
    public Instant lastPollAt;

    @Column(name = "last_poll_version", length = 40, insertable = false, updatable = false)
    public String lastPollVersion;

    /**
     * online: polled within {@link RouterConfig#OFFLINE_AFTER_INTERVALS} poll intervals; offline: silent for
     * longer; never: has not polled (null for a push-only router, which need not poll).
     */
    public String pollState(Duration interval, Instant now) {
        if (lastPollAt == null) {
            return "push".equals(delivery) ? null : "never";
        }
        Instant due = lastPollAt.plus(interval.multipliedBy(RouterConfig.OFFLINE_AFTER_INTERVALS));
        return now.isAfter(due) ? "offline" : "online";
    }

    /** Whether we deliver grants to this router over its REST API. */
    public boolean pushes() {
        return !"poll".equals(delivery);
    }

    /** The owner's router with this id; empty for another owner's router, so callers answer 404 either way. */
    public static Optional<Router> findOwned(long id, long ownerId) {
        return find("id = ?1 and ownerId = ?2", id, ownerId).firstResultOptional();
    }

    public static List<Router> listOwned(long ownerId) {
        return list("ownerId = ?1 order by name, id", ownerId);
    }

    /** The names of an owner's routers by id, in one query however many there are. */
    public static Map<Long, String> namesOwned(long ownerId) {
        return getEntityManager().createQuery("select id, name from Router where ownerId = ?1", Object[].class)
                .setParameter(1, ownerId).getResultStream()
                .collect(Collectors.toMap(row -> (Long) row[0], row -> (String) row[1]));
    }
}
