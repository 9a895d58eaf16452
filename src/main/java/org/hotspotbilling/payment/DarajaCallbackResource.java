package org.hotspotbilling.payment;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** M-Pesa Daraja's STK callback. Daraja signs nothing: the URL's unguessable token is the first gate. */
@Path("/payments/webhook/mpesa/{token: [0-9a-f]{64}}")
@Tag(name = "Provider callbacks", description = "Called by payment providers, not by people")
@PermitAll
public class DarajaCallbackResource {

    private final WebhookService webhooks;

    public DarajaCallbackResource(WebhookService webhooks) {
        this.webhooks = webhooks;
    }

    @POST
    @Operation(summary = "M-Pesa Daraja STK callback", description = "The CallBackURL of every push (404 for an "
            + "unknown token, 400 for a body that is not an STK callback). What it says is recorded and answered "
            + "{\"ResultCode\": 0, \"ResultDesc\": \"Accepted\"} at once; the outcome is confirmed with STK Push "
            + "Query before anything changes (docs/daraja.md \"Callback\").")
    public DarajaCallback.Ack receive(@PathParam("token") String token, JsonNode body) {
        return webhooks.receiveDaraja(token, body);
    }
}
