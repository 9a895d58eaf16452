package org.hotspotbilling.tenant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.hotspotbilling.crypto.Hashes;
import org.hotspotbilling.crypto.Tokens;
import jakarta.transaction.Transactional;
import jakarta.persistence.PersistenceException;
import org.hotspotbilling.web.DatabaseErrors;
import org.hotspotbilling.web.Invalid;
import org.hotspotbilling.web.NotFound;
import org.hotspotbilling.web.ShortLivedCache;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Issues, rotates and checks owners' API key pairs. Each owner has one pair; a new pair replaces the old at once.
 *
 * <p>Which owner a portal's public key belongs to is kept for {@link TenantConfig#publicKeyCacheTtl()}, so the
 * portal's busiest calls (package list, check-status, initiate) do not look the key up each time. How stale it can
 * be: a key replaced through this instance stops working here as soon as the change commits; on other instances,
 * and when an owner is disabled directly in the database, an answer seen before the change can be given for up to
 * that time. Unknown keys are not kept, so a new key works everywhere at once.
 */
@ApplicationScoped
public class ApiKeyService {

    static final Pattern PUBLIC_KEY = Pattern.compile("[0-9a-f]{32}");
    static final Pattern PRIVATE_KEY = Pattern.compile("[0-9a-f]{64}");
    private static final String SAVE_PRIVATE_KEY = "Store your private key securely — it won't be shown again.";
    /** Compared against when no key matches, so a miss costs the same as a mismatch. */
    private static final String NO_KEY_HASH = "0".repeat(64);

    private final ShortLivedCache<String, KeyOwner> portalKeys;
    private final TransactionSynchronizationRegistry transactions;

    public ApiKeyService(TenantConfig config, TransactionSynchronizationRegistry transactions) {
        this.portalKeys = new ShortLivedCache<>(config.publicKeyCacheTtl(), 100_000);
        this.transactions = transactions;
    }

    /** The owner a public key belonged to when it was looked up. */
    public record KeyOwner(long ownerId, boolean active) {
    }

    /** A key pair as shown once to its owner. */
    public record IssuedKeys(String publicKey, String privateKey, String message) {
    }

    @Transactional
    public IssuedKeys issueNewPair(long ownerId) {
        String publicKey = Tokens.randomHex(16);
        String privateKey = Tokens.randomHex(32);
        store(ownerId, publicKey, privateKey);
        return new IssuedKeys(publicKey, privateKey, SAVE_PRIVATE_KEY);
    }

    @Transactional
    public String setCustomPair(long ownerId, String publicKey, String privateKey) {
        String pub = normalise(publicKey);
        String priv = normalise(privateKey);
        Map<String, String> errors = new TreeMap<>();
        if (pub == null || !PUBLIC_KEY.matcher(pub).matches()) {
            errors.put("public_key", "Public key must be exactly 32 hexadecimal characters.");
        }
        if (priv == null || !PRIVATE_KEY.matcher(priv).matches()) {
            errors.put("private_key", "Private key must be exactly 64 hexadecimal characters.");
        }
        if (!errors.isEmpty()) {
            throw Invalid.ofFields(errors);
        }
        Optional<ApiKey> holder = ApiKey.findByPublicKeySha256(Hashes.sha256Hex(pub));
        if (holder.isPresent() && !holder.get().ownerId.equals(ownerId)) {
            throw new Invalid("This public key is already in use", Map.of("public_key", "This public key is already in use"));
        }
        store(ownerId, pub, priv);
        return pub;
    }

    @Transactional
    public ApiKey current(long ownerId) {
        ApiKey key = ApiKey.findById(ownerId);
        if (key == null) {
            throw new NotFound("No API keys found for this user");
        }
        return key;
    }

    /**
     * The owner of a portal's public key (canonical form) if this instance looked it up lately, or null; no database
     * access, so it can answer on the event loop.
     */
    public KeyOwner recentOwnerOfPublicKey(String publicKey) {
        return portalKeys.get(publicKey);
    }

    /** The owner whose public key this is, if any, looked up and remembered. The key must be in canonical form. */
    @Transactional
    public Optional<KeyOwner> ownerOfPublicKey(String publicKey) {
        long generation = portalKeys.generation();
        String hash = Hashes.sha256Hex(publicKey);
        Optional<KeyOwner> owner = ApiKey.findByPublicKeySha256(hash)
                .filter(key -> Hashes.constantTimeEquals(key.publicKeySha256, hash))
                .map(key -> Owner.<Owner>findById(key.ownerId))
                .map(found -> new KeyOwner(found.id, found.active));
        owner.ifPresent(found -> portalKeys.remember(publicKey, found, generation));
        return owner;
    }

    /** The owner holding this exact pair, if any; the private key is checked in constant time. */
    @Transactional
    public Optional<Owner> ownerOfPair(String publicKey, String privateKey) {
        String pub = normalise(publicKey);
        String priv = normalise(privateKey);
        if (pub == null || priv == null || !PUBLIC_KEY.matcher(pub).matches()) {
            return Optional.empty();
        }
        Optional<ApiKey> key = ApiKey.findByPublicKeySha256(Hashes.sha256Hex(pub));
        boolean matches = Hashes.constantTimeEquals(key.map(k -> k.privateKeySha256).orElse(NO_KEY_HASH),
                Hashes.sha256Hex(priv));
        return key.filter(k -> matches).map(k -> Owner.findById(k.ownerId));
    }

    /**
     * Drops the old and new public keys from this instance's cache when the change has committed (or failed), not
     * before: a lookup between the two would otherwise remember the old owner again.
     */
    private void forgetOnceDone(String... publicKeys) {
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                for (String key : publicKeys) {
                    if (key != null) {
                        portalKeys.forget(key);
                    }
                }
            }
        });
    }

    static String normalise(String key) {
        return key == null ? null : key.trim().toLowerCase(Locale.ROOT);
    }

    private void store(long ownerId, String publicKey, String privateKey) {
        ApiKey key = ApiKey.findById(ownerId);
        if (key == null) {
            key = new ApiKey();
            key.ownerId = ownerId;
        }
        forgetOnceDone(key.publicKey, publicKey);
        key.publicKey = publicKey;
        key.publicKeySha256 = Hashes.sha256Hex(publicKey);
        key.privateKeySha256 = Hashes.sha256Hex(privateKey);
        key.createdAt = Instant.now();
        key.persist();
        try {
            ApiKey.flush();
        } catch (PersistenceException e) {
            if (DatabaseErrors.isUniqueViolation(e)) {
                // Another owner claimed the same public key between our check and this write.
                throw new Invalid("This public key is already in use", Map.of("public_key", "This public key is already in use"));
            }
            throw e;
        }
    }

}
