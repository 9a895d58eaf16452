package org.hotspotbilling.tenant;

import jakarta.enterprise.context.ApplicationScoped;
import org.hotspotbilling.crypto.Hashes;
import org.hotspotbilling.crypto.Tokens;
import jakarta.transaction.Transactional;
import jakarta.persistence.PersistenceException;
import org.hotspotbilling.web.DatabaseErrors;
import org.hotspotbilling.web.Invalid;
import org.hotspotbilling.web.NotFound;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Issues, rotates and checks owners' API key pairs. Each owner has one pair; a new pair replaces the old at once. */
@ApplicationScoped
public class ApiKeyService {

    static final Pattern PUBLIC_KEY = Pattern.compile("[0-9a-f]{32}");
    static final Pattern PRIVATE_KEY = Pattern.compile("[0-9a-f]{64}");
    private static final String SAVE_PRIVATE_KEY = "Store your private key securely — it won't be shown again.";
    /** Compared against when no key matches, so a miss costs the same as a mismatch. */
    private static final String NO_KEY_HASH = "0".repeat(64);


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

    /** The owner whose public key this is, if any. The key must already be in canonical form. */
    @Transactional
    public Optional<Owner> ownerOfPublicKey(String publicKey) {
        String hash = Hashes.sha256Hex(publicKey);
        return ApiKey.findByPublicKeySha256(hash)
                .filter(key -> Hashes.constantTimeEquals(key.publicKeySha256, hash))
                .map(key -> Owner.findById(key.ownerId));
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

    static String normalise(String key) {
        return key == null ? null : key.trim().toLowerCase(Locale.ROOT);
    }



    private void store(long ownerId, String publicKey, String privateKey) {
        ApiKey key = ApiKey.findById(ownerId);
        if (key == null) {
            key = new ApiKey();
            key.ownerId = ownerId;
        }
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
