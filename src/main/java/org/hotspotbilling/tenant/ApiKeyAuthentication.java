package org.hotspotbilling.tenant;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.BaseAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * The two API-key ways in: the captive portal's {@code X-Public-Key} (role {@link Roles#PORTAL}) and the owner's
 * server-side {@code X-API-Key} + {@code X-Private-Key} pair (role {@link Roles#OWNER}).
 */
public final class ApiKeyAuthentication {

    public static final String PUBLIC_KEY_HEADER = "X-Public-Key";
    public static final String API_KEY_HEADER = "X-API-Key";
    public static final String PRIVATE_KEY_HEADER = "X-Private-Key";

    static final String BAD_PUBLIC_KEY_FORMAT = "Invalid public API key format. The public key should be a "
            + "32-character hexadecimal string. Please check your API key and try again.";
    static final String UNKNOWN_PUBLIC_KEY = "Invalid public API key. The provided key does not exist in our "
            + "system. Please check your API key and ensure it matches the one generated for your account.";
    static final String BOTH_KEYS_REQUIRED = "Both X-API-Key and X-Private-Key headers are required.";
    static final String INVALID_KEY_PAIR = "Invalid API keys";

    private static final Pattern HEX_32 = Pattern.compile("[0-9a-fA-F]{32}");

    private ApiKeyAuthentication() {
    }

    /** A portal's public key, already checked for format and lower-cased. */
    public static final class PublicKeyRequest extends BaseAuthenticationRequest {
        final String publicKey;

        PublicKeyRequest(String publicKey) {
            this.publicKey = publicKey;
        }
    }

    /** An owner server's key pair, as sent. */
    public static final class KeyPairRequest extends BaseAuthenticationRequest {
        final String publicKey;
        final String privateKey;

        KeyPairRequest(String publicKey, String privateKey) {
            this.publicKey = publicKey;
            this.privateKey = privateKey;
        }
    }

    @ApplicationScoped
    public static class PublicKeyMechanism implements HttpAuthenticationMechanism {

        @Override
        public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
            String key = context.request().getHeader(PUBLIC_KEY_HEADER);
            if (key == null) {
                return Uni.createFrom().nullItem();
            }
            String trimmed = key.trim();
            if (!HEX_32.matcher(trimmed).matches()) {
                return Uni.createFrom().failure(new AuthenticationFailedException(BAD_PUBLIC_KEY_FORMAT));
            }
            return identities.authenticate(HttpSecurityUtils.setRoutingContextAttribute(
                    new PublicKeyRequest(ApiKeyService.normalise(trimmed)), context));
        }

        @Override
        public Uni<ChallengeData> getChallenge(RoutingContext context) {
            return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "PublicKey realm=\"portal\""));
        }

        @Override
        public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
            return Set.of(PublicKeyRequest.class);
        }

        @Override
        public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
            return Uni.createFrom().item(
                    new HttpCredentialTransport(HttpCredentialTransport.Type.OTHER_HEADER, PUBLIC_KEY_HEADER));
        }
    }

    @ApplicationScoped
    public static class KeyPairMechanism implements HttpAuthenticationMechanism {

        @Override
        public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
            String publicKey = context.request().getHeader(API_KEY_HEADER);
            String privateKey = context.request().getHeader(PRIVATE_KEY_HEADER);
            if (publicKey == null && privateKey == null) {
                return Uni.createFrom().nullItem();
            }
            if (publicKey == null || privateKey == null) {
                return Uni.createFrom().failure(new AuthenticationFailedException(BOTH_KEYS_REQUIRED));
            }
            return identities.authenticate(HttpSecurityUtils.setRoutingContextAttribute(
                    new KeyPairRequest(publicKey, privateKey), context));
        }

        @Override
        public Uni<ChallengeData> getChallenge(RoutingContext context) {
            return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "ApiKey realm=\"owner\""));
        }

        @Override
        public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
            return Set.of(KeyPairRequest.class);
        }

        @Override
        public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
            return Uni.createFrom().item(
                    new HttpCredentialTransport(HttpCredentialTransport.Type.OTHER_HEADER, API_KEY_HEADER));
        }
    }

    @ApplicationScoped
    public static class PublicKeyIdentities implements IdentityProvider<PublicKeyRequest> {

        private final ApiKeyService keys;

        public PublicKeyIdentities(ApiKeyService keys) {
            this.keys = keys;
        }

        @Override
        public Class<PublicKeyRequest> getRequestType() {
            return PublicKeyRequest.class;
        }

        @Override
        public Uni<SecurityIdentity> authenticate(PublicKeyRequest request, AuthenticationRequestContext context) {
            ApiKeyService.KeyOwner known = keys.recentOwnerOfPublicKey(request.publicKey);
            if (known != null) {
                return Uni.createFrom().item(() -> identity(known.ownerId(), known.active(), Roles.PORTAL));
            }
            return context.runBlocking(() -> {
                ApiKeyService.KeyOwner owner = keys.ownerOfPublicKey(request.publicKey)
                        .orElseThrow(() -> new AuthenticationFailedException(UNKNOWN_PUBLIC_KEY));
                return identity(owner.ownerId(), owner.active(), Roles.PORTAL);
            });
        }
    }

    @ApplicationScoped
    public static class KeyPairIdentities implements IdentityProvider<KeyPairRequest> {

        private final ApiKeyService keys;

        public KeyPairIdentities(ApiKeyService keys) {
            this.keys = keys;
        }

        @Override
        public Class<KeyPairRequest> getRequestType() {
            return KeyPairRequest.class;
        }

        @Override
        public Uni<SecurityIdentity> authenticate(KeyPairRequest request, AuthenticationRequestContext context) {
            return context.runBlocking(() -> {
                Owner owner = keys.ownerOfPair(request.publicKey, request.privateKey)
                        .orElseThrow(() -> new AuthenticationFailedException(INVALID_KEY_PAIR));
                return identity(owner.id, owner.active, Roles.OWNER);
            });
        }
    }

    private static SecurityIdentity identity(long ownerId, boolean active, String role) {
        if (!active) {
            throw new AuthenticationFailedException(OwnerService.DISABLED);
        }
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(String.valueOf(ownerId)))
                .addRole(role)
                .addAttribute(Roles.OWNER_ID_ATTRIBUTE, ownerId)
                .build();
    }
}
