package org.hotspotbilling.testing;

import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A headless Chromium driven through Debian's chromedriver (packages {@code chromium} and {@code chromium-driver}),
 * for the tests tagged "browser". Works as root and in containers.
 */
public final class Chromium {

    static final String BROWSER = "/usr/bin/chromium";
    static final String DRIVER = "/usr/bin/chromedriver";

    private Chromium() {
    }

    public static ChromeDriver start() {
        assertTrue(new File(BROWSER).canExecute() && new File(DRIVER).canExecute(), "The browser tests need "
                + BROWSER + " and " + DRIVER + ": apt-get install chromium chromium-driver");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--disable-extensions", "--disable-background-networking",
                "--window-size=412,915");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER)).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    /** Waits until the captive page (its {@code #app} element) is in this state. */
    public static void awaitState(WebDriver driver, String state, Duration patience) {
        new WebDriverWait(driver, patience, Duration.ofMillis(50)).withMessage(() -> "captive page state "
                + state + "; it is " + currentState(driver)).until(d -> state.equals(currentState(d)));
    }

    public static String currentState(WebDriver driver) {
        try {
            return driver.findElement(By.id("app")).getAttribute("data-state");
        } catch (RuntimeException e) {
            return "(no page: " + driver.getCurrentUrl() + ")";
        }
    }
}
