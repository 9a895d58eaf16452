package org.hotspotbilling.testing;

import io.quarkus.hibernate.orm.PersistenceUnitExtension;
import jakarta.enterprise.context.ApplicationScoped;
import org.hibernate.resource.jdbc.spi.StatementInspector;
import org.hotspotbilling.web.RequestIds;
import org.jboss.logging.MDC;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every SQL statement Hibernate prepares while a request is served, by the request's id (the {@code X-Request-Id}
 * a test sends: web/RequestIds puts it in the MDC): what a request costs the database, counted in a test. The
 * statements of work/DirectSql are seen too (they go through Hibernate's JDBC layer).
 */
@PersistenceUnitExtension
@ApplicationScoped
public class StatementLog implements StatementInspector {

    private static final Map<String, List<String>> BY_REQUEST = new ConcurrentHashMap<>();
    private static final Pattern FUNCTION = Pattern.compile("^SELECT .*?(\\w+)\\(");

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

    /**
     * The statements of a request by kind: "select ... from plan p1_0 where ..." counts as "select from plan",
     * "SELECT f(?, ?)" as "SELECT f", "insert into payment (...)" as "insert into payment", "update payment set ..."
     * as "update payment".
     */
    public static Map<String, Integer> kinds(String requestId) {
        Map<String, Integer> kinds = new TreeMap<>();
        for (String sql : of(requestId)) {
            String kind;
            Matcher function = FUNCTION.matcher(sql);
            if (function.find()) {
                kind = "SELECT " + function.group(1);
            } else if (sql.startsWith("select") && sql.contains(" from ")) {
                kind = "select from " + sql.substring(sql.indexOf(" from ") + 6).split(" ")[0];
            } else {
                String[] words = sql.split("[ (]");
                kind = words[0] + " " + words[1] + (words[0].equalsIgnoreCase("insert") ? " " + words[2] : "");
            }
            kinds.merge(kind, 1, Integer::sum);
        }
        return kinds;
    }
}
