package org.hotspotbilling.router;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.Fixtures;
import org.hotspotbilling.testing.Owners;
import org.hotspotbilling.testing.Owners.TestOwner;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

@QuarkusTest
class RouterCrudTest {

    @Inject
    Db db;

    @Test
    void createReadUpdateDeleteWithAWriteOnlyPassword() {
        TestOwner owner = Owners.register();
        JsonPath created = owner.withJwt()
                .body(Map.of("name", "Kisumu CBD", "host", "10.8.0.2", "username", "billing", "password", "s3cret!"))
                .post("/routers/")
                .then().statusCode(201)
                .body("name", equalTo("Kisumu CBD"))
                .body("port", equalTo(80))
                .body("use_https", equalTo(false))
                .body("verify_tls", equalTo(true))
                .body("enforcement_mode", equalTo("hotspot-user"))
                .body("delivery", equalTo("poll"))
                .body("is_online", equalTo(false))
                .body("has_password", equalTo(true))
                .body("$", not(hasKey("password")))
                .body("$", not(hasKey("password_ciphertext")))
                .extract().jsonPath();
        long id = created.getLong("id");

        owner.withJwt().get("/routers/" + id + "/").then().statusCode(200).body("host", equalTo("10.8.0.2"));
        owner.withJwt().get("/routers/").then().statusCode(200).body("id", hasItem((int) id));

        owner.withJwt().body(Map.of("name", "Kisumu CBD", "host", "hs1.isp.example", "port", 8443, "username", "api",
                        "use_https", true))
                .put("/routers/" + id + "/")
                .then().statusCode(200)
                .body("host", equalTo("hs1.isp.example"))
                .body("port", equalTo(8443))
                .body("use_https", equalTo(true))
                .body("has_password", equalTo(true));
        owner.withJwt().body(Map.of("port", 80)).patch("/routers/" + id)
                .then().statusCode(200).body("port", equalTo(80)).body("host", equalTo("hs1.isp.example"));
        owner.withJwt().body(Map.of("delivery", "both", "enforcement_mode", "ip-binding")).patch("/routers/" + id)
                .then().statusCode(200).body("delivery", equalTo("both"))
                .body("enforcement_mode", equalTo("ip-binding")).body("port", equalTo(80));

        owner.withJwt().delete("/routers/" + id + "/").then().statusCode(200)
                .body("message", equalTo("Router \"Kisumu CBD\" has been successfully deleted"));
        owner.withJwt().get("/routers/" + id + "/").then().statusCode(404)
                .body("error", equalTo("Router not found or access denied"));
    }

    @Test
    void passwordIsStoredOnlyAsCiphertext() {
        TestOwner owner = Owners.register();
        long id = Fixtures.router(owner, Map.of("host", "10.0.0.1", "username", "api", "password", "plain-text-pass"));
        byte[] stored = db.queryBytes("SELECT password_ciphertext FROM router WHERE id = ?", id);
        assertNotNull(stored);
        assertFalse(new String(stored, StandardCharsets.ISO_8859_1).contains("plain-text-pass"));
    }

    @Test
    void aPasswordCiphertextCopiedToAnotherRouterIsUnreadableThere() {
        TestOwner owner = Owners.register();
        long source = Fixtures.router(owner, Map.of("host", "10.0.0.1", "username", "api", "password", "pw-of-source"));
        long target = Fixtures.router(owner, Map.of("host", "10.0.0.2", "username", "api", "password", "pw-of-target"));
        db.update("UPDATE router SET password_ciphertext = (SELECT password_ciphertext FROM router WHERE id = ?) "
                + "WHERE id = ?", source, target);
        owner.withJwt().post("/routers/" + target + "/test-connection/")
                .then().statusCode(500)
                .body("error", org.hamcrest.Matchers.startsWith("A stored credential cannot be decrypted"))
                .body("error", not(org.hamcrest.Matchers.containsString("pw-of-source")));
        // re-entering the password repairs it
        owner.withJwt().body(Map.of("password", "pw-new")).patch("/routers/" + target + "/").then().statusCode(200);
        owner.withJwt().post("/routers/" + target + "/test-connection/").then().statusCode(200);
    }

    @Test
    void listShowsOnlyTheCallersRoutersByName() {
        TestOwner owner = Owners.register();
        TestOwner other = Owners.register();
        Fixtures.router(owner, Map.of("name", "b-site", "host", "10.0.0.2", "username", "u"));
        Fixtures.router(owner, Map.of("name", "a-site", "host", "10.0.0.3", "username", "u"));
        Fixtures.router(other, Map.of("name", "theirs", "host", "10.0.0.4", "username", "u"));
        owner.withJwt().get("/routers/").then().statusCode(200)
                .body("$", hasSize(2))
                .body("name", equalTo(java.util.List.of("a-site", "b-site")));
    }

    @Test
    void ipv6AndDnsHostsAreAccepted() {
        TestOwner owner = Owners.register();
        owner.withJwt().body(Map.of("name", "v6", "host", "2001:db8::1", "username", "u")).post("/routers/")
                .then().statusCode(201).body("host", equalTo("2001:db8::1"));
        owner.withJwt().body(Map.of("name", "dns", "host", "router-1.vpn.isp.example", "username", "u"))
                .post("/routers/").then().statusCode(201);
    }

    @Test
    void changingTheAddressForgetsTheOldStatus() {
        TestOwner owner = Owners.register();
        long id = Fixtures.router(owner);
        db.update("UPDATE router SET is_online = true, last_checked = now() WHERE id = ?", id);
        owner.withJwt().body(Map.of("host", "10.9.9.9")).patch("/routers/" + id + "/")
                .then().statusCode(200).body("is_online", equalTo(false)).body("last_checked", nullValue());
        assertEquals(0, db.queryLong("SELECT count(*) FROM router WHERE id = ? AND is_online", id));
    }
}
