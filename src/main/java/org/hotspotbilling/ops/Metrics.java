package org.hotspotbilling.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The process's metrics registry and its Prometheus endpoint, {@code GET /q/metrics} (text exposition format).
 * What is measured, and what each number means to an operator, is docs/metrics.md. Meters are created by the
 * parts that count (payments, polls, webhooks, rate limits) and by {@link OperationsGauges} for what only the
 * database knows; labels take only values from small fixed sets (provider, outcome, state), never ids or phone
 * numbers.
 *
 * <p>A plain route rather than a JAX-RS resource, like the router poll: scraping reads counters and gauges held in
 * memory, so it is answered on the event loop.
 */
@ApplicationScoped
public class Metrics {

    /** After CORS (-300) and the body limit (-3), before the JAX-RS handler and the unmatched-route 404. */
    private static final int ROUTE_ORDER = 0;
    private static final String PATH = "/q/metrics";
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final boolean enabled;
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public Metrics(@ConfigProperty(name = "hotspot.metrics.enabled", defaultValue = "true") boolean enabled) {
        this.enabled = enabled;
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        gc.bindTo(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    void register(@Observes Router router) {
        if (enabled) {
            router.route(HttpMethod.GET, PATH).order(ROUTE_ORDER).handler(this::scrape);
        }
    }

    private void scrape(RoutingContext ctx) {
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE).end(registry.scrape());
    }

    void stop(@Observes ShutdownEvent event) {
        gc.close();
    }
}
