package org.hotspotbilling.provider;

import jakarta.enterprise.context.ApplicationScoped;
import org.hotspotbilling.crypto.Hashes;
import org.hotspotbilling.crypto.Tokens;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import org.hotspotbilling.crypto.SecretBox;
import org.hotspotbilling.provider.CredentialDtos.CredentialRequest;
import org.hotspotbilling.provider.CredentialDtos.CredentialView;
import org.hotspotbilling.web.Conflict;
import org.hotspotbilling.web.DatabaseErrors;
import org.hotspotbilling.web.Invalid;
import org.hotspotbilling.web.NotFound;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Owners' provider credentials. The private key is encrypted to its row and only decrypted into an
 * {@link ActiveCredential} for a provider call; no endpoint ever returns it (the reference's get-private-key is
 * answered 410). The IntaSend webhook "challenge" is kept as a SHA-256 hash: verifying needs no plaintext.
 */
@ApplicationScoped
public class CredentialService {

    static final String NOT_FOUND = "Payment credentials not found or access denied";
    private static final String REQUIRED = "This field is required.";

    private final SecretBox secrets;

    public CredentialService(SecretBox secrets) {
        this.secrets = secrets;
    }

    @Transactional
    public List<CredentialView> list(long ownerId) {
        Long portalId = portalCredentialId(ownerId);
        return PaymentCredential.listOwned(ownerId).stream().map(c -> view(c, portalId)).toList();
    }

    @Transactional
    public CredentialView get(long ownerId, long id) {
        return view(owned(ownerId, id));
    }

    @Transactional
    public CredentialView byProvider(long ownerId, ProviderName provider) {
        return view(PaymentCredential.findByProvider(ownerId, provider)
                .orElseThrow(() -> new NotFound("No credentials found for " + provider)));
    }

    @Transactional
    public CredentialView create(long ownerId, CredentialRequest request) {
        Environment environment = request.environment() == null ? Environment.sandbox : request.environment();
        validate(request, true, environment);
        if (PaymentCredential.findByProvider(ownerId, request.provider()).isPresent()) {
            throw duplicate(request.provider());
        }
        PaymentCredential credential = new PaymentCredential();
        credential.ownerId = ownerId;
        credential.provider = request.provider();
        credential.apiKey = request.apiKey();
        credential.environment = environment;
        credential.active = !Boolean.FALSE.equals(request.isActive());
        credential.callbackToken = Tokens.randomHex(32);
        credential.privateKeySha256 = Hashes.sha256Hex(request.privateKey());
        credential.privateKeyCiphertext = new byte[0];
        credential.shortCode = request.shortCode();
        credential.accountType = request.accountType();
        if (credential.provider == ProviderName.mpesa && request.passkey() != null) {
            credential.passkeyCiphertext = new byte[0];
        }
        credential.persist(); // assigns the id the ciphertexts are bound to
        credential.privateKeyCiphertext = secrets.encrypt(request.privateKey(), binding(credential));
        setDarajaAccount(credential, request);
        try {
            credential.flush();
        } catch (PersistenceException e) {
            if (DatabaseErrors.isUniqueViolation(e)) {
                throw duplicate(request.provider()); // a concurrent create won
            }
            throw e;
        }
        return view(credential);
    }

    /** PUT/PATCH: api_key, environment, is_active (and private_key when given). The provider cannot change. */
    @Transactional
    public CredentialView update(long ownerId, long id, CredentialRequest request) {
        PaymentCredential credential = owned(ownerId, id);
        if (request.provider() != null && request.provider() != credential.provider) {
            throw new Invalid("The provider of a credential cannot change; create a new credential instead",
                    Map.of("provider", "Cannot change."));
        }
        Environment environment = request.environment() == null ? credential.environment : request.environment();
        if (environment != credential.environment && paymentsWaitingOn(id) > 0) {
            // Open payments are asked about in the environment they were made in.
            throw new Conflict("Payments made in " + credential.environment + " are still waiting for the provider's "
                    + "confirmation; change the environment once they are settled.");
        }
        validate(new CredentialRequest(credential.provider,
                request.apiKey() == null ? credential.apiKey : request.apiKey(), request.privateKey(), environment,
                request.isActive(), request.passkey(), request.shortCode(), request.accountType(),
                request.tillNumber()), false, environment);
        if (request.apiKey() != null) {
            credential.apiKey = request.apiKey();
        }
        credential.environment = environment;
        if (request.isActive() != null) {
            credential.active = request.isActive();
        }
        if (request.privateKey() != null) {
            setPrivateKey(credential, request.privateKey());
        }
        setDarajaAccount(credential, request);
        if (credential.provider == ProviderName.mpesa && environment != Environment.simulator
                && (credential.shortCode == null || credential.accountType == null
                        || credential.passkeyCiphertext == null)) {
            throw Invalid.ofFields(Map.of("short_code", REQUIRED, "account_type", REQUIRED, "passkey", REQUIRED));
        }
        return view(credential);
    }

