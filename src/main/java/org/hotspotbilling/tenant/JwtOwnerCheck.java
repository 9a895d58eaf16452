package org.hotspotbilling.tenant;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.hotspotbilling.web.ShortLivedCache;

/**
 * A signed token alone is not enough: only access tokens open endpoints (never refresh tokens), and the owner
 * must still exist and be active.
 *
 * <p>Whether an owner is active is kept for {@link TenantConfig#publicKeyCacheTtl()}, as the portal's public keys
 * are ({@link ApiKeyService}): an owner's requests reach the database for this check once per that time, not once
 * each. Owners are disabled in the database (there is no API for it), so a disabled owner's tokens stop working
 * within that time on every instance; a disabled owner is remembered as disabled, an unknown one not at all.
 */
@ApplicationScoped
public class JwtOwnerCheck implements SecurityIdentityAugmentor {

    private final OwnerService owners;
    private final ShortLivedCache<Long, Boolean> activeOwners;

    public JwtOwnerCheck(OwnerService owners, TenantConfig config) {
        this.owners = owners;
        this.activeOwners = new ShortLivedCache<>(config.publicKeyCacheTtl(), 100_000);
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken token)) {
            return Uni.createFrom().item(identity);
        }
        if (!TokenService.ACCESS.equals(TokenService.tokenType(token))) {
            return Uni.createFrom().failure(
                    new AuthenticationFailedException("Only access tokens can authenticate requests"));
        }
        long ownerId;
        try {
            ownerId = Long.parseLong(token.getSubject());
        } catch (NumberFormatException e) {
            return Uni.createFrom().failure(new AuthenticationFailedException("Token is invalid or expired"));
        }
        Boolean known = activeOwners.get(ownerId);
        if (known != null) {
            // No database access: answered on the event loop.
            return Uni.createFrom().item(() -> withOwner(identity, ownerId, known));
        }
        return context.runBlocking(() -> {
            long generation = activeOwners.generation();
            boolean active = owners.activeState(ownerId)
                    .orElseThrow(() -> new AuthenticationFailedException("User not found"));
            activeOwners.remember(ownerId, active, generation);
            return withOwner(identity, ownerId, active);
        });
    }

    private static SecurityIdentity withOwner(SecurityIdentity identity, long ownerId, boolean active) {
        if (!active) {
            throw new AuthenticationFailedException(OwnerService.DISABLED);
        }
        return QuarkusSecurityIdentity.builder(identity).addAttribute(Roles.OWNER_ID_ATTRIBUTE, ownerId).build();
    }
}
