package org.hotspotbilling.testing;

import io.quarkus.hibernate.orm.PersistenceUnitExtension;
import jakarta.enterprise.context.ApplicationScoped;
import org.hibernate.resource.jdbc.spi.StatementInspector;
import org.hotspotbilling.web.RequestIds;
import org.jboss.logging.MDC;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every SQL statement Hibernate prepares while a request is served, by the request's id (the {@code X-Request-Id}
 * a test sends: web/RequestIds puts it in the MDC): what a request costs the database, counted in a test. Raw JDBC
 * (the rate limiter's buckets) is not seen.
 */
@PersistenceUnitExtension
@ApplicationScoped
public class StatementLog implements StatementInspector {

    private static final Map<String, List<String>> BY_REQUEST = new ConcurrentHashMap<>();

    @Override
    public String inspect(String sql) {
        Object requestId = MDC.get(RequestIds.MDC_KEY);
        if (requestId instanceof String id && id.startsWith("stmt-")) {
            BY_REQUEST.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(sql);
        }
        return sql;
    }

    /** The statements of the request sent with this X-Request-Id, which must start with "stmt-". */
    public static List<String> of(String requestId) {
        return List.copyOf(BY_REQUEST.getOrDefault(requestId, List.of()));
    }
}
