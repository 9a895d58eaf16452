package org.hotspotbilling.portal;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the page is written once its router and key are known (no application needed). */
class CaptivePageTest {

    private static final CaptivePage.Device NO_DEVICE = new CaptivePage.Device(null, null, null, null);

    private static CaptivePage withPublicUrl(String url) {
        PortalConfig config = () -> Optional.ofNullable(url).map(URI::create);
        return new CaptivePage(null, null, config);
    }

    @Test
    void theConfiguredPublicUrlWinsOverTheAddressTheRequestCameTo() {
        CaptivePage.Rendered page = withPublicUrl("https://billing.isp.example/")
                .page(7, "0123456789abcdef0123456789abcdef", NO_DEVICE, URI.create("http://10.0.0.5:8000/"));
        assertTrue(page.html().contains("api: \"https://billing.isp.example\","));
        assertTrue(page.contentSecurityPolicy().contains("connect-src https://billing.isp.example;"));
    }

    @Test
    void withoutOneThePageCallsTheAddressTheRequestCameTo() {
        CaptivePage.Rendered page = withPublicUrl(null)
                .page(7, "0123456789abcdef0123456789abcdef", NO_DEVICE, URI.create("http://10.0.0.5:8000/"));
        assertTrue(page.html().contains("api: \"http://10.0.0.5:8000\","));
        assertTrue(page.contentSecurityPolicy().contains("connect-src http://10.0.0.5:8000;"));
    }

    @Test
    void aPublicUrlThatIsNotHttpStopsTheStart() {
        assertThrows(IllegalStateException.class, () -> withPublicUrl("billing.isp.example"));
        assertThrows(IllegalStateException.class, () -> withPublicUrl("ftp://billing.isp.example"));
    }

    @Test
    void javaScriptStringsKeepUrlCharactersAndEscapeEverythingElse() {
        assertEquals("http://10.5.50.1:80/login?a=1&b=%20", CaptivePage.jsString("http://10.5.50.1:80/login?a=1&b=%20"));
        assertEquals("\\u003c/script\\u003e\\u0022\\u0027\\u005c\\u0024\\u0028mac\\u0029\\u2028",
                CaptivePage.jsString("</script>\"'\\$(mac)\u2028"));
    }
}
