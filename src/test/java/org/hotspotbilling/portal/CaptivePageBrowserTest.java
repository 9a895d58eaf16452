package org.hotspotbilling.portal;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.hotspotbilling.testing.Chromium;
import org.hotspotbilling.testing.Db;
import org.hotspotbilling.testing.FakeHotspotLogin;
import org.hotspotbilling.testing.PollingRouter;
import org.hotspotbilling.testing.Fixtures;
import org.hotspotbilling.testing.Shop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hotspotbilling.testing.Chromium.awaitState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The captive page in a real headless Chromium against the running app, with the simulator provider: a customer
 * picks a package, pays, and the page logs the device in at a fake hotspot login URL. Run with -Pbrowser.
 */
@QuarkusTest
@Tag("browser")
class CaptivePageBrowserTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String PHONE = "0712 345 678";

    @TestHTTPResource("/")
    URL app;

    @Inject
    Db db;

    private ChromeDriver browser;
    private FakeHotspotLogin hotspot;

    @BeforeEach
    void start() {
        hotspot = FakeHotspotLogin.start();
        browser = Chromium.start();
    }

    @AfterEach
    void stop() {
        browser.quit();
        hotspot.close();
    }

    private String pageFor(Shop shop, String mac) {
        return app + "portal/" + shop.routerId() + "/?key=" + shop.owner().publicKey() + "&mac=" + encode(mac)
                + "&ip=10.5.50.23&link-login-only=" + encode(hotspot.loginUrl())
                + "&link-orig=" + encode("http://example.com/news?a=1&b=2");
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private void buy(long planId, String phone) {
        browser.findElement(By.cssSelector("button[data-package-id='" + planId + "']")).click();
        browser.findElement(By.id("phone")).clear();
        browser.findElement(By.id("phone")).sendKeys(phone);
        browser.findElement(By.id("pay")).click();
    }

    private static List<String> payments(Shop shop) {
        return shop.owner().withJwt().get("/payments/?router=" + shop.routerId()).then().statusCode(200)
                .extract().jsonPath().getList("results.id");
    }

    private static String text(ChromeDriver browser, String id) {
        return browser.findElement(By.id(id)).getText();
    }

    @Test
    void aPaidPackageLogsTheDeviceInOnceTheRouterHasItsGrant() throws InterruptedException {
        Shop shop = Shop.simulated();
        long night = Fixtures.plan(shop.owner(), shop.routerId(), Map.of("name", "<img src=x> Night & \"more\"",
                "price", "50.00", "duration_hours", 12));
        String token = shop.owner().withJwt().post("/routers/" + shop.routerId() + "/rotate-token/").then()
                .statusCode(200).extract().path("poll_token");
        String mac = Shop.randomMac();

        browser.get(pageFor(shop, mac));
        awaitState(browser, "shop", PATIENCE);
        // Owner-written names are text, never markup.
        assertTrue(browser.findElement(By.cssSelector("button[data-package-id='" + night + "']")).getText()
                .contains("<img src=x> Night & \"more\""));
        assertTrue(browser.findElements(By.cssSelector("#packages img")).isEmpty());
        assertEquals(mac, text(browser, "device-mac"));

        buy(shop.planId(), PHONE);
        awaitState(browser, "waiting", PATIENCE);
        assertTrue(text(browser, "waiting-text").contains("KES 20.00 for 1 Hour"), text(browser, "waiting-text"));
        List<String> started = payments(shop);
        assertEquals(1, started.size());
        String payment = started.get(0);
        assertEquals(1, db.queryLong("SELECT count(*) FROM idempotency_key WHERE owner_id = ? AND endpoint = "
                + "'initiate' AND idem_key LIKE 'portal-%'", shop.owner().id()));
        shop.owner().withJwt().get("/payments/" + payment + "/").then()
                .body("mac_address", equalTo(mac))
                .body("ip_address", equalTo("10.5.50.23"))
                .body("phone_number", equalTo("254712345678"));

        shop.simulate(payment, 0).statusCode(200);
        // Paid, but in poll mode the router learns of it on its next poll and confirms it: the page waits for that.
        awaitState(browser, "activating", PATIENCE);
        assertNull(hotspot.nextLogin(Duration.ofMillis(500)));

        // The router fetched the list but has not applied it yet: still no login, which would fail at the hotspot.
        given().header("Authorization", "Bearer " + token)
                .get("/routers/" + shop.routerId() + "/authorized-macs/?format=text&confirms=yes").then().statusCode(200);
        assertNull(hotspot.nextLogin(Duration.ofSeconds(4)));
        assertEquals("activating", Chromium.currentState(browser));

        assertEquals(PollingRouter.Outcome.APPLIED, PollingRouter.ofApp(shop.routerId(), token).pollOnce());
        awaitState(browser, "connected", PATIENCE);
        Map<String, String> login = hotspot.nextLogin(PATIENCE);
        assertEquals(Map.of("username", mac, "password", mac, "dst", "http://example.com/news?a=1&b=2"), login);
        new WebDriverWait(browser, PATIENCE)
                .until(d -> d.getCurrentUrl().startsWith(hotspot.loginUrl()));

        // Back on the page with the same payment (the hotspot refused the login): no automatic second try.
        browser.get(pageFor(shop, mac));
        awaitState(browser, "connected", PATIENCE);
        new WebDriverWait(browser, PATIENCE)
                .until(d -> d.findElement(By.id("connect")).isDisplayed());
        assertNull(hotspot.nextLogin(Duration.ofSeconds(2)));
        browser.findElement(By.id("connect")).click();
        assertEquals(mac, hotspot.nextLogin(PATIENCE).get("username"));
        assertEquals(1, payments(shop).size());
    }

    @Test
    void aCancelledPromptOffersARetryAndAFailureShowsTheProvidersReason() {
        Shop shop = Shop.simulated();
        String mac = Shop.randomMac();
        browser.get(pageFor(shop, mac));
        awaitState(browser, "shop", PATIENCE);

        buy(shop.planId(), "12345");
        assertTrue(text(browser, "shop-error").contains("07XXXXXXXX"), text(browser, "shop-error"));
        assertEquals("shop", Chromium.currentState(browser));
        assertTrue(payments(shop).isEmpty());

        buy(shop.planId(), PHONE);
        awaitState(browser, "waiting", PATIENCE);
        shop.simulate(payments(shop).get(0), 1032).statusCode(200);
        awaitState(browser, "cancelled", PATIENCE);
        assertEquals("Request cancelled by user", text(browser, "cancelled-reason"));

        browser.findElement(By.id("retry-cancelled")).click();
        awaitState(browser, "shop", PATIENCE);
        browser.findElement(By.id("pay")).click();
        awaitState(browser, "waiting", PATIENCE);
        List<String> started = payments(shop);
        assertEquals(2, started.size(), "a retry is a new attempt with a new Idempotency-Key");
        shop.simulate(started.get(0), 1).statusCode(200);
        awaitState(browser, "failed", PATIENCE);
        assertEquals("The balance is insufficient for the transaction.", text(browser, "failed-reason"));
        assertTrue(browser.findElement(By.id("retry-failed")).isDisplayed());
        assertNull(hotspotLogin());
    }

    @Test
    void aTapAfterALostAnswerRepeatsTheAttemptWithTheSameIdempotencyKey() {
        Shop shop = Shop.simulated();
        browser.get(pageFor(shop, Shop.randomMac()));
        awaitState(browser, "shop", PATIENCE);
        // The first initiate is cut off as soon as it is sent, as a dropped WiFi answer would be.
        browser.executeScript("var header = XMLHttpRequest.prototype.setRequestHeader,"
                + " send = XMLHttpRequest.prototype.send; window.keys = [];"
                + "XMLHttpRequest.prototype.setRequestHeader = function (name, value) {"
                + "  if (name === 'Idempotency-Key') { window.keys.push(value); this.initiate = true; }"
                + "  return header.apply(this, arguments); };"
                + "XMLHttpRequest.prototype.send = function () { send.apply(this, arguments);"
                + "  if (this.initiate && window.keys.length === 1) { this.abort(); } };");
        buy(shop.planId(), PHONE);
        new WebDriverWait(browser, PATIENCE).until(d -> text(browser, "shop-error").startsWith("No answer"));

        browser.findElement(By.id("pay")).click();
        awaitState(browser, "waiting", PATIENCE);
        List<?> keys = (List<?>) browser.executeScript("return window.keys;");
        assertEquals(2, keys.size());
        assertEquals(keys.get(0), keys.get(1));
        assertEquals(1, payments(shop).size());
    }

    /** Moves the page's clock (what new Date() says) forward, as if the customer had waited that long. */
    private void waitInThePage(Duration duration) {
        browser.executeScript("var shift = arguments[0], real = Date.prototype.getTime;"
                + "Date.prototype.getTime = function () { return real.call(this) + shift; };", duration.toMillis());
    }

    @Test
    void noAnswerInTimeSaysCheckAgainNotFailedAndASlowRouterCanBeSkipped() throws InterruptedException {
        Shop shop = Shop.simulated();
        String mac = Shop.randomMac();
        browser.get(pageFor(shop, mac));
        awaitState(browser, "shop", PATIENCE);
        buy(shop.planId(), PHONE);
        awaitState(browser, "waiting", PATIENCE);

        waitInThePage(Duration.ofMinutes(4));
        awaitState(browser, "timeout", PATIENCE);
        assertTrue(text(browser, "timeout").contains("If you paid, you will be connected"), text(browser, "timeout"));
        shop.simulate(payments(shop).get(0), 0).statusCode(200);
        browser.findElement(By.id("check-again")).click();
        awaitState(browser, "activating", PATIENCE);
        assertFalse(browser.findElement(By.id("connect-now")).isDisplayed());

        // The router has not polled for a long while: the customer may try the login anyway.
        waitInThePage(Duration.ofMinutes(6));
        new WebDriverWait(browser, PATIENCE).until(d -> d.findElement(By.id("connect-now")).isDisplayed());
        browser.findElement(By.id("connect-now")).click();
        assertEquals(mac, hotspot.nextLogin(PATIENCE).get("password"));
    }

    @Test
    void aPageThatIsNotSetUpOrNotOpenedThroughAHotspotSaysWhatIsMissing() {
        Shop shop = Shop.simulated();
        browser.get(Path.of("mikrotik-scripts", "login.html").toUri().toString());
        awaitState(browser, "broken", PATIENCE);
        assertTrue(text(browser, "broken-reason").contains("fill in api, routerId and publicKey"));

        browser.get(app + "portal/" + shop.routerId() + "/?key=" + shop.owner().publicKey());
        awaitState(browser, "broken", PATIENCE);
        assertTrue(text(browser, "broken-reason").contains("Open this page through the WiFi hotspot"));
        assertEquals("unknown", text(browser, "device-mac"));
    }

    private Map<String, String> hotspotLogin() {
        try {
            return hotspot.nextLogin(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
