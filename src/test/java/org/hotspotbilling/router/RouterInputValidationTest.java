package org.hotspotbilling.router;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Fixtures;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Owners.TestOwner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Bad router input: a 400 naming the field, and nothing written (create) or changed (PUT, PATCH). */
@QuarkusTest
class RouterInputValidationTest {

    @Inject
    Db db;

    private static final String OK = "\"name\":\"r\",\"host\":\"10.0.0.1\",\"username\":\"api\"";

    static Stream<Arguments> badRouters() {
        return Stream.of(
                Arguments.of("missing name", "{\"host\":\"10.0.0.1\",\"username\":\"api\"}", "name"),
                Arguments.of("missing host", "{\"name\":\"r\",\"username\":\"api\"}", "host"),
                Arguments.of("missing username", "{\"name\":\"r\",\"host\":\"10.0.0.1\"}", "username"),
                Arguments.of("blank name", "{\"name\":\"  \",\"host\":\"10.0.0.1\",\"username\":\"api\"}", "name"),
                Arguments.of("name of 101 chars", "{\"name\":\"" + "n".repeat(101) + "\",\"host\":\"10.0.0.1\","
                        + "\"username\":\"api\"}", "name"),
                Arguments.of("name with a control char", "{\"name\":\"a\\u0007b\",\"host\":\"10.0.0.1\","
                        + "\"username\":\"api\"}", "name"),
                Arguments.of("host not a host", "{\"name\":\"r\",\"host\":\"not a host\",\"username\":\"api\"}", "host"),
                Arguments.of("host IPv4 out of range", "{\"name\":\"r\",\"host\":\"10.0.0.256\",\"username\":\"api\"}",
                        "host"),
                Arguments.of("host with scheme", "{\"name\":\"r\",\"host\":\"http://10.0.0.1\",\"username\":\"api\"}",
                        "host"),
                Arguments.of("host cloud metadata", "{\"name\":\"r\",\"host\":\"169.254.169.254\",\"username\":\"a\"}",
                        "host"),
                Arguments.of("host link-local", "{\"name\":\"r\",\"host\":\"fe80::1\",\"username\":\"a\"}", "host"),
                Arguments.of("host unspecified", "{\"name\":\"r\",\"host\":\"0.0.0.0\",\"username\":\"a\"}", "host"),
                Arguments.of("host multicast", "{\"name\":\"r\",\"host\":\"224.0.0.1\",\"username\":\"a\"}", "host"),
                Arguments.of("host of 254 chars", "{\"name\":\"r\",\"host\":\"" + "a".repeat(254) + "\","
                        + "\"username\":\"a\"}", "host"),
                Arguments.of("port 0", "{" + OK + ",\"port\":0}", "port"),
                Arguments.of("port 65536", "{" + OK + ",\"port\":65536}", "port"),
                Arguments.of("port a fraction", "{" + OK + ",\"port\":80.5}", "port"),
                Arguments.of("port a word", "{" + OK + ",\"port\":\"http\"}", "port"),
                Arguments.of("username with a space", "{\"name\":\"r\",\"host\":\"10.0.0.1\",\"username\":\"a b\"}",
                        "username"),
                Arguments.of("username of 101 chars", "{\"name\":\"r\",\"host\":\"10.0.0.1\",\"username\":\""
                        + "u".repeat(101) + "\"}", "username"),
                Arguments.of("password of 257 chars", "{" + OK + ",\"password\":\"" + "p".repeat(257) + "\"}",
                        "password"),
                Arguments.of("use_https not a boolean", "{" + OK + ",\"use_https\":\"yes\"}", "use_https"),
                Arguments.of("unknown enforcement_mode", "{" + OK + ",\"enforcement_mode\":\"radius\"}",
                        "enforcement_mode"),
                Arguments.of("enforcement_mode not a string", "{" + OK + ",\"enforcement_mode\":1}",
                        "enforcement_mode"),
                Arguments.of("unknown delivery", "{" + OK + ",\"delivery\":\"pull\"}", "delivery"),
                Arguments.of("tls_fingerprint not hex", "{" + OK + ",\"use_https\":true,\"tls_fingerprint\":\""
                        + "g".repeat(64) + "\"}", "tls_fingerprint"),
                Arguments.of("tls_fingerprint too short", "{" + OK + ",\"use_https\":true,\"tls_fingerprint\":\""
                        + "a".repeat(62) + "\"}", "tls_fingerprint"),
                Arguments.of("tls_fingerprint without use_https", "{" + OK + ",\"tls_fingerprint\":\""
                        + "a".repeat(64) + "\"}", "tls_fingerprint"),
                Arguments.of("delivery in capitals", "{" + OK + ",\"delivery\":\"PUSH\"}", "delivery"),
                Arguments.of("name a number", "{\"name\":5,\"host\":\"10.0.0.1\",\"username\":\"api\"}", "name"));
    }

    @ParameterizedTest(name = "create refuses {0}")
    @MethodSource("badRouters")
    void createRefusesBadInputAndWritesNothing(String name, String body, String field) {
        TestOwner owner = Owners.register();
        long routers = db.count("router");
        owner.withJwt().body(body).post("/routers/")
                .then().statusCode(400).body("error", notNullValue()).body("fields." + field, notNullValue());
        assertEquals(routers, db.count("router"), name);
    }

    @ParameterizedTest(name = "PUT refuses {0}")
    @MethodSource("badRouters")
    void replaceRefusesBadInputAndChangesNothing(String name, String body, String field) {
        TestOwner owner = Owners.register();
        long id = Fixtures.router(owner);
        String before = db.rowJson("router", id);
        owner.withJwt().body(body).put("/routers/" + id + "/")
                .then().statusCode(400).body("fields." + field, notNullValue());
        assertEquals(before, db.rowJson("router", id), name);
    }

    @Test
    void patchRefusesBadFieldsAndChangesNothing() {
        TestOwner owner = Owners.register();
        long id = Fixtures.router(owner);
        String before = db.rowJson("router", id);
        for (String body : new String[] { "{\"host\":\"169.254.169.254\"}", "{\"port\":70000}", "{\"name\":\"\"}",
                "{\"username\":\"\"}", "{\"host\":\"bad host\"}", "[]", "{\"port\":", "" }) {
            owner.withJwt().body(body).patch("/routers/" + id + "/").then().statusCode(400)
                    .body("error", notNullValue());
        }
        assertEquals(before, db.rowJson("router", id));
    }
}
