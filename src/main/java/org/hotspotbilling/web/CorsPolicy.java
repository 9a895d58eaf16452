package org.hotspotbilling.web;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Two CORS policies, which Quarkus' single global one cannot express. Captive pages are served from each router's
 * own address, so the portal endpoints answer any origin, without credentials (the public key travels in a header,
 * never in a cookie). Owner endpoints answer only the dashboards listed in {@link CorsConfig#ownerOrigins()}, with
 * credentials; any other origin gets no allow headers, so the browser keeps the answer from the page.
 */
@ApplicationScoped
public class CorsPolicy {

    /**
     * Where Quarkus' own CORS filter would run: before authentication (-200), so a preflight needs no credentials,
     * and before anything that can end a response early (BodySizeLimit, -3), so even those answers carry the headers.
     */
    private static final int ROUTE_ORDER = -300;

    /**
     * The endpoints captive pages call, with or without the trailing slash. The payment id is any segment, so that
     * the answer to a malformed id reaches the page too.
     */
    private static final Pattern PORTAL_PATHS = Pattern.compile(
            "/routers/\\d+/packages/?|/payments/(intasend/)?(initiate|create-link|[0-9a-fA-F-]{36}/check-status)/?");

    private static final String PORTAL_METHODS = "GET, POST, OPTIONS";
    private static final String PORTAL_HEADERS = "Content-Type, X-Public-Key, Idempotency-Key, Authorization";
    private static final String OWNER_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
    private static final String OWNER_HEADERS =
            "Content-Type, Authorization, X-API-Key, X-Private-Key, Idempotency-Key";
    /**
     * A page can read only "safelisted" response headers unless told otherwise; it needs Retry-After on a 429, and
     * the request id to quote in a support request (web/RequestIds).
     */
    private static final String EXPOSED_HEADERS = "Retry-After, " + RequestIds.HEADER;
    private static final String REFUSAL =
            ErrorBody.json("Cross-origin requests from this origin are not allowed.");

    private final Set<String> ownerOrigins;
    private final String maxAge;

    public CorsPolicy(CorsConfig config) {
        this.ownerOrigins = config.ownerOrigins().orElse(List.of()).stream()
                .map(CorsPolicy::normalise)
                .collect(Collectors.toUnmodifiableSet());
        this.maxAge = String.valueOf(config.maxAge().toSeconds());
    }

    void register(@Observes Router router) {
        router.route().order(ROUTE_ORDER).handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        boolean portal = PORTAL_PATHS.matcher(ctx.normalizedPath()).matches();
        String origin = request.getHeader("Origin");
        boolean listedOwnerOrigin = !portal && origin != null && ownerOrigins.contains(normalise(origin));
        if (request.method() == HttpMethod.OPTIONS && origin != null
                && request.getHeader("Access-Control-Request-Method") != null) {
            answerPreflight(ctx, portal, listedOwnerOrigin, origin);
            return;
        }
        // Added when the headers are written, so that answers from every later layer carry them: a 401 from
        // authentication, a 413 from the body limit, a 404 or 500 from the error mappers.
        ctx.addHeadersEndHandler(ignored -> {
            MultiMap headers = ctx.response().headers();
            if (portal) {
                headers.set("Access-Control-Allow-Origin", "*");
                headers.set("Access-Control-Expose-Headers", EXPOSED_HEADERS);
            } else {
                addOwnerHeaders(headers, listedOwnerOrigin, origin);
            }
        });
        ctx.next();
    }

    private void answerPreflight(RoutingContext ctx, boolean portal, boolean listedOwnerOrigin, String origin) {
        MultiMap headers = ctx.response().headers();
        if (portal) {
            headers.set("Access-Control-Allow-Origin", "*");
            headers.set("Access-Control-Allow-Methods", PORTAL_METHODS);
            headers.set("Access-Control-Allow-Headers", PORTAL_HEADERS);
        } else if (listedOwnerOrigin) {
            addOwnerHeaders(headers, true, origin);
            headers.set("Access-Control-Allow-Methods", OWNER_METHODS);
            headers.set("Access-Control-Allow-Headers", OWNER_HEADERS);
        } else {
            addOwnerHeaders(headers, false, origin);
            ctx.response().setStatusCode(403).putHeader("Content-Type", "application/json").end(REFUSAL);
            return;
        }
        headers.set("Access-Control-Max-Age", maxAge);
        ctx.response().setStatusCode(204).end();
    }

    /** Allow headers for a listed dashboard only; Vary for everyone once any dashboard is listed. */
    private void addOwnerHeaders(MultiMap headers, boolean listed, String origin) {
        if (listed) {
            headers.set("Access-Control-Allow-Origin", origin);
            headers.set("Access-Control-Allow-Credentials", "true");
            headers.set("Access-Control-Expose-Headers", EXPOSED_HEADERS);
        }
        if (!ownerOrigins.isEmpty()) {
            // The answer depends on the Origin, so caches must not hand one origin's answer to another.
            varyOnOrigin(headers);
        }
    }

    private static void varyOnOrigin(MultiMap headers) {
        String vary = headers.get("Vary");
        if (vary == null || vary.isBlank()) {
            headers.set("Vary", "Origin");
        } else if (!vary.toLowerCase(Locale.ROOT).contains("origin")) {
            headers.set("Vary", vary + ", Origin");
        }
    }

    /** Browsers send scheme and host in lower case and no trailing slash; configured values may differ. */
    private static String normalise(String origin) {
        String trimmed = origin.trim().toLowerCase(Locale.ROOT);
        return trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
    }
}
