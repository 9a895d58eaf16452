package org.hotspotbilling.provider;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.time.Instant;

/** Bodies of {@code /payments/credentials/...}. The private key and the webhook secret are write-only. */
public final class CredentialDtos {

    private CredentialDtos() {
    }

    /**
     * A credential. IntaSend: {@code api_key} (publishable key) and {@code private_key} (secret key). M-Pesa
     * Daraja ({@code provider: "mpesa"}): {@code consumer_key} and {@code consumer_secret} (the same two fields
     * under Daraja's names), {@code passkey}, {@code short_code}, {@code account_type} ({@code paybill} or
     * {@code till}) and, for a till whose number differs from the store number, {@code till_number}.
     */
    public record CredentialRequest(
            ProviderName provider,
            @JsonAlias("consumer_key")
            @Size(min = 1, max = 255, message = "Must be 1 to 255 characters.")
            @Pattern(regexp = "[^\\p{Cntrl}\\s]*", message = "Must not contain spaces or control characters.")
            String apiKey,
            @JsonAlias("consumer_secret")
            @Size(min = 10, max = 255, message = "Private key must be 10 to 255 characters long.")
            @Pattern(regexp = "[^\\p{Cntrl}\\s]*", message = "Must not contain spaces or control characters.")
            String privateKey,
            Environment environment,
            Boolean isActive,
            @Size(min = 10, max = 255, message = "The passkey must be 10 to 255 characters long.")
            @Pattern(regexp = "[^\\p{Cntrl}\\s]*", message = "Must not contain spaces or control characters.")
            String passkey,
            @Pattern(regexp = "\\d{5,7}", message = "A business short code is 5 to 7 digits.")
            String shortCode,
            DarajaAccountType accountType,
            @Pattern(regexp = "\\d{5,8}", message = "A till number is 5 to 8 digits.")
            String tillNumber) {

        /** The same request carrying only the fields common to every provider. */
        static CredentialRequest of(ProviderName provider, String apiKey, String privateKey, Environment environment,
                Boolean isActive) {
            return new CredentialRequest(provider, apiKey, privateKey, environment, isActive, null, null, null, null);
        }
    }

    public record PrivateKeyRequest(String privateKey) {
    }

    public record WebhookSecretRequest(
            @Size(min = 16, max = 200, message = "The challenge must be 16 to 200 characters.")
            @Pattern(regexp = "[^\\p{Cntrl}]*", message = "Must not contain control characters.")
            String challenge) {
    }

    /**
     * A credential as the owner sees it: never a secret. {@code usedByPortal}: the credential the captive portal's
     * payments go through. Daraja credentials add their short code, account type and till number (null otherwise).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CredentialView(long id, ProviderName provider, String providerDisplay, String apiKey,
            Environment environment, boolean isActive, boolean hasPrivateKey, String webhookUrl,
            boolean hasWebhookSecret, Instant webhookSecretSetAt, WebhookDeliveries webhookDeliveries,
            boolean usedByPortal, String shortCode, DarajaAccountType accountType, String tillNumber,
            Boolean hasPasskey, Instant createdAt, Instant updatedAt) {
    }

    /**
     * What IntaSend's deliveries to the webhook URL came to: accepted (named one of our payments), ignored (right
     * challenge, but nothing of ours: another integration, a dashboard test) and rejected (wrong challenge: the
     * challenge set here and in IntaSend's dashboard differ). Up to a second behind.
     */
    public record WebhookDeliveries(Instant lastAt, String lastOutcome, long accepted, long ignored, long rejected) {
    }

    public record WithMessage(String message, CredentialView credentials) {
    }

    public record Verification(long credentialsId, ProviderName provider, String providerDisplay, boolean isValid,
            String message) {
    }

    public record WebhookSecretSet(String message, String challenge, String webhookUrl) {
    }

    public record Deleted(String message) {
    }
}
