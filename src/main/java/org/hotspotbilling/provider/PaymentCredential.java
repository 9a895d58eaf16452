package org.hotspotbilling.provider;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import org.hotspotbilling.web.TimestampedEntity;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** An owner's API credentials for one payment provider. The private key is only ever stored encrypted. */
@Entity
@Table(name = "payment_credential")
public class PaymentCredential extends TimestampedEntity {

    public static final String TABLE = "payment_credential";

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "payment_credential_id")
    @SequenceGenerator(name = "payment_credential_id", sequenceName = "payment_credential_id_seq", allocationSize = 1)
    public Long id;

    @Column(name = "owner_id", nullable = false)
    public long ownerId;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 20)
    public ProviderName provider;

    @Column(name = "api_key", nullable = false, length = 255)
    public String apiKey;

    @Column(name = "private_key_ciphertext", nullable = false)
    public byte[] privateKeyCiphertext;

    @Column(name = "private_key_sha256", nullable = false, length = 64)
    public String privateKeySha256;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 10)
    public Environment environment;

    @Column(name = "is_active", nullable = false)
    public boolean active = true;

    @Column(name = "callback_token", nullable = false, length = 64)
    public String callbackToken;

    @Column(name = "webhook_secret_sha256", length = 64)
    public String webhookSecretSha256;

    @Column(name = "webhook_secret_set_at")
    public Instant webhookSecretSetAt;

    @Column(name = "webhook_last_at")
    public Instant webhookLastAt;

    @Column(name = "webhook_last_outcome", length = 20)
    public String webhookLastOutcome;

    @Column(name = "webhook_accepted", nullable = false)
    public long webhookAccepted;

    @Column(name = "webhook_ignored", nullable = false)
    public long webhookIgnored;

    @Column(name = "webhook_rejected", nullable = false)
    public long webhookRejected;

    @Column(name = "short_code", length = 7)
    public String shortCode;

    @Enumerated(EnumType.STRING)
    @Column(name = "account_type", length = 7)
    public DarajaAccountType accountType;

    @Column(name = "till_number", length = 8)
    public String tillNumber;

    @Column(name = "passkey_ciphertext")
    public byte[] passkeyCiphertext;

    @Column(name = "portal_default", nullable = false)
    public boolean portalDefault;

    public static Optional<PaymentCredential> findOwned(long id, long ownerId) {
        return find("id = ?1 and ownerId = ?2", id, ownerId).firstResultOptional();
    }

    public static Optional<PaymentCredential> findByProvider(long ownerId, ProviderName provider) {
        return find("ownerId = ?1 and provider = ?2", ownerId, provider).firstResultOptional();
    }

    public static Optional<PaymentCredential> findByCallbackToken(String token) {
        return find("callbackToken", token).firstResultOptional();
    }

    public static List<PaymentCredential> listOwned(long ownerId) {
        return list("ownerId = ?1 order by createdAt desc, id desc", ownerId);
    }
}
