package org.hotspotbilling.testing;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Direct SQL for tests: counting rows to prove nothing was written, and states no API offers (a disabled account). */
@ApplicationScoped
public class Db {

    private final AgroalDataSource dataSource;

    public Db(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public long count(String table) {
        return queryLong("SELECT count(*) FROM " + table);
    }

    public long queryLong(String sql, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql, params);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public String queryString(String sql, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql, params);
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A timestamp in the first column of the first row, to the microsecond; null for none or NULL. */
    public java.time.Instant queryInstant(String sql, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql, params);
                ResultSet rs = ps.executeQuery()) {
            java.time.OffsetDateTime value = rs.next() ? rs.getObject(1, java.time.OffsetDateTime.class) : null;
            return value == null ? null : value.toInstant();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first column of every row. */
    public java.util.List<String> queryStrings(String sql, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql, params);
                ResultSet rs = ps.executeQuery()) {
            java.util.List<String> values = new java.util.ArrayList<>();
            while (rs.next()) {
                values.add(rs.getString(1));
            }
            return values;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public byte[] queryBytes(String sql, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql, params);
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getBytes(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The row as JSON text, to compare before and after a request that must change nothing. */
    public String rowJson(String table, long id) {
        return queryString("SELECT row_to_json(t)::text FROM " + table + " t WHERE id = ?", id);
    }

    public int update(String sql, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql, params)) {
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * An update whose triggers do not fire (session_replication_role = replica): a change no notification tells
     * the app about, as if it had been made while the app was not listening.
     */
    public int updateWithoutTriggers(String sql, Object... params) {
        try (Connection c = dataSource.getConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute("SET session_replication_role = replica");
            }
            try (PreparedStatement ps = prepare(c, sql, params)) {
                return ps.executeUpdate();
            } finally {
                try (Statement s = c.createStatement()) {
                    s.execute("RESET session_replication_role");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < params.length; i++) {
            ps.setObject(i + 1, params[i]);
        }
        return ps;
    }
}
