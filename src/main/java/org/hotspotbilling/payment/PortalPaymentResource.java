package org.hotspotbilling.payment;

import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirementsSet;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.hotspotbilling.payment.PaymentDtos.PortalAnswer;
import org.hotspotbilling.payment.PaymentDtos.PurchaseRequest;
import org.hotspotbilling.portal.PortalConfig;
import org.hotspotbilling.tenant.CurrentOwner;
import org.hotspotbilling.tenant.Roles;
import org.hotspotbilling.web.ApiDocumentation;
import org.hotspotbilling.web.ClientAddress;

import java.util.UUID;
import java.util.function.BiFunction;

/**
 * What a captive page calls: start a payment, poll it, or get a checkout link. Public key or owner. The neutral
 * paths ({@code /payments/initiate/}, …) go through the owner's portal credential, whichever provider; the
 * {@code /payments/intasend/…} paths are the same calls under the names existing captive pages use.
 */
@Path("/payments")
@Tag(name = "Portal payments", description = "Captive portal: X-Public-Key (or an owner's JWT)")
@RolesAllowed({ Roles.PORTAL, Roles.OWNER })
@SecurityRequirementsSet(@SecurityRequirement(name = ApiDocumentation.PUBLIC_KEY))
@SecurityRequirementsSet(@SecurityRequirement(name = ApiDocumentation.JWT))
public class PortalPaymentResource {

    private static final String CHECK_STATUS = "/{id: [0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
            + "[0-9a-fA-F]{12}}/check-status";
    private static final String INITIATE = "Start an M-Pesa STK push";
    private static final String INITIATE_DESCRIPTION = "router_id, package_id, phone_number, amount (must equal the "
            + "price), mac_address (optional for owner callers); ip_address, payment_method optional. Goes through "
            + "the owner's portal credential (IntaSend or M-Pesa Daraja). 201 push sent; 202 the provider's answer "
            + "was lost (keep polling check-status); 502 the provider refused (payment failed); 404 no active "
            + "credentials; 429 rate-limited. Idempotency-Key supported.";
    private static final String LINK = "Create a checkout link for a package";
    private static final String LINK_DESCRIPTION = "Same body and rules as initiate (IntaSend only: Daraja has no "
            + "links, 400). Idempotency-Key supported.";
    private static final String STATUS = "Poll a payment";
    private static final String STATUS_DESCRIPTION = "Empty body. Top-level status: completed or failed ends the "
            + "poll; pending or processing means poll again. A completed payment answers at once, with "
            + "package_expiry_time. The provider is asked at most every few seconds per payment, however often "
            + "this is called. With the public key, the payment shows without provider ids and with the phone "
            + "number masked.";

    private final PaymentService payments;
    private final IdempotencyKeys idempotency;
    private final CurrentOwner current;
    private final PortalConfig portal;

    public PortalPaymentResource(PaymentService payments, IdempotencyKeys idempotency, CurrentOwner current,
            PortalConfig portal) {
        this.payments = payments;
        this.idempotency = idempotency;
        this.current = current;
        this.portal = portal;
    }

    @POST
    @Path("/initiate")
    @Operation(summary = INITIATE, description = INITIATE_DESCRIPTION)
    public Response initiate(PurchaseRequest request, @HeaderParam(IdempotencyKeys.HEADER) String key,
            @Context UriInfo uri, @Context HttpServerRequest http) {
        return purchase("initiate", Payment.STK_PUSH, PaymentService.NO_CREDENTIALS_ANY, request, key, uri, http,
                payments::initiate);
    }

    @POST
    @Path("/intasend/initiate")
    @Operation(summary = INITIATE, description = INITIATE_DESCRIPTION + " The reference's path: the same as "
            + "/payments/initiate/.")
    public Response initiateIntaSendPath(PurchaseRequest request, @HeaderParam(IdempotencyKeys.HEADER) String key,
            @Context UriInfo uri, @Context HttpServerRequest http) {
        return purchase("initiate", Payment.STK_PUSH, PaymentService.NO_CREDENTIALS, request, key, uri, http,
                payments::initiate);
    }

    @POST
    @Path("/create-link")
    @Operation(summary = LINK, description = LINK_DESCRIPTION)
    public Response createLink(PurchaseRequest request, @HeaderParam(IdempotencyKeys.HEADER) String key,
            @Context UriInfo uri, @Context HttpServerRequest http) {
        return purchase("create-link", Payment.LINK, PaymentService.NO_CREDENTIALS_ANY, request, key, uri, http,
                payments::createLink);
    }

    @POST
    @Path("/intasend/create-link")
    @Operation(summary = LINK, description = LINK_DESCRIPTION + " The reference's path.")
    public Response createLinkIntaSendPath(PurchaseRequest request, @HeaderParam(IdempotencyKeys.HEADER) String key,
            @Context UriInfo uri, @Context HttpServerRequest http) {
        return purchase("create-link", Payment.LINK, PaymentService.NO_CREDENTIALS, request, key, uri, http,
                payments::createLink);
    }

    @POST
    @Path(CHECK_STATUS)
    @Operation(summary = STATUS, description = STATUS_DESCRIPTION)
    public PaymentDtos.StatusAnswer checkStatus(@PathParam("id") UUID id) {
        PaymentDtos.StatusAnswer answer = payments.checkStatus(current.id(), id);
        return current.isPortal() ? answer.forPortal() : answer;
    }

    @POST
    @Path("/intasend" + CHECK_STATUS)
    @Operation(summary = STATUS, description = STATUS_DESCRIPTION + " The reference's path.")
    public PaymentDtos.StatusAnswer checkStatusIntaSendPath(@PathParam("id") UUID id) {
        return checkStatus(id);
    }

    private Response purchase(String endpoint, String kind, String noCredentials, PurchaseRequest request,
            String key, UriInfo uri, HttpServerRequest http,
            BiFunction<PaymentService.Purchase, IdempotencyKeys.Claim, PortalAnswer> execute) {
        PaymentService.Caller caller = new PaymentService.Caller(current.id(), current.isPortal(),
                ClientAddress.of(http));
        PaymentService.Channel channel = new PaymentService.Channel(noCredentials, publicBase(uri));
        return answer(idempotency.run(caller.ownerId(), key, endpoint, request,
                claim -> payments.open(caller, request, kind, channel, claim), execute, payments::unfinished));
    }

    /** This service's address as the outside world reaches it: Daraja posts its callbacks there. */
    private String publicBase(UriInfo uri) {
        String base = portal.publicUrl().map(Object::toString).orElseGet(() -> uri.getBaseUri().toString());
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    private static Response answer(IdempotencyKeys.Outcome outcome) {
        Response.ResponseBuilder response = Response.status(outcome.answer().status()).entity(outcome.answer().body());
        return outcome.replayed() ? response.header(IdempotencyKeys.REPLAYED_HEADER, "true").build() : response.build();
    }
}
