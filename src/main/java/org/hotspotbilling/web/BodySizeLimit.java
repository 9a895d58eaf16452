package org.hotspotbilling.web;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Enforces {@link HttpConfig#maxBodySize()} with the API's JSON error. A declared length over the limit is refused
 * before the body is read; a chunked body is counted while it is read and refused as soon as it passes the limit.
 */
@ApplicationScoped
public class BodySizeLimit {

    /** Runs before Quarkus' own transport limit handler (route order -2), which answers with an empty body. */
    private static final int ROUTE_ORDER = -3;

    private final long limit;
    private final String message;

    public BodySizeLimit(HttpConfig config) {
        this.limit = config.maxBodySize().asLongValue();
        this.message = "Request body too large: at most " + limit / 1024 + " KiB is accepted.";
    }

    void refuseDeclaredOversize(@Observes Router router) {
        String body = ErrorBody.json(message);
        router.route().order(ROUTE_ORDER).handler(ctx -> {
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

    /** Wraps a request body so that reading past the limit fails with {@link BodyTooLarge}. */
    InputStream limit(InputStream body) {
        return new CountingStream(body);
    }

    /**
     * Applies the limit to every body a resource reads. Providers are built before runtime configuration is
     * available, so this holds the (lazily created) {@link BodySizeLimit} rather than the limit itself.
     */
    @Provider
    public static class Interceptor implements ReaderInterceptor {

        private final BodySizeLimit limit;

        public Interceptor(BodySizeLimit limit) {
            this.limit = limit;
        }

        @Override
        public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
            context.setInputStream(limit.limit(context.getInputStream()));
            return context.proceed();
        }
    }

    /** Thrown while reading a body past the limit; an IOException so JSON parsers pass it through unwrapped. */
    public static final class BodyTooLarge extends IOException {
        BodyTooLarge(String message) {
            super(message);
        }
    }

    private final class CountingStream extends FilterInputStream {
        private long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                add(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                add(n);
            }
            return n;
        }

        private void add(long n) throws BodyTooLarge {
            count += n;
            if (count > limit) {
                throw new BodyTooLarge(message);
            }
        }
    }

    private static long declaredLength(String header) {
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
