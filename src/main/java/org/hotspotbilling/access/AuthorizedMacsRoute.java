package org.hotspotbilling.access;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.hotspotbilling.web.ApiException;
import org.hotspotbilling.web.ErrorBody;
import org.hotspotbilling.web.Invalid;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The router's pull endpoint, {@code GET /routers/{id}/authorized-macs/} (works behind carrier NAT), and the report
 * its script sends after applying a list, {@code POST /routers/{id}/authorized-macs/applied/}; both authenticated by
 * the router's own poll token in {@code Authorization: Bearer}, or (discouraged: it ends up in proxy and access
 * logs; kept for scripts installed before the header) {@code ?token=}. The protocol is docs/poll-protocol.md;
 * OpenAPI in {@code META-INF/openapi.yaml}.
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
    private static final String APPLIED_PATH = "^/routers/(\\d{1,18})/authorized-macs/applied/?$";
    /** List versions are RouterPoll#version's count-latest-digest (older scripts may hold count-latest). */
    private static final Pattern VERSION = Pattern.compile("[0-9a-f-]{1,40}");
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
        // BodyHandler reads the body (the transport limit stays web/BodySizeLimit's); the handler checks its size.
        router.routeWithRegex(APPLIED_PATH).order(ROUTE_ORDER).handler(BodyHandler.create(false))
                .handler(this::handleReport);
    }

    /** The poll token: the Authorization header, or the discouraged {@code ?token=} of older scripts. */
    private static String token(HttpServerRequest http) {
        String authorization = http.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7);
        }
        return http.getParam("token");
    }

    private void handle(RoutingContext ctx) {
        HttpServerRequest http = ctx.request();
        if (http.method() != HttpMethod.GET) {
            ctx.response().putHeader(HttpHeaders.ALLOW, "GET");
            error(ctx.response(), 405, "Method not allowed");
            return;
        }
        long routerId = Long.parseLong(ctx.pathParam("param0"));
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        String tokenHash;
        Request request;
        try {
            request = new Request(http.getParam("format"), knownVersion(http.getParam("version")),
                    http.getParam("page"), http.getHeader(HttpHeaders.IF_NONE_MATCH), confirms(http.getParam("confirms")));
            tokenHash = RouterPoll.tokenHash(token(http));
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

    /** {@code confirms}: the router's script confirms what it applies, so this fetch does not count as delivery. */
    private record Request(String format, String knownVersion, String page, String ifNoneMatch, boolean confirms) {
    }

    private static String knownVersion(String raw) {
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        if (!VERSION.matcher(raw).matches()) {
            throw new Invalid("version must be a list version as this endpoint answered it");
        }
        return raw;
    }

    private static boolean confirms(String raw) {
        if (raw == null || "no".equals(raw)) {
            return false;
        }
        if ("yes".equals(raw)) {
            return true;
        }
        throw new Invalid("confirms must be yes or no");
    }

    /**
     * Writes the answer to a poll; false (nothing written) when it must write to the database first (mark grants as
     * delivered, or record what a confirming router is served) and {@code mayBlock} is false.
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
            recorder.polled(list.routerId(), list.version(), now, request.confirms(), null);
            response.setStatusCode(304).putHeader(HttpHeaders.ETAG, etag).end();
            return true;
        }
        // A confirming script keeps a version only once it applied it without failure: holding it confirms it.
        String applied = request.confirms() ? request.knownVersion() : null;
        if (list.version().equals(request.knownVersion())) {
            if (request.confirms() && list.hasPending()) {
                if (!mayBlock) {
                    return false;
                }
                poll.heldByConfirmingRouter(list);
            }
            recorder.polled(list.routerId(), list.version(), now, request.confirms(), applied);
            int count = list.grants().size();
            if (text) {
                send(response, TEXT, "#OK unchanged version=" + list.version() + " count=" + count + "\n#END\n");
            } else {
                send(response, JSON, toJson(Map.of("unchanged", true, "version", list.version(), "count", count)));
            }
            return true;
        }
        List<RouterPoll.LiveGrant> grants = list.page(pageNumber);
        if (request.confirms()) {
            if (list.hasPending() && !list.servedRecorded()) {
                if (!mayBlock) {
                    return false;
                }
                poll.recordServed(list, now);
            }
        } else if (grants.stream().anyMatch(RouterPoll.LiveGrant::pending)) {
            if (!mayBlock) {
                return false;
            }
            poll.fetchedByLegacyScript(list, grants);
        }
        recorder.polled(list.routerId(), list.version(), now, request.confirms(), applied);
        response.putHeader(HttpHeaders.ETAG, etag);
        if (text) {
            send(response, TEXT, asText(list, pageNumber, grants, now));
        } else {
            send(response, JSON, toJson(asJson(list, pageNumber, grants, now)));
        }
        return true;
    }

    /** Largest report body read: a report is a few lines (64 failed MACs at most). */
    private static final int MAX_REPORT_BYTES = 8 * 1024;

    private void handleReport(RoutingContext ctx) {
        HttpServerRequest http = ctx.request();
        if (http.method() != HttpMethod.POST) {
            ctx.response().putHeader(HttpHeaders.ALLOW, "POST");
            error(ctx.response(), 405, "Method not allowed");
            return;
        }
        long routerId = Long.parseLong(ctx.pathParam("param0"));
        String token = token(http);
        Buffer body = ctx.body().buffer();
        Infrastructure.getDefaultWorkerPool().execute(() -> {
            try {
                String tokenHash = RouterPoll.tokenHash(token);
                if (body != null && body.length() > MAX_REPORT_BYTES) {
                    throw new Invalid("A report is at most " + MAX_REPORT_BYTES + " bytes");
                }
                RouterPoll.Report report = PollReports.parse(body == null ? ""
                        : body.toString(StandardCharsets.UTF_8), json);
                RouterPoll.Confirmation done = poll.confirm(routerId, tokenHash, report,
                        Instant.now().truncatedTo(ChronoUnit.MICROS));
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("version", done.version());
                answer.put("current_version", done.currentVersion());
                answer.put("current", done.current());
                answer.put("confirmed", done.confirmed());
                send(ctx.response(), JSON, toJson(answer));
            } catch (RuntimeException e) {
                failed(ctx.response(), e);
            }
        });
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
