package org.hotspotbilling.web;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.MDC;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Gives every request an id: the caller's {@code X-Request-Id} when it is a plain token (a proxy's id, so its log
 * and ours meet), otherwise a new random one. The id is sent back in the answer's {@code X-Request-Id} header, every
 * answer including errors, and is in the log's MDC as {@code request_id} for every line logged while the request
 * is handled (a JSON log line carries it in its {@code mdc} field; README, "Logs"). An owner who quotes the header
 * of a failed answer leads the operator to its log lines.
 */
@ApplicationScoped
public class RequestIds {

    public static final String HEADER = "X-Request-Id";
    public static final String MDC_KEY = "request_id";

    /** First of all, before CORS (-300), so that every answer, even a refused preflight, carries the id. */
    private static final int ROUTE_ORDER = -400;

    /** What a caller's id may be: short, and nothing that could forge a log line or a header. */
    private static final Pattern ACCEPTED = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    void register(@Observes Router router) {
        router.route().order(ROUTE_ORDER).handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        String given = ctx.request().getHeader(HEADER);
        String id = given != null && ACCEPTED.matcher(given).matches() ? given : newId();
        ctx.response().putHeader(HEADER, id);
        // Quarkus keeps the MDC on the request's own Vert.x context, so it follows the request onto worker threads
        // and ends with it.
        MDC.put(MDC_KEY, id);
        ctx.next();
    }

    /** 16 random hex digits: unique enough to find one request's lines among a day's. */
    static String newId() {
        long bits = ThreadLocalRandom.current().nextLong();
        char[] out = new char[16];
        for (int i = 15; i >= 0; i--) {
            out[i] = HEX[(int) (bits & 0xf)];
            bits >>>= 4;
        }
        return new String(out);
    }
}
