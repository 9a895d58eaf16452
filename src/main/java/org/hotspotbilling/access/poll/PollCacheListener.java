package org.hotspotbilling.access.poll;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.Driver;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hears from PostgreSQL which routers' poll data changed (the triggers of V93 notify on commit) and tells
 * {@link PollCache} (lists through {@link PollListRefresher}). One dedicated connection per instance, outside the
 * pool (a LISTEN lives as long as its session). While it is down the cache is not used; each time it (re)connects
 * the cache is emptied, since notifications sent while nobody listened are lost. An idle connection is checked
 * every {@link #HEARTBEAT_MS} with a query that fails within {@link #SOCKET_TIMEOUT_S}, so a silently dead
 * connection is noticed within about 15 s: that bounds how long another instance's change can go unheard.
 */
@ApplicationScoped
public class PollCacheListener {

    static final String GRANTS_CHANNEL = "hotspot_grants_changed";
    static final String TOKENS_CHANNEL = "hotspot_poll_token_changed";
    /** How the connection shows in pg_stat_activity. */
    static final String APPLICATION_NAME = "hotspot-billing poll cache";

    private static final Logger LOG = Logger.getLogger(PollCacheListener.class);
    private static final int HEARTBEAT_MS = 5_000;
    private static final int SOCKET_TIMEOUT_S = 10;
    private static final long RECONNECT_MS = 1_000;

    private final PollCache cache;
    private final PollListRefresher lists;
    private final String url;
    private final Optional<String> username;
    private final Optional<String> password;
    private final AtomicInteger connects = new AtomicInteger();
    private volatile boolean running;
    private volatile Thread thread;
    private volatile Connection connection;

    public PollCacheListener(PollCache cache, PollListRefresher lists,
            @ConfigProperty(name = "quarkus.datasource.jdbc.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") Optional<String> username,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.cache = cache;
        this.lists = lists;
        this.url = url;
        this.username = username;
        this.password = password;
    }

    void start(@Observes StartupEvent event) {
        running = true;
        Thread t = new Thread(this::listen, "poll-cache-listener");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        cache.trust(false);
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
        closeQuietly(connection);
    }

    /** How many times the listener has connected since start. */
    public int connects() {
        return connects.get();
    }

    private void listen() {
        while (running) {
            try (Connection c = connect()) {
                connection = c;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + GRANTS_CHANNEL + "; LISTEN " + TOKENS_CHANNEL);
                }
                cache.clear();
                cache.trust(true);
                if (connects.incrementAndGet() > 1) {
                    LOG.info("Poll cache listener reconnected; the poll cache starts empty again");
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(HEARTBEAT_MS);
                    if (notifications == null || notifications.length == 0) {
                        try (Statement s = c.createStatement()) {
                            s.execute("SELECT 1");
                        }
                        continue;
                    }
                    for (PGNotification n : notifications) {
                        dispatch(n);
                    }
                }
            } catch (SQLException | RuntimeException e) {
                cache.trust(false);
                if (running) {
                    LOG.warnf("Poll cache listener lost its connection (%s); polls read the database until it is "
                            + "back", e.getMessage());
                    pause();
                }
            } finally {
                cache.trust(false);
                connection = null;
            }
        }
    }

    private void dispatch(PGNotification n) {
        long routerId;
        try {
            routerId = Long.parseLong(n.getParameter());
        } catch (NumberFormatException e) {
            LOG.warnf("Ignored a notification on %s with payload '%s'", n.getName(), n.getParameter());
            return;
        }
        if (GRANTS_CHANNEL.equals(n.getName())) {
            lists.grantsChanged(routerId);
        } else if (TOKENS_CHANNEL.equals(n.getName())) {
            cache.tokenChanged(routerId);
        }
    }

    private Connection connect() throws SQLException {
        Properties props = new Properties();
        username.ifPresent(u -> props.setProperty("user", u));
        password.ifPresent(p -> props.setProperty("password", p));
        props.setProperty("ApplicationName", APPLICATION_NAME);
        props.setProperty("socketTimeout", String.valueOf(SOCKET_TIMEOUT_S));
        props.setProperty("tcpKeepAlive", "true");
        Connection c = new Driver().connect(url, props);
        if (c == null) {
            throw new SQLException("Not a PostgreSQL JDBC URL: " + url);
        }
        return c;
    }

    private void pause() {
        try {
            Thread.sleep(RECONNECT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // closing anyway
            }
        }
    }
}
