package org.hotspotbilling.provider;

import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.time.Instant;

/** Bodies of {@code /payments/credentials/...}. The private key and the webhook secret are write-only. */
public final class CredentialDtos {

    private CredentialDtos() {
    }

    public record CredentialRequest(
            ProviderName provider,
            @Size(min = 1, max = 255, message = "Must be 1 to 255 characters.")
            @Pattern(regexp = "[^\\p{Cntrl}\\s]*", message = "Must not contain spaces or control characters.")
            String apiKey,
            @Size(min = 10, max = 255, message = "Private key must be 10 to 255 characters long.")
            @Pattern(regexp = "[^\\p{Cntrl}\\s]*", message = "Must not contain spaces or control characters.")
            String privateKey,
            Environment environment,
            Boolean isActive) {
    }

    public record PrivateKeyRequest(String privateKey) {
    }

    public record WebhookSecretRequest(
            @Size(min = 16, max = 200, message = "The challenge must be 16 to 200 characters.")
            @Pattern(regexp = "[^\\p{Cntrl}]*", message = "Must not contain control characters.")
            String challenge) {
    }

    public record CredentialView(long id, ProviderName provider, String providerDisplay, String apiKey,
            Environment environment, boolean isActive, boolean hasPrivateKey, String webhookUrl,
            boolean hasWebhookSecret, Instant webhookSecretSetAt, WebhookDeliveries webhookDeliveries,
            Instant createdAt, Instant updatedAt) {
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