    @Transactional
    public CredentialView updatePrivateKey(long ownerId, long id, String privateKey) {
        PaymentCredential credential = owned(ownerId, id);
        if (privateKey == null || privateKey.isBlank()) {
            throw new Invalid("Private key is required", Map.of("private_key", REQUIRED));
        }
        validate(CredentialRequest.of(credential.provider, credential.apiKey, privateKey, credential.environment,
                null), false, credential.environment);
        setPrivateKey(credential, privateKey);
        return view(credential);
    }

    /** Compares a key with the stored hash in constant time; the stored key itself is not decrypted. */
    @Transactional
    public CredentialDtos.Verification verify(long ownerId, long id, String privateKey) {
        PaymentCredential credential = owned(ownerId, id);
        if (privateKey == null || privateKey.isEmpty()) {
            throw new Invalid("Private key is required for verification", Map.of("private_key", REQUIRED));
        }
        boolean valid = Hashes.constantTimeEquals(credential.privateKeySha256, Hashes.sha256Hex(privateKey));
        return new CredentialDtos.Verification(id, credential.provider, credential.provider.display(), valid,
                valid ? "Credentials verified successfully" : "Invalid private key");
    }

    @Transactional
    public CredentialView toggle(long ownerId, long id) {
        PaymentCredential credential = owned(ownerId, id);
        credential.active = !credential.active;
        return view(credential);
    }

    /**
     * Deletes a credential no payment still needs. A payment still waiting for the provider's word (open, or due
     * a re-check) is confirmed with the credential it was made with, so such a credential answers 409: deactivate
     * it instead, which stops new payments and keeps confirming the open ones.
     */
    @Transactional
    public String delete(long ownerId, long id) {
        PaymentCredential credential = owned(ownerId, id);
        long open = paymentsWaitingOn(id);
        if (open > 0) {
            throw new Conflict(open + " payment(s) made with these credentials are still waiting for the provider's "
                    + "confirmation. Deactivate the credentials instead (toggle): new payments stop, and the open "
                    + "ones are still confirmed.", Map.of("open_payments", String.valueOf(open)));
        }
        credential.delete();
        return credential.provider.display();
    }

    /** Payments that will still ask the provider with this credential. */
    private static long paymentsWaitingOn(long credentialId) {
        return ((Number) PaymentCredential.getEntityManager().createNativeQuery("SELECT count(*) FROM payment "
                        + "WHERE credential_id = ?1 AND (status IN ('pending', 'processing') OR next_check_at IS NOT NULL)")
                .setParameter(1, credentialId).getSingleResult()).longValue();
    }

    /** Sets (or generates) the challenge IntaSend copies into every webhook; the answer is the only time it shows. */
    @Transactional
    public CredentialDtos.WebhookSecretSet setWebhookSecret(long ownerId, long id, String challenge) {
        PaymentCredential credential = owned(ownerId, id);
        String secret = challenge == null || challenge.isBlank() ? Tokens.randomHex(24) : challenge;
        credential.webhookSecretSha256 = Hashes.sha256Hex(secret);
        credential.webhookSecretSetAt = Instant.now();
        return new CredentialDtos.WebhookSecretSet("Webhook challenge set. Enter it, with the webhook URL, in the "
                + "IntaSend dashboard; it will not be shown again.", secret, webhookPath(credential));
    }

