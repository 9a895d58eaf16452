package org.hotspotbilling.work;

import jakarta.persistence.EntityManager;
import org.hibernate.engine.jdbc.spi.JdbcCoordinator;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One SQL statement on the current session's connection, in its transaction, through Hibernate's JDBC layer (so its
 * statement inspector, logging and resource handling apply) but without a query object: for the statements of the
 * hot paths (a purchase's rate-limit call, every timeline event), where building a native query cost more CPU than
 * the statement itself. Pending entity changes are not flushed first: the statement must not read them.
 */
public final class DirectSql {

    /** Sets the parameters of the statement (the connection is there for arrays). */
    @FunctionalInterface
    public interface Binder {
        void bind(PreparedStatement statement, Connection connection) throws SQLException;
    }

    /** Reads the answer from the result set, positioned on its first row (or after the end when there is none). */
    @FunctionalInterface
    public interface Reader<T> {
        T read(ResultSet row, boolean present) throws SQLException;
    }

    private DirectSql() {
    }

    /** Runs {@code sql} (a query, e.g. {@code SELECT f(?, ?)}) and answers what {@code reader} makes of its first row. */
    public static <T> T query(EntityManager em, String sql, Binder binder, Reader<T> reader) {
        SharedSessionContractImplementor session = em.unwrap(SharedSessionContractImplementor.class);
        JdbcCoordinator jdbc = session.getJdbcCoordinator();
        PreparedStatement statement = jdbc.getStatementPreparer().prepareStatement(sql);
        try {
            binder.bind(statement, jdbc.getLogicalConnection().getPhysicalConnection());
            ResultSet rows = jdbc.getResultSetReturn().extract(statement, sql);
            return reader.read(rows, rows.next());
        } catch (SQLException e) {
            throw session.getJdbcServices().getSqlExceptionHelper().convert(e, "Statement failed", sql);
        } finally {
            jdbc.getLogicalConnection().getResourceRegistry().release(statement);
            jdbc.afterStatementExecution();
        }
    }
}
