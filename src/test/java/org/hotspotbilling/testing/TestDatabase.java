package org.hotspotbilling.testing;

import io.quarkus.test.common.QuarkusTestResource;

/**
 * Declares {@link PostgresTestResource} for every {@code @QuarkusTest} (not restricted to this class), so all test
 * classes share one application and one database.
 */
@QuarkusTestResource(PostgresTestResource.class)
public final class TestDatabase {

    private TestDatabase() {
    }
}
