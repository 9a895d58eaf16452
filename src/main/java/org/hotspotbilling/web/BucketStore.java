package org.hotspotbilling.web;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.BucketExceptions;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.CustomColumnProvider;
import io.github.bucket4j.distributed.proxy.ClientSideConfig;
import io.github.bucket4j.distributed.proxy.generic.select_for_update.AbstractSelectForUpdateBasedProxyManager;
import io.github.bucket4j.distributed.proxy.generic.select_for_update.LockAndGetResult;
import io.github.bucket4j.distributed.proxy.generic.select_for_update.SelectForUpdateBasedTransaction;
import io.github.bucket4j.distributed.remote.CommandResult;
import io.github.bucket4j.distributed.remote.RemoteBucketState;
import io.github.bucket4j.distributed.remote.Request;
import io.github.bucket4j.distributed.remote.commands.CreateInitialStateAndExecuteCommand;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Function;

/**
 * Bucket4j's select-for-update store for {@code rate_limit_bucket}, changed from the stock PostgreSQL one so that a
 * check of a new key (a phone number seen for the first time: most purchases) costs what a check of a known one
 * does, one transaction of three round trips (lock or create the row, update, commit). The stock store commits an
 * empty row in a transaction of its own, then finds it has no state and answers "not found", and Bucket4j sends the
 * check again with the configuration: three transactions and seven round trips. Here the row is locked, or created
 * and so locked, by one statement, and every check carries its bucket's configuration so the first one creates the
 * state. Bucket4j still does the arithmetic and owns the stored state.
 */
final class BucketStore extends AbstractSelectForUpdateBasedProxyManager<String> {

    /**
     * Inserts the row unless it exists (then it is ours, locked until commit) or locks the existing one. No row comes
     * back only when another transaction created the row after this statement's snapshot; Bucket4j then inserts
     * nothing and starts a new transaction, which finds it.
     */
    private static final String LOCK_OR_CREATE = """
            WITH created AS (
                INSERT INTO rate_limit_bucket (id, state) VALUES (?, NULL) ON CONFLICT (id) DO NOTHING RETURNING state),
            locked AS (SELECT state FROM rate_limit_bucket WHERE id = ? FOR UPDATE)
            SELECT state FROM created UNION ALL SELECT state FROM locked""";
    private static final String UPDATE = "UPDATE rate_limit_bucket SET state = ?, expires_at = ? WHERE id = ?";

    private final DataSource dataSource;
    private final CustomColumnProvider<String> expiresAt;
    private final Function<String, BucketConfiguration> configurations;

    /** {@code configurations}: the configuration of the bucket with this id. */
    BucketStore(DataSource dataSource, ExpirationAfterWriteStrategy expiration,
            Function<String, BucketConfiguration> configurations) {
        super(ClientSideConfig.getDefault().withExpirationAfterWriteStrategy(expiration));
        this.dataSource = dataSource;
        this.expiresAt = CustomColumnProvider.createExpiresInColumnProvider("expires_at", expiration);
        this.configurations = configurations;
    }

    @Override
    public <T> CommandResult<T> execute(String key, Request<T> request) {
        if (!request.getCommand().isInitializationCommand()) {
            request = new Request<>(new CreateInitialStateAndExecuteCommand<>(configurations.apply(key),
                    request.getCommand()), request.getBackwardCompatibilityVersion(), request.getClientSideTime(),
                    request.getExpirationStrategy());
        }
        return super.execute(key, request);
    }

    @Override
    public boolean isExpireAfterWriteSupported() {
        return true;
    }

    @Override
    public void removeProxy(String key) {
        throw new UnsupportedOperationException("Buckets are removed by RateLimiter.removeRefilledBuckets");
    }

    @Override
    protected SelectForUpdateBasedTransaction allocateTransaction(String key, Optional<Long> timeoutNanos) {
        Connection connection;
        try {
            connection = dataSource.getConnection();
        } catch (SQLException e) {
            throw new BucketExceptions.BucketExecutionException(e);
        }
        return new SelectForUpdateBasedTransaction() {
            @Override
            public void begin(Optional<Long> timeout) {
                run(() -> connection.setAutoCommit(false));
            }

            @Override
            public LockAndGetResult tryLockAndGet(Optional<Long> timeout) {
                try (PreparedStatement lock = connection.prepareStatement(LOCK_OR_CREATE)) {
                    lock.setString(1, key);
                    lock.setString(2, key);
                    try (ResultSet row = lock.executeQuery()) {
                        return row.next() ? LockAndGetResult.locked(row.getBytes(1)) : LockAndGetResult.notLocked();
                    }
                } catch (SQLException e) {
                    throw new BucketExceptions.BucketExecutionException(e);
                }
            }

            @Override
            public boolean tryInsertEmptyData(Optional<Long> timeout) {
                return false; // the row exists (see LOCK_OR_CREATE): the next transaction locks it
            }

            @Override
            public void update(byte[] data, RemoteBucketState newState, Optional<Long> timeout) {
                try (PreparedStatement update = connection.prepareStatement(UPDATE)) {
                    update.setBytes(1, data);
                    expiresAt.setCustomField(key, 2, update, newState, currentTimeNanos());
                    update.setString(3, key);
                    update.executeUpdate();
                } catch (SQLException e) {
                    throw new BucketExceptions.BucketExecutionException(e);
                }
            }

            @Override
            public void commit(Optional<Long> timeout) {
                run(connection::commit);
            }

            @Override
            public void rollback() {
                run(connection::rollback);
            }

            @Override
            public void release() {
                run(connection::close);
            }
        };
    }

    private interface Sql {
        void run() throws SQLException;
    }

    private static void run(Sql statement) {
        try {
            statement.run();
        } catch (SQLException e) {
            throw new BucketExceptions.BucketExecutionException(e);
        }
    }
}
