package org.hotspotbilling.testing;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionScoped;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.hotspotbilling.web.RequestIds;
import org.jboss.logging.MDC;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * How every JTA transaction begun while a request is served ended ("committed", "rolled back"), by the request's id
 * (an {@code X-Request-Id} starting with "stmt-", as for {@link StatementLog}): what a request costs in commits,
 * counted in a test.
 */
@ApplicationScoped
public class TransactionLog {

    private static final Map<String, List<String>> BY_REQUEST = new ConcurrentHashMap<>();

    private final TransactionSynchronizationRegistry registry;

    public TransactionLog(TransactionSynchronizationRegistry registry) {
        this.registry = registry;
    }

    void begun(@Observes @Initialized(TransactionScoped.class) Object transaction) {
        Object requestId = MDC.get(RequestIds.MDC_KEY);
        if (requestId instanceof String id && id.startsWith("stmt-")) {
            List<String> ends = BY_REQUEST.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>());
            registry.registerInterposedSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                }

                @Override
                public void afterCompletion(int status) {
                    ends.add(status == Status.STATUS_COMMITTED ? "committed" : "rolled back");
                }
            });
        }
    }

    /** How the transactions of the request sent with this X-Request-Id ended, in order. */
    public static List<String> of(String requestId) {
        return List.copyOf(BY_REQUEST.getOrDefault(requestId, List.of()));
    }
}
