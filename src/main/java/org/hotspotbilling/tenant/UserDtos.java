package org.hotspotbilling.tenant;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.time.Instant;

/** Request and response bodies of {@code /users/...}. JSON names are snake_case. */
public final class UserDtos {

    static final String REQUIRED = "This field is required.";

    private UserDtos() {
    }

    public record RegisterRequest(
            @NotBlank(message = REQUIRED)
            @Size(max = 150, message = "Ensure this field has no more than 150 characters.")
            @Pattern(regexp = "[\\p{L}\\p{N}_.@+-]+",
                    message = "Enter a valid username: letters, digits and @/./+/-/_ only.")
            String username,
            @NotBlank(message = REQUIRED)
            @Size(max = 254, message = "Ensure this field has no more than 254 characters.")
            @Email(regexp = "[^\\s\\x00]+@[^\\s\\x00]+\\.[^\\s\\x00]+", message = "Enter a valid email address.")
            String email,
            @NotBlank(message = REQUIRED)
            @Size(min = 8, message = "Password must be at least 8 characters.")
            @Size(max = 128, message = "Ensure this field has no more than 128 characters.")
            String password) {
    }

    public record LoginRequest(String username, String password) {
    }

    public record ApiKeyLoginRequest(String publicKey, String privateKey) {
    }

    /** Accepts simplejwt's {@code refresh} field and our {@code refresh_token}. */
    public record RefreshRequest(String refresh, String refreshToken) {
        String token() {
            return refreshToken != null && !refreshToken.isBlank() ? refreshToken : refresh;
        }
    }

    /** Fields left out (or null) keep their value. */
    public record ProfileUpdate(
            @Size(max = 254, message = "Ensure this field has no more than 254 characters.")
            @Email(regexp = "[^\\s\\x00]+@[^\\s\\x00]+\\.[^\\s\\x00]+", message = "Enter a valid email address.")
            String email,
            @Size(max = 2000, message = "Ensure this field has no more than 2000 characters.")
            @Pattern(regexp = "[^\\x00]*", message = "Must not contain NUL characters.")
            String bio,
            @Size(max = 200, message = "Ensure this field has no more than 200 characters.")
            @Pattern(regexp = "(https?://[^\\s\\x00]+)?", message = "Enter a valid http(s) URL.")
            String website) {
    }

    public record CustomKeysRequest(String publicKey, String privateKey) {
    }

    public record RegisterResponse(String message, long userId, String username,
            ApiKeyService.IssuedKeys apiKey, String note) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TokenResponse(String accessToken, String refreshToken, String tokenType, long expiresIn,
            long userId, String username, String message) {
    }

    public record Profile(long id, String username, String email, String bio, String website, boolean isActive,
            Instant createdAt, Instant updatedAt) {
        static Profile of(Owner owner) {
            return new Profile(owner.id, owner.username, owner.email, owner.bio, owner.website, owner.active,
                    owner.createdAt, owner.updatedAt);
        }
    }

    public record ProfileUpdated(String message, Profile profile) {
    }

    public record PublicKeyView(String publicKey, Instant createdAt) {
    }

    public record GeneratedKeys(String message, ApiKeyService.IssuedKeys apiKey) {
    }

    public record RotatedKeys(String message, String publicKey, String privateKey) {
    }

    public record CustomKeysSet(String message, String publicKey, String note) {
    }
}
