package org.hotspotbilling.web;

import java.sql.SQLException;

/** Reads PostgreSQL's error codes out of the exception chains Hibernate and JDBC throw. */
public final class DatabaseErrors {

    private static final String UNIQUE_VIOLATION = "23505";
    private static final String FOREIGN_KEY_VIOLATION = "23503";

    private DatabaseErrors() {
    }

    /** True when a unique index refused the write: the loser of a race on a value that must be unique. */
    public static boolean isUniqueViolation(Throwable error) {
        return hasState(error, UNIQUE_VIOLATION);
    }

    /** True when a row is still referenced by another (e.g. a router that has payments). */
    public static boolean isForeignKeyViolation(Throwable error) {
        return hasState(error, FOREIGN_KEY_VIOLATION);
    }

    private static boolean hasState(Throwable error, String state) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && state.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
