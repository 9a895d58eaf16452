package org.hotspotbilling.access;

import io.quarkus.test.junit.QuarkusTest;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

@QuarkusTest
class AccessResourceTest {

    @Test
    void ownersListLiveGrantsAndRevokeThemEarly() {
        Shop shop = Shop.simulated();
        String mac = Shop.randomMac();
        shop.simulate(shop.paymentFor(mac), 0).statusCode(200);
        shop.simulate(shop.paymentFor(Shop.randomMac()), 0).statusCode(200);
        var owner = shop.owner();
        String base = "/routers/" + shop.routerId() + "/access/";
        owner.withJwt().get(base + "?page_size=1").then().statusCode(200)
                .body("count", equalTo(2)).body("results", hasSize(1)).body("results[0].rate_limit", equalTo("2M/5M"));
        int grantId = owner.withJwt().get(base).then().extract().path("results.find { it.mac_address == '" + mac + "' }.id");
        String token = owner.withJwt().post("/routers/" + shop.routerId() + "/rotate-token/").then().extract().path("poll_token");
        owner.withJwt().post(base + grantId + "/revoke/").then().statusCode(200).body("state", equalTo("revoked"));
        owner.withJwt().post(base + grantId + "/revoke/").then().statusCode(409);
        owner.withJwt().get(base).then().body("count", equalTo(1));
        given().get("/routers/" + shop.routerId() + "/authorized-macs/?token=" + token).then()
                .body("count", equalTo(1));
    }

    @Test
    void anotherOwnersRouterOrGrantIs404AndBadPagingIs400() {
        Shop shop = Shop.simulated();
        Shop other = Shop.simulated();
        shop.simulate(shop.paymentFor(Shop.randomMac()), 0).statusCode(200);
        int grantId = shop.owner().withJwt().get("/routers/" + shop.routerId() + "/access/").then()
                .extract().path("results[0].id");
        other.owner().withJwt().get("/routers/" + shop.routerId() + "/access/").then().statusCode(404);
        other.owner().withJwt().post("/routers/" + shop.routerId() + "/access/" + grantId + "/revoke/").then()
                .statusCode(404);
        other.owner().withJwt().post("/routers/" + other.routerId() + "/access/" + grantId + "/revoke/").then()
                .statusCode(404);
        shop.owner().withJwt().get("/routers/" + shop.routerId() + "/access/").then().body("count", equalTo(1));
        shop.owner().withJwt().get("/routers/" + shop.routerId() + "/access/?page_size=101").then().statusCode(400);
        shop.owner().asPortal().get("/routers/" + shop.routerId() + "/access/").then().statusCode(403);
    }
}
