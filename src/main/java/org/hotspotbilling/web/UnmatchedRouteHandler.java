package org.hotspotbilling.web;

import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * Paths no resource serves get the same JSON error as everything else, instead of the HTTP layer's plain-text
 * page: API clients and captive pages parse every answer as JSON.
 */
@Singleton
public class UnmatchedRouteHandler {

    void register(@Observes Router router) {
        router.route().order(Integer.MAX_VALUE).handler(ctx -> {
            if (ctx.response().ended()) {
                return;
            }
            ctx.response().setStatusCode(404)
                    .putHeader("Content-Type", "application/json")
                    .end(ErrorBody.json("Not found."));
        });
    }
}
