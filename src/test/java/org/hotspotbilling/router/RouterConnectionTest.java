package org.hotspotbilling.router;

import io.quarkus.test.junit.QuarkusTest;
import org.hotspotbilling.testing.FakeRouterOs;
import org.hotspotbilling.testing.Fixtures;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Owners.TestOwner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The backend talking to a RouterOS REST API: online/offline detection and how each failure is answered. */
@QuarkusTest
class RouterConnectionTest {

    FakeRouterOs fake;
    TestOwner owner;
    long routerId;

    @BeforeEach
    void setUp() {
        fake = new FakeRouterOs();
        owner = Owners.register();
        routerId = Fixtures.router(owner, fake);
    }

    @AfterEach
    void tearDown() {
        fake.close();
    }

    @Test
    void testConnectionMarksAnAnsweringRouterOnline() {
        owner.withJwt().post("/routers/" + routerId + "/test-connection/")
                .then().statusCode(200)
                .body("router_id", equalTo((int) routerId))
                .body("is_online", equalTo(true))
                .body("detail", nullValue());
        owner.withJwt().get("/routers/" + routerId + "/").then()
                .body("is_online", equalTo(true)).body("last_checked", notNullValue()).body("last_error", nullValue());
        assertTrue(fake.requests().contains("GET /rest/system/resource"), fake.requests().toString());
    }

    @Test
    void testConnectionMarksARouterThatStoppedAnsweringOffline() {
        owner.withJwt().post("/routers/" + routerId + "/test-connection/").then().body("is_online", equalTo(true));
        fake.close();
        owner.withJwt().post("/routers/" + routerId + "/test-connection/")
                .then().statusCode(200)
                .body("is_online", equalTo(false))
                .body("detail", containsString("connection refused"));
        owner.withJwt().get("/routers/" + routerId + "/").then()
                .body("is_online", equalTo(false)).body("last_error", containsString("connection refused"));
    }

    @Test
    void wrongCredentialsAreReportedAsSuch() {
        fake.credentials("billing", "rotated-on-the-router");
        owner.withJwt().post("/routers/" + routerId + "/test-connection/")
                .then().statusCode(200).body("is_online", equalTo(false)).body("detail", containsString("401"));
        owner.withJwt().get("/routers/" + routerId + "/device-info/")
                .then().statusCode(502).body("error", containsString("refused the credentials"));
    }

    @Test
    void deviceInfoReadsIdentityVersionBoardUptimeCpuAndMemory() {
        owner.withJwt().get("/routers/" + routerId + "/device-info/")
                .then().statusCode(200)
                .body("router_id", equalTo((int) routerId))
                .body("device_info.identity", equalTo("HS-Kisumu-01"))
                .body("device_info.version", equalTo("7.16.2 (stable)"))
                .body("device_info.board_name", equalTo("hAP ax^2"))
                .body("device_info.uptime", equalTo("3d4h12m9s"))
                .body("device_info.cpu_load", equalTo(7))
                .body("device_info.cpu_count", equalTo(4))
                .body("device_info.free_memory", equalTo(812302336))
                .body("device_info.total_memory", equalTo(1073741824));
    }

    @Test
    void deviceInfoAcceptsSingletonsWrappedInAnArray() {
        fake.singletonsAsArrays(true);
        owner.withJwt().get("/routers/" + routerId + "/device-info/")
                .then().statusCode(200).body("device_info.identity", equalTo("HS-Kisumu-01"));
    }

    @Test
    void unreachableRouterIsA502WithAnError() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        owner.withJwt().body(Map.of("port", closedPort)).patch("/routers/" + routerId + "/").then().statusCode(200);
        owner.withJwt().get("/routers/" + routerId + "/device-info/")
                .then().statusCode(502).body("error", startsWith("Router unreachable"));
        owner.withJwt().body(Map.of("command", "/ip/hotspot/active")).post("/routers/" + routerId + "/execute-command/")
                .then().statusCode(502).body("error", startsWith("Router unreachable"));
    }

    @Test
    void hungRouterIsA504WithAnError() {
        fake.delay(Duration.ofMillis(2500));
        owner.withJwt().get("/routers/" + routerId + "/device-info/")
                .then().statusCode(504).body("error", containsString("did not answer within"));
        owner.withJwt().post("/routers/" + routerId + "/test-connection/")
                .then().statusCode(200).body("is_online", equalTo(false));
    }

    @Test
    void routerErrorBodyIsRelayedAsA502() {
        fake.failWith(500);
        owner.withJwt().get("/routers/" + routerId + "/device-info/")
                .then().statusCode(502).body("error", containsString("Router answered 500"));
    }

    @Test
    void executeCommandReadsAnAllowListedMenuWithFilters() {
        fake.add("/ip/hotspot/active", Map.of("user", "AA:BB:CC:DD:EE:01", "address", "10.5.50.2"));
        fake.add("/ip/hotspot/active", Map.of("user", "AA:BB:CC:DD:EE:02", "address", "10.5.50.3"));
        owner.withJwt().body(Map.of("command", "/ip/hotspot/active"))
                .post("/routers/" + routerId + "/execute-command/")
                .then().statusCode(200)
                .body("command", equalTo("/ip/hotspot/active"))
                .body("method", equalTo("GET"))
                .body("result", hasSize(2));
        owner.withJwt().body(Map.of("command", "ip/hotspot/active/", "method", "get",
                        "params", Map.of("user", "AA:BB:CC:DD:EE:02")))
                .post("/routers/" + routerId + "/execute-command/")
                .then().statusCode(200).body("result", hasSize(1)).body("result[0].address", equalTo("10.5.50.3"));
    }

    @ParameterizedTest(name = "execute-command refuses {0}")
    @ValueSource(strings = { "/system/reboot", "/user", "/system/script/run", "/ip/../user", "/file", "/export",
            "/ip/hotspot/user/remove", "/ip/hotspot/active;/system/reboot", "" })
    void executeCommandRefusesAnythingOutsideTheAllowList(String command) {
        owner.withJwt().body(Map.of("command", command)).post("/routers/" + routerId + "/execute-command/")
                .then().statusCode(400).body("error", notNullValue());
        assertTrue(fake.requests().isEmpty(), "nothing may reach the router: " + fake.requests());
    }

    @ParameterizedTest(name = "execute-command refuses method {0}")
    @ValueSource(strings = { "POST", "PUT", "PATCH", "DELETE" })
    void executeCommandRefusesWritingMethods(String method) {
        owner.withJwt().body(Map.of("command", "/ip/hotspot/active", "method", method))
                .post("/routers/" + routerId + "/execute-command/")
                .then().statusCode(400).body("error", containsString("Only GET"));
        assertTrue(fake.requests().isEmpty(), fake.requests().toString());
    }
}
