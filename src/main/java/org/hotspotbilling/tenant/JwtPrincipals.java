package org.hotspotbilling.tenant;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipal;
import io.smallrye.jwt.auth.principal.DefaultJWTTokenParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipal;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipalFactory;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import org.eclipse.microprofile.jwt.Claims;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtContext;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Builds the principal of every verified token, as smallrye-jwt's default factory does (same parser, same checks),
 * with two differences:
 * <ul>
 * <li>Reading a claim the MicroProfile JWT {@link Claims} enum does not name ({@code token_type}, read on every owner
 * request by {@link JwtOwnerCheck}) is a map lookup: the stock principal finds a claim's kind with
 * {@code Claims.valueOf}, which throws and catches an exception for each such name.</li>
 * <li>A token verified lately is not verified again: its principal is kept, by the token's exact text, for up to
 * {@link #KEEP_VERIFIED} and never past the token's {@code exp}. The signature check (RSA) and the claims' JSON were
 * most of what an owner's request cost. Only a token that passed every check is kept; any other text, even one
 * character away, is verified in full.</li>
 * </ul>
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class JwtPrincipals extends JWTCallerPrincipalFactory {

    private static final Map<String, Claims> KNOWN_CLAIMS = Arrays.stream(Claims.values())
            .collect(Collectors.toUnmodifiableMap(Claims::name, Function.identity()));

    /** How long a verified token's principal is kept at most. */
    static final Duration KEEP_VERIFIED = Duration.ofSeconds(60);

    private final DefaultJWTTokenParser parser;
    private final Cache<String, Verified> verified = Caffeine.newBuilder()
            .maximumSize(2_000).expireAfterWrite(KEEP_VERIFIED).build();

    public JwtPrincipals() {
        this(new DefaultJWTTokenParser());
    }

    JwtPrincipals(DefaultJWTTokenParser parser) {
        this.parser = parser;
    }

    /** A token's principal and the second its {@code exp} claim ends it. */
    private record Verified(JWTCallerPrincipal principal, long expiresAt) {
    }

    @Override
    public JWTCallerPrincipal parse(String token, JWTAuthContextInfo authContextInfo) throws ParseException {
        Verified kept = verified.getIfPresent(token);
        if (kept != null && Instant.now().getEpochSecond() < kept.expiresAt()) {
            return kept.principal();
        }
        JwtContext context = parser.parse(token, authContextInfo);
        JWTCallerPrincipal principal = of(context.getJoseObjects().get(0).getHeader("typ"), context.getJwtClaims());
        long expiresAt = principal.getExpirationTime();
        if (expiresAt > 0) {
            verified.put(token, new Verified(principal, expiresAt));
        }
        return principal;
    }

    /** The principal of verified claims; {@code type} is the token's {@code typ} header. */
    static JWTCallerPrincipal of(String type, JwtClaims claims) {
        return new DefaultJWTCallerPrincipal(type, claims) {
            @Override
            protected Claims getClaimType(String claimName) {
                return KNOWN_CLAIMS.getOrDefault(claimName, Claims.UNKNOWN);
            }
        };
    }
}
