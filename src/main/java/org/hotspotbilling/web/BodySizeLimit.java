package org.hotspotbilling.web;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses a declared body over {@code quarkus.http.limits.max-body-size} with the API's JSON error, one step
 * before the HTTP layer's own check (which answers 413 with an empty body). Chunked bodies without a length are
 * cut off while being read, and that failure is mapped to the same answer by {@link ErrorMappers}.
 */
@Singleton
public class BodySizeLimit {

    /** Runs just before Quarkus' own limit handler (route order -2). */
    private static final int ORDER = -3;

    void register(@Observes Router router,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        long limit = maxBodySize.asLongValue();
        String body = new JsonObject().put("error",
                "Request body too large: at most " + limit / 1024 + " KiB is accepted.").encode();
        router.route().order(ORDER).handler(ctx -> {
            String length = ctx.request().getHeader("Content-Length");
            if (length != null && declaredLength(length) > limit) {
                ctx.response().setStatusCode(413)
                        .putHeader("Content-Type", "application/json")
                        .putHeader("Connection", "close")
                        .end(body);
                return;
            }
            ctx.next();
        });
    }

    private static long declaredLength(String header) {
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
