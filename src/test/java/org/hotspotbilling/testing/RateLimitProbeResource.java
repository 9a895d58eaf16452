package org.hotspotbilling.testing;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import org.hotspotbilling.web.RateLimiter;

import java.util.Map;

/**
 * Test-only endpoint (compiled with the tests, absent from the app) that takes one token per call: it shows how a
 * refusal reaches an HTTP client before the payment endpoints that will call the limiter exist.
 */
@Path("/test-probe/rate-limit/{limit}/{key}")
@PermitAll
public class RateLimitProbeResource {

    private final RateLimiter limiter;

    public RateLimitProbeResource(RateLimiter limiter) {
        this.limiter = limiter;
    }

    @POST
    public Map<String, Object> consume(@PathParam("limit") String limit, @PathParam("key") String key) {
        limiter.consume(limit, key);
        return Map.of("consumed", true);
    }
}