    /**
     * The credential the captive portal's payments go through (docs/daraja.md "Which provider"): the one the owner
     * chose, when active; else the only active one; else, with several active and none chosen, IntaSend's.
     */
    @Transactional
    public Optional<ActiveCredential> forPortal(long ownerId) {
        Long id = portalCredentialId(ownerId);
        return id == null ? Optional.empty() : PaymentCredential.<PaymentCredential>findByIdOptional(id)
                .map(this::decrypt);
    }

    /** Makes a credential the one the captive portal's payments go through. */
    @Transactional
    public CredentialView useForPortal(long ownerId, long id) {
        PaymentCredential chosen = owned(ownerId, id);
        if (chosen.provider == ProviderName.kopokopo) {
            throw new Invalid("KopoKopo payments are not supported yet");
        }
        PaymentCredential.update("portalDefault = false where ownerId = ?1 and id <> ?2", ownerId, id);
        PaymentCredential.flush();
        chosen.portalDefault = true;
        return view(chosen);
    }

    /** The owner's active credential for a provider, decrypted for one call. */
    @Transactional
    public Optional<ActiveCredential> active(long ownerId, ProviderName provider) {
        return PaymentCredential.findByProvider(ownerId, provider).filter(c -> c.active).map(this::decrypt);
    }

    /** A credential by id for a call that must reach the same provider account as before (status checks). */
    @Transactional
    public Optional<ActiveCredential> byId(long credentialId) {
        return PaymentCredential.<PaymentCredential>findByIdOptional(credentialId).map(this::decrypt);
    }

    /** Who a webhook URL belongs to, and whether its challenge matches (constant time; false when unset). */
    @Transactional
    public Optional<WebhookEndpoint> webhookEndpoint(String callbackToken, String challenge) {
        return PaymentCredential.findByCallbackToken(callbackToken).map(c -> new WebhookEndpoint(c.ownerId, c.id,
                c.provider, c.webhookSecretSha256 != null && challenge != null
                        && Hashes.constantTimeEquals(c.webhookSecretSha256, Hashes.sha256Hex(challenge))));
    }

    /** A webhook URL's owner, credential and provider, and whether the delivery carried the right challenge. */
    public record WebhookEndpoint(long ownerId, long credentialId, ProviderName provider, boolean challengeValid) {
    }

    /** Where the provider posts events for this credential (IntaSend's path is spelled "intasend"). */
    static String webhookPath(PaymentCredential credential) {
        String provider = credential.provider == ProviderName.instasend ? "intasend" : credential.provider.name();
        return "/payments/webhook/" + provider + "/" + credential.callbackToken + "/";
    }

    private ActiveCredential decrypt(PaymentCredential c) {
        ActiveCredential.DarajaAccount daraja = c.provider != ProviderName.mpesa ? null
                : new ActiveCredential.DarajaAccount(c.shortCode, c.accountType,
                        c.tillNumber != null ? c.tillNumber : c.shortCode,
                        c.passkeyCiphertext == null ? null : secrets.decrypt(c.passkeyCiphertext, passkeyBinding(c)));
        return new ActiveCredential(c.id, c.ownerId, c.provider, c.environment, c.apiKey,
                secrets.decrypt(c.privateKeyCiphertext, binding(c)), daraja, c.callbackToken);
    }

    /** Daraja's account fields, as far as the request gives them (others keep their value). */
    private void setDarajaAccount(PaymentCredential credential, CredentialRequest request) {
        if (credential.provider != ProviderName.mpesa) {
            return;
        }
        if (request.shortCode() != null) {
            credential.shortCode = request.shortCode();
        }
        if (request.accountType() != null) {
            credential.accountType = request.accountType();
        }
        if (request.tillNumber() != null) {
            credential.tillNumber = request.tillNumber();
        }
        if (credential.accountType == DarajaAccountType.paybill) {
            credential.tillNumber = null; // a paybill is pushed to its own short code
        }
        if (request.passkey() != null) {
            credential.passkeyCiphertext = secrets.encrypt(request.passkey(), passkeyBinding(credential));
        }
    }

    private void setPrivateKey(PaymentCredential credential, String privateKey) {
        credential.privateKeyCiphertext = secrets.encrypt(privateKey, binding(credential));
        credential.privateKeySha256 = Hashes.sha256Hex(privateKey);
    }

