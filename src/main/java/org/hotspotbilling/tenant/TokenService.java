package org.hotspotbilling.tenant;

import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.build.Jwt;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonString;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.hotspotbilling.web.Unauthenticated;

import java.util.Set;

/**
 * Issues RS256 access and refresh tokens. A refresh token carries no role, so it opens no endpoint; the
 * {@code token_type} claim tells the two apart where a token is read.
 */
@ApplicationScoped
public class TokenService {

    public static final String TOKEN_TYPE = "token_type";
    public static final String ACCESS = "access";
    public static final String REFRESH = "refresh";

    private final TenantConfig.Jwt config;
    private final JWTParser parser;
    private final OwnerService owners;

    public TokenService(TenantConfig config, JWTParser parser, OwnerService owners) {
        this.config = config.jwt();
        this.parser = parser;
        this.owners = owners;
    }

    public UserDtos.TokenResponse issue(Owner owner, String message) {
        String access = Jwt.issuer(config.issuer())
                .audience(config.audience())
                .subject(String.valueOf(owner.id))
                .preferredUserName(owner.username)
                .groups(Set.of(Roles.OWNER))
                .claim(TOKEN_TYPE, ACCESS)
                .expiresIn(config.accessTokenLifespan())
                .sign();
        String refresh = Jwt.issuer(config.issuer())
                .audience(config.audience())
                .subject(String.valueOf(owner.id))
                .claim(TOKEN_TYPE, REFRESH)
                .expiresIn(config.refreshTokenLifespan())
                .sign();
        return new UserDtos.TokenResponse(access, refresh, "Bearer", config.accessTokenLifespan().toSeconds(),
                owner.id, owner.username, message);
    }

    /** The {@code token_type} claim as text (JWT libraries hand custom claims over as JSON values). */
    static String tokenType(JsonWebToken token) {
        Object claim = token.getClaim(TOKEN_TYPE);
        return claim instanceof JsonString text ? text.getString() : claim == null ? null : claim.toString();
    }

    /** New tokens for a valid refresh token of an owner who is still active. */
    public UserDtos.TokenResponse refresh(String refreshToken) {
        JsonWebToken token;
        try {
            token = parser.parse(refreshToken);
        } catch (ParseException e) {
            throw new Unauthenticated("Token is invalid or expired");
        }
        if (!REFRESH.equals(tokenType(token))) {
            throw new Unauthenticated("Token is not a refresh token");
        }
        long ownerId;
        try {
            ownerId = Long.parseLong(token.getSubject());
        } catch (NumberFormatException e) {
            throw new Unauthenticated("Token is invalid or expired");
        }
        return issue(owners.activeOwner(ownerId), null);
    }
}
