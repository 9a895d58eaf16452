package org.hotspotbilling.payment;

import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirementsSet;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.hotspotbilling.payment.PaymentDtos.PortalAnswer;
import org.hotspotbilling.payment.PaymentDtos.PurchaseRequest;
import org.hotspotbilling.tenant.CurrentOwner;
import org.hotspotbilling.tenant.Roles;
import org.hotspotbilling.web.ApiDocumentation;
import org.hotspotbilling.web.ClientAddress;

import java.util.UUID;
import java.util.function.BiFunction;

/** What a captive page calls: start a payment, poll it, or get a checkout link. Public key or owner. */
@Path("/payments/intasend")
@Tag(name = "Portal payments", description = "Captive portal: X-Public-Key (or an owner's JWT)")
@RolesAllowed({ Roles.PORTAL, Roles.OWNER })
@SecurityRequirementsSet(@SecurityRequirement(name = ApiDocumentation.PUBLIC_KEY))
@SecurityRequirementsSet(@SecurityRequirement(name = ApiDocumentation.JWT))
public class PortalPaymentResource {

    private final PaymentService payments;
    private final IdempotencyKeys idempotency;
    private final CurrentOwner current;

    public PortalPaymentResource(PaymentService payments, IdempotencyKeys idempotency, CurrentOwner current) {
        this.payments = payments;
        this.idempotency = idempotency;
        this.current = current;
    }

    @POST
    @Path("/initiate")
    @Operation(summary = "Start an M-Pesa STK push", description = "router_id, package_id, phone_number, amount "
            + "(must equal the price), mac_address (optional for owner callers); ip_address, payment_method "
            + "optional. 201 push sent; 202 the provider's answer was lost (keep polling check-status); 502 the "
            + "provider refused (payment failed); 404 no active credentials; 429 rate-limited. Idempotency-Key "
            + "supported.")
    public Response initiate(PurchaseRequest request, @HeaderParam(IdempotencyKeys.HEADER) String key,
            @Context HttpServerRequest http) {
        return purchase("initiate", Payment.STK_PUSH, request, key, http, payments::initiate);
    }

    @POST
    @Path("/create-link")
    @Operation(summary = "Create a checkout link for a package", description = "Same body and rules as initiate. "
            + "Idempotency-Key supported.")
    public Response createLink(PurchaseRequest request, @HeaderParam(IdempotencyKeys.HEADER) String key,
            @Context HttpServerRequest http) {
        return purchase("create-link", Payment.LINK, request, key, http, payments::createLink);
    }

    @POST
    @Path("/{id: [0-9a-fA-F-]{36}}/check-status")
    @Operation(summary = "Poll a payment", description = "Empty body. Top-level status: completed or failed ends "
            + "the poll; pending or processing means poll again. A completed payment answers at once, with "
            + "package_expiry_time. The provider is asked at most every few seconds per payment, however often "
            + "this is called. With the public key, the payment shows without provider ids and with the phone "
            + "number masked.")
    public PaymentDtos.StatusAnswer checkStatus(@PathParam("id") UUID id) {
        PaymentDtos.StatusAnswer answer = payments.checkStatus(current.id(), id);
        return current.isPortal() ? answer.forPortal() : answer;
    }

    private Response purchase(String endpoint, String kind, PurchaseRequest request, String key,
            HttpServerRequest http, BiFunction<PaymentService.Purchase, IdempotencyKeys.Claim, PortalAnswer> execute) {
        PaymentService.Caller caller = new PaymentService.Caller(current.id(), current.isPortal(),
                ClientAddress.of(http));
        return answer(idempotency.run(caller.ownerId(), key, endpoint, request,
                () -> payments.validate(caller, request, kind), execute, payments::unfinished));
    }

    private static Response answer(IdempotencyKeys.Outcome outcome) {
        Response.ResponseBuilder response = Response.status(outcome.answer().status()).entity(outcome.answer().body());
        return outcome.replayed() ? response.header(IdempotencyKeys.REPLAYED_HEADER, "true").build() : response.build();
    }
}
