package org.hotspotbilling.web;

import java.sql.SQLException;

/** Reads PostgreSQL's error codes out of the exception chains Hibernate and JDBC throw. */
public final class DatabaseErrors {

    private static final String UNIQUE_VIOLATION = "23505";

    private DatabaseErrors() {
    }

    /** True when a unique index refused the write: the loser of a race on a value that must be unique. */
    public static boolean isUniqueViolation(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
