package org.hotspotbilling.payment;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** IntaSend's webhook. Authenticated by the unguessable URL token plus the challenge in the body. */
@Path("/payments/webhook/intasend/{token: [0-9a-f]{64}}")
@Tag(name = "Provider callbacks", description = "Called by payment providers, not by people")
@PermitAll
public class WebhookResource {

    private final WebhookService webhooks;

    public WebhookResource(WebhookService webhooks) {
        this.webhooks = webhooks;
    }

    @POST
    @Operation(summary = "IntaSend payment-collection event", description = "No auth header: the URL's token names "
            + "the account (404 when unknown) and the body's challenge must match the one set for it (401 "
            + "otherwise). What the delivery says is recorded and answered at once; a claimed final state is "
            + "confirmed with IntaSend's status API afterwards, before anything changes. Deliveries that name no "
            + "payment of the account answer 200 and are counted (docs/payments.md \"Webhooks\").")
    public WebhookService.Processed receive(@PathParam("token") String token, JsonNode body) {
        return webhooks.receive(token, body);
    }
}
