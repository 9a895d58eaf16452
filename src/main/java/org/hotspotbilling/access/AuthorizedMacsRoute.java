package org.hotspotbilling.access;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.hotspotbilling.web.ApiException;
import org.hotspotbilling.web.ErrorBody;
import org.hotspotbilling.web.Invalid;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * The router's pull endpoint, {@code GET /routers/{id}/authorized-macs/} (works behind carrier NAT), authenticated
 * by the router's own poll token from the Authorization header or {@code ?token=} (RouterOS {@code /tool fetch}
 * cannot always set headers). Documented in {@code META-INF/openapi.yaml}.
 *
 * <p>Every router calls this every 15 s, so it is a plain HTTP route rather than a JAX-RS resource: most polls are
 * answered from memory on the event loop, and the JAX-RS layer (per-request writer lookup, security interceptor,
 * invoker) cost more than the answer itself. A poll that needs the database (a token or list not in memory, or a
 * list with grants to mark as delivered) moves to a worker thread. Errors keep the API's {@code {"error": ...}}
 * shape and statuses.
 */
@ApplicationScoped
public class AuthorizedMacsRoute {

    /** After CORS (-300) and the body limit (-3), before the JAX-RS handler and the unmatched-route 404. */
    private static final int ROUTE_ORDER = 0;
    private static final String PATH = "^/routers/(\\d{1,18})/authorized-macs/?$";
    private static final String TEXT = "text/plain;charset=UTF-8";
    private static final String JSON = "application/json";
    private static final Logger LOG = Logger.getLogger(AuthorizedMacsRoute.class);

    private final RouterPoll poll;
    private final LastPollRecorder recorder;
    private final ObjectMapper json;

    public AuthorizedMacsRoute(RouterPoll poll, LastPollRecorder recorder, ObjectMapper json) {
        this.poll = poll;
        this.recorder = recorder;
        this.json = json;
    }

    void register(@Observes Router router) {
        router.routeWithRegex(PATH).order(ROUTE_ORDER).handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        HttpServerRequest http = ctx.request();
        if (http.method() != HttpMethod.GET) {
            ctx.response().putHeader(HttpHeaders.ALLOW, "GET");
            error(ctx.response(), 405, "Method not allowed");
            return;
        }
        long routerId = Long.parseLong(ctx.pathParam("param0"));
        String authorization = http.getHeader(HttpHeaders.AUTHORIZATION);
        String queryToken = http.getParam("token");
        String token = queryToken != null ? queryToken
                : authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                        ? authorization.substring(7) : null;
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Request request = new Request(http.getParam("format"), http.getParam("version"), http.getParam("page"),
                http.getHeader(HttpHeaders.IF_NONE_MATCH));
        String tokenHash;
        try {
            tokenHash = RouterPoll.tokenHash(token);
            RouterPoll.LiveList known = poll.fromMemory(routerId, tokenHash, now);
            if (known != null && answer(ctx.response(), request, known, now, false)) {
                return;
            }
        } catch (RuntimeException e) {
            failed(ctx.response(), e);
            return;
        }
        Infrastructure.getDefaultWorkerPool().execute(() -> {
            try {
                answer(ctx.response(), request, poll.list(routerId, tokenHash, now), now, true);
            } catch (RuntimeException e) {
                failed(ctx.response(), e);
            }
        });
    }

    private record Request(String format, String knownVersion, String page, String ifNoneMatch) {
    }

    /**
     * Writes the answer to a poll; false (nothing written) when it must mark grants as delivered and
     * {@code mayBlock} is false.
     */
    private boolean answer(HttpServerResponse response, Request request, RouterPoll.LiveList list, Instant now,
            boolean mayBlock) {
        boolean text = "text".equals(request.format());
        if (request.format() != null && !text && !"json".equals(request.format())) {
            throw new Invalid("format must be json or text");
        }
        int pageNumber = page(request.page());
        String etag = "\"" + list.version() + "-p" + pageNumber + "\"";
        String ifNoneMatch = request.ifNoneMatch();
        if (ifNoneMatch != null && (ifNoneMatch.equals(etag) || ifNoneMatch.equals("*"))) {
            recorder.polled(list.routerId(), list.version(), now);
            response.setStatusCode(304).putHeader(HttpHeaders.ETAG, etag).end();
            return true;
        }
        if (list.version().equals(request.knownVersion())) {
            recorder.polled(list.routerId(), list.version(), now);
            if (text) {
                send(response, TEXT, "#OK unchanged version=" + list.version() + "\n#END\n");
            } else {
                send(response, JSON, toJson(Map.of("unchanged", true, "version", list.version())));
            }
            return true;
        }
        List<RouterPoll.LiveGrant> grants = list.page(pageNumber);
        if (grants.stream().anyMatch(RouterPoll.LiveGrant::pending)) {
            if (!mayBlock) {
                return false;
            }
            poll.delivered(list, grants);
        }
        recorder.polled(list.routerId(), list.version(), now);
        response.putHeader(HttpHeaders.ETAG, etag);
        if (text) {
            send(response, TEXT, asText(list, pageNumber, grants, now));
        } else {
            send(response, JSON, toJson(asJson(list, pageNumber, grants, now)));
        }
        return true;
    }

    static String asText(RouterPoll.LiveList list, int page, List<RouterPoll.LiveGrant> grants, Instant now) {
        StringBuilder body = new StringBuilder(64 + grants.size() * 36);
        body.append("#OK v1 router=").append(list.routerId()).append(" count=").append(list.grants().size())
                .append(" version=").append(list.version()).append(" page=").append(page).append('/')
                .append(list.pages()).append('\n');
        for (RouterPoll.LiveGrant g : grants) {
            body.append(g.macAddress()).append(',').append(g.secondsLeft(now)).append(',').append(g.rateLimit())
                    .append('\n');
        }
        return body.append("#END\n").toString();
    }

    /** JSON form of the list. */
    public record Listing(long routerId, String version, int count, int page, int pages, List<Entry> grants) {
    }

    public record Entry(String macAddress, String ipAddress, Instant expiresAt, long secondsLeft, String rateLimit) {
    }

    private static Listing asJson(RouterPoll.LiveList list, int page, List<RouterPoll.LiveGrant> grants,
            Instant now) {
        return new Listing(list.routerId(), list.version(), list.grants().size(), page, list.pages(), grants.stream()
                .map(g -> new Entry(g.macAddress(), g.ipAddress(), g.expiresAt(), g.secondsLeft(now), g.rateLimit()))
                .toList());
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Could not write a poll answer", e);
        }
    }

    private static int page(String raw) {
        if (raw == null) {
            return 1;
        }
        try {
            int page = Integer.parseInt(raw.trim());
            if (page >= 1) {
                return page;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new Invalid("page must be a whole number from 1");
    }

    private static void send(HttpServerResponse response, String contentType, String body) {
        response.setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, contentType).end(body);
    }

    /** The API's error answers, as the JAX-RS exception mappers give them. */
    private static void failed(HttpServerResponse response, RuntimeException e) {
        if (e instanceof ApiException api) {
            error(response, api.status(), api.getMessage());
        } else {
            LOG.error("Router poll failed", e);
            error(response, 500, "Internal server error");
        }
    }

    private static void error(HttpServerResponse response, int status, String message) {
        if (!response.ended()) {
            response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON)
                    .end(ErrorBody.json(message));
        }
    }
}
