package org.hotspotbilling.portal;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The captive page, ready-filled for one router: an ISP downloads it onto the router ({@code /tool fetch}), or a
 * browser opens it directly with the device's values in the query. The public key is in the query because a
 * page is opened by navigation, which cannot send headers; it is public anyway (it sits in every captive page).
 */
@Path("/portal/{routerId: \\d{1,18}}")
@Tag(name = "Captive portal", description = "The captive page (mikrotik-scripts/login.html) filled in for a router")
@PermitAll
public class CaptivePortalResource {

    private final CaptivePage page;

    public CaptivePortalResource(CaptivePage page) {
        this.page = page;
    }

    @GET
    @Operation(summary = "The captive page for a router", description = "HTML with the backend's address, the router "
            + "id and the key filled in. Without mac, ip, link-login-only and link-orig the page keeps RouterOS' "
            + "variables for them (the file to install on the router); with them, it runs in any browser.")
    @APIResponse(responseCode = "200", description = "The page", content = @Content(mediaType = "text/html"))
    @APIResponse(responseCode = "400", description = "A device value is not what a hotspot sends")
    @APIResponse(responseCode = "401", description = "Key missing, malformed or unknown, or the account is disabled")
    @APIResponse(responseCode = "404", description = "No such router for this key")
    public Response captivePage(@PathParam("routerId") long routerId,
            @Parameter(description = "The owner's 32-hex public key") @QueryParam("key") String key,
            @Parameter(description = "The device's MAC (the hotspot's mac)") @QueryParam("mac") String mac,
            @Parameter(description = "The device's IP (the hotspot's ip)") @QueryParam("ip") String ip,
            @Parameter(description = "The hotspot's login URL, e.g. http://10.5.50.1/login")
            @QueryParam("link-login-only") String loginUrl,
            @Parameter(description = "The page the customer first asked for; opened after login")
            @QueryParam("link-orig") String origUrl,
            @Context UriInfo uri) {
        CaptivePage.Rendered rendered = page.render(routerId, key,
                new CaptivePage.Device(mac, ip, loginUrl, origUrl), uri.getBaseUri());
        return Response.ok(rendered.html(), "text/html; charset=utf-8")
                .header("Content-Security-Policy", rendered.contentSecurityPolicy())
                .header("Cache-Control", "no-store")
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer")
                .build();
    }
}
