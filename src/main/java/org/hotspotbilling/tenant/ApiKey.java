package org.hotspotbilling.tenant;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.Optional;

/**
 * An owner's API key pair. The public key is shown in captive pages; the private key exists only as a SHA-256
 * hash (it is 256 random bits, so a slow hash adds nothing). Lookups go through the hash of the public key, so
 * the time an index search takes says nothing about the stored keys.
 */
@Entity
@Table(name = "api_key")
public class ApiKey extends PanacheEntityBase {

    @Id
    @Column(name = "owner_id")
    public Long ownerId;

    @Column(name = "public_key", nullable = false, length = 32)
    public String publicKey;

    @Column(name = "public_key_sha256", nullable = false, length = 64)
    public String publicKeySha256;

    @Column(name = "private_key_sha256", nullable = false, length = 64)
    public String privateKeySha256;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    public static Optional<ApiKey> findByPublicKeySha256(String sha256) {
        return find("publicKeySha256", sha256).firstResultOptional();
    }
}