    private static void validate(CredentialRequest request, boolean creating, Environment environment) {
        Map<String, String> errors = new TreeMap<>();
        if (creating) {
            if (request.provider() == null) {
                errors.put("provider", REQUIRED);
            }
            if (request.apiKey() == null || request.apiKey().isBlank()) {
                errors.put("api_key", REQUIRED);
            }
            if (request.privateKey() == null || request.privateKey().isBlank()) {
                errors.put("private_key", REQUIRED);
            }
        }
        if (request.provider() == ProviderName.mpesa && environment != Environment.simulator && creating) {
            if (request.passkey() == null) {
                errors.put("passkey", REQUIRED);
            }
            if (request.shortCode() == null) {
                errors.put("short_code", REQUIRED);
            }
            if (request.accountType() == null) {
                errors.put("account_type", REQUIRED);
            }
        }
        if (request.provider() != ProviderName.mpesa && (request.passkey() != null || request.shortCode() != null
                || request.accountType() != null || request.tillNumber() != null)) {
            errors.put("provider", "passkey, short_code, account_type and till_number are M-Pesa Daraja fields.");
        }
        if (request.provider() == ProviderName.instasend && environment != Environment.simulator) {
            // IntaSend keys name their environment; a test key on live (or the reverse) fails every payment.
            String tag = environment == Environment.live ? "live" : "test";
            if (request.apiKey() != null && !request.apiKey().startsWith("ISPubKey_" + tag + "_")) {
                errors.put("api_key", "An IntaSend " + environment + " publishable key starts with ISPubKey_" + tag + "_.");
            }
            if (request.privateKey() != null && !request.privateKey().startsWith("ISSecretKey_" + tag + "_")) {
                errors.put("private_key", "An IntaSend " + environment + " secret key starts with ISSecretKey_" + tag
                        + "_.");
            }
        }
        if (!errors.isEmpty()) {
            throw Invalid.ofFields(errors);
        }
    }

    private static Invalid duplicate(ProviderName provider) {
        String message = "Payment credentials for " + provider.display() + " already exist; update them instead.";
        return new Invalid(message, Map.of("provider", message));
    }

    private PaymentCredential owned(long ownerId, long id) {
        return PaymentCredential.findOwned(id, ownerId).orElseThrow(() -> new NotFound(NOT_FOUND));
    }

    private CredentialView view(PaymentCredential c) {
        return view(c, portalCredentialId(c.ownerId));
    }

    /** The id of the credential the portal uses now, if any (see {@link #forPortal}). */
    private static Long portalCredentialId(long ownerId) {
        List<PaymentCredential> active = PaymentCredential.listOwned(ownerId).stream()
                .filter(c -> c.active && c.provider != ProviderName.kopokopo).toList();
        return active.stream().filter(c -> c.portalDefault).findFirst()
                .or(() -> active.size() == 1 ? Optional.of(active.get(0)) : Optional.empty())
                .or(() -> active.stream().filter(c -> c.provider == ProviderName.instasend).findFirst())
                .map(c -> c.id).orElse(null);
    }

    private static CredentialView view(PaymentCredential c, Long portalId) {
        boolean daraja = c.provider == ProviderName.mpesa;
        return new CredentialView(c.id, c.provider, c.provider.display(), c.apiKey, c.environment, c.active, true,
                webhookPath(c), c.webhookSecretSha256 != null, c.webhookSecretSetAt,
                new CredentialDtos.WebhookDeliveries(c.webhookLastAt, c.webhookLastOutcome, c.webhookAccepted,
                        c.webhookIgnored, c.webhookRejected), Long.valueOf(c.id).equals(portalId), c.shortCode,
                c.accountType,
                c.tillNumber, daraja ? c.passkeyCiphertext != null : null, c.createdAt, c.updatedAt);
    }

    private static SecretBox.Binding binding(PaymentCredential credential) {
        return new SecretBox.Binding(PaymentCredential.TABLE, credential.id, credential.ownerId);
    }

    private static SecretBox.Binding passkeyBinding(PaymentCredential credential) {
        return new SecretBox.Binding(PaymentCredential.TABLE + ".passkey", credential.id, credential.ownerId);
    }



}
