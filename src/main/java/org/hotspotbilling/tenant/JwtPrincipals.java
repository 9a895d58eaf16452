package org.hotspotbilling.tenant;

import jakarta.annotation.Priority;
import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipal;
import io.smallrye.jwt.auth.principal.DefaultJWTTokenParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipal;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipalFactory;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import org.eclipse.microprofile.jwt.Claims;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtContext;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Builds the principal of every verified token, as smallrye-jwt's default factory does (same parser, same checks),
 * except that reading a claim the MicroProfile JWT {@link Claims} enum does not name ({@code token_type}, read on
 * every owner request by {@link JwtOwnerCheck}) is a map lookup: the stock principal finds a claim's kind with
 * {@code Claims.valueOf}, which throws and catches an exception for each such name.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class JwtPrincipals extends JWTCallerPrincipalFactory {

    private static final Map<String, Claims> KNOWN_CLAIMS = Arrays.stream(Claims.values())
            .collect(Collectors.toUnmodifiableMap(Claims::name, Function.identity()));

    private final DefaultJWTTokenParser parser = new DefaultJWTTokenParser();

    @Override
    public JWTCallerPrincipal parse(String token, JWTAuthContextInfo authContextInfo) throws ParseException {
        JwtContext verified = parser.parse(token, authContextInfo);
        return of(verified.getJoseObjects().get(0).getHeader("typ"), verified.getJwtClaims());
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
