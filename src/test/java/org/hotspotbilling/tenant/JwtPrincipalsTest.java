package org.hotspotbilling.tenant;

import io.smallrye.jwt.auth.principal.DefaultJWTTokenParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipal;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.build.Jwt;
import org.jose4j.jwt.consumer.JwtContext;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A verified token is kept by its exact text until its expiry; anything else is verified in full. */
class JwtPrincipalsTest {

    private final AtomicInteger verifications = new AtomicInteger();
    private final JwtPrincipals principals = new JwtPrincipals(new DefaultJWTTokenParser() {
        @Override
        public JwtContext parse(String token, JWTAuthContextInfo info) throws ParseException {
            verifications.incrementAndGet();
            return super.parse(token, info);
        }
    });
    private final KeyPair keys;
    private final JWTAuthContextInfo context;

    JwtPrincipalsTest() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        keys = generator.generateKeyPair();
        context = new JWTAuthContextInfo((RSAPublicKey) keys.getPublic(), "hotspot-billing");
        context.setExpectedAudience(Set.of("hotspot-billing-api"));
        context.setClockSkew(0);
    }

    private String token(Instant expiresAt) {
        return Jwt.issuer("hotspot-billing").audience("hotspot-billing-api").subject("42")
                .groups(Set.of(Roles.OWNER)).claim(TokenService.TOKEN_TYPE, TokenService.ACCESS)
                .issuedAt(Instant.now().minusSeconds(1)).expiresAt(expiresAt).sign(keys.getPrivate());
    }

    @Test
    void aVerifiedTokenIsNotVerifiedAgain() throws Exception {
        String token = token(Instant.now().plusSeconds(3600));
        JWTCallerPrincipal first = principals.parse(token, context);
        JWTCallerPrincipal again = principals.parse(token, context);
        assertSame(first, again);
        assertEquals(1, verifications.get());
        assertEquals("42", again.getSubject());
        assertEquals(TokenService.ACCESS, TokenService.tokenType(again));
    }

    @Test
    void anyOtherTextIsVerifiedInFull() throws Exception {
        String token = token(Instant.now().plusSeconds(3600));
        principals.parse(token, context);
        String tampered = token.substring(0, token.length() - 2) + (token.endsWith("A") ? "BB" : "AA");
        assertThrows(ParseException.class, () -> principals.parse(tampered, context));
        assertEquals(2, verifications.get());
    }

    @Test
    void aKeptTokenStopsAtItsExpiry() throws Exception {
        Instant expiresAt = Instant.now().plusSeconds(2);
        String token = token(expiresAt);
        principals.parse(token, context);
        while (Instant.now().getEpochSecond() < expiresAt.getEpochSecond() + 1) {
            Thread.sleep(100);
        }
        assertThrows(ParseException.class, () -> principals.parse(token, context));
        assertEquals(2, verifications.get());
    }
}
