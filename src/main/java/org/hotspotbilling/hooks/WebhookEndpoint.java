package org.hotspotbilling.hooks;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;
import org.hotspotbilling.web.TimestampedEntity;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** An owner's webhook endpoint: where events of the subscribed types are sent, signed with its secret. */
@Entity
@Table(name = "webhook_endpoint")
public class WebhookEndpoint extends TimestampedEntity {

    /** The table name the secrets' ciphertexts are bound to (crypto/SecretBox). */
    static final String TABLE = "webhook_endpoint";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "owner_id", nullable = false)
    public long ownerId;

    @Column(nullable = false, columnDefinition = "text")
    public String url;

    @Column(nullable = false, length = 200)
    public String description = "";

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(name = "event_types", nullable = false, columnDefinition = "text[]")
    public String[] eventTypes;

    @Column(nullable = false)
    public boolean enabled = true;

    @Column(name = "secret_ciphertext", nullable = false)
    public byte[] secretCiphertext;

    @Column(name = "previous_secret_ciphertext")
    public byte[] previousSecretCiphertext;

    @Column(name = "previous_secret_until")
    public Instant previousSecretUntil;

    @Column(name = "disabled_reason", columnDefinition = "text")
    public String disabledReason;

    @Column(name = "disabled_at")
    public Instant disabledAt;

    @Column(name = "last_success_at", insertable = false, updatable = false)
    public Instant lastSuccessAt;

    public static List<WebhookEndpoint> listOwned(long ownerId) {
        return list("ownerId = ?1 order by id", ownerId);
    }

    public static Optional<WebhookEndpoint> findOwned(long id, long ownerId) {
        return find("id = ?1 and ownerId = ?2", id, ownerId).firstResultOptional();
    }
}
