package org.hotspotbilling.tenant;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.hotspotbilling.web.Unauthenticated;

/**
 * A signed token alone is not enough: only access tokens open endpoints (never refresh tokens), and the owner
 * must still exist and be active, so disabling an account takes effect on its very next request.
 */
@ApplicationScoped
public class JwtOwnerCheck implements SecurityIdentityAugmentor {

    private final OwnerService owners;

    public JwtOwnerCheck(OwnerService owners) {
        this.owners = owners;
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
        return context.runBlocking(() -> {
            try {
                owners.activeOwner(ownerId);
            } catch (Unauthenticated e) {
                throw new AuthenticationFailedException(e.getMessage());
            }
            return QuarkusSecurityIdentity.builder(identity)
                    .addAttribute(Roles.OWNER_ID_ATTRIBUTE, ownerId)
                    .build();
        });
    }
}
