package org.hotspotbilling.payment;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirementsSet;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.hotspotbilling.payment.PaymentDtos.PaymentView;
import org.hotspotbilling.tenant.CurrentOwner;
import org.hotspotbilling.tenant.Roles;
import org.hotspotbilling.web.ApiDocumentation;
import org.hotspotbilling.web.QueryParams;

import java.util.UUID;

/** An owner's payments. Another owner's payment id answers 404. */
@Path("/payments")
@Tag(name = "Payments", description = "The owner's payments and their timelines")
@RolesAllowed(Roles.OWNER)
@SecurityRequirementsSet(@SecurityRequirement(name = ApiDocumentation.JWT))
@SecurityRequirementsSet({ @SecurityRequirement(name = ApiDocumentation.API_KEY),
        @SecurityRequirement(name = ApiDocumentation.PRIVATE_KEY) })
public class PaymentResource {

    private static final String UUID_PATH = "{id: [0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}}";

    private final PaymentService payments;
    private final OwnerPayments owner;
    private final CurrentOwner current;

    public PaymentResource(PaymentService payments, OwnerPayments owner, CurrentOwner current) {
        this.payments = payments;
        this.owner = owner;
        this.current = current;
    }

    @GET
    @Operation(summary = "Payments, newest first", description = "Owner. Filters: status, method, router, phone, "
            + "date_from, date_to (dates or ISO instants). Paging: follow next (a URL with cursor, null on the last "
            + "page); page (from 1) still works; page_size 1–100, default 20. count stops at 10,000 "
            + "(count_capped true beyond); pages read by cursor have no count.")
    public PaymentDtos.Page list(@QueryParam("status") String status, @QueryParam("method") String method,
            @QueryParam("router") String router, @QueryParam("phone") String phone,
            @QueryParam("date_from") String from, @QueryParam("date_to") String to,
            @QueryParam("page") @DefaultValue("1") String page, @QueryParam("cursor") String cursor,
            @QueryParam("page_size") @DefaultValue("20") String size, @Context UriInfo uri) {
        OwnerPayments.Filter filter = new OwnerPayments.Filter(status, method, QueryParams.optionalId(router, "router"),
                phone, from, to);
        return page(owner.list(current.id(), filter, paging(page, cursor, size)), uri);
    }

    @GET
    @Path("/status/{status}")
    @Operation(summary = "Payments with one status", description = "Owner. 400 for an unknown status. Paged as "
            + "the list.")
    public PaymentDtos.Page byStatus(@PathParam("status") String status, @QueryParam("page") @DefaultValue("1") String page,
            @QueryParam("cursor") String cursor, @QueryParam("page_size") @DefaultValue("20") String size,
            @Context UriInfo uri) {
        return page(owner.list(current.id(), new OwnerPayments.Filter(status, null, null, null, null, null),
                paging(page, cursor, size)), uri);
    }

    @GET
    @Path("/method/{method}")
    @Operation(summary = "Payments with one method", description = "Owner. 400 for an unknown method. Paged as "
            + "the list.")
    public PaymentDtos.Page byMethod(@PathParam("method") String method, @QueryParam("page") @DefaultValue("1") String page,
            @QueryParam("cursor") String cursor, @QueryParam("page_size") @DefaultValue("20") String size,
            @Context UriInfo uri) {
        return page(owner.list(current.id(), new OwnerPayments.Filter(null, method, null, null, null, null),
                paging(page, cursor, size)), uri);
    }

    private static OwnerPayments.Paging paging(String page, String cursor, String size) {
        return new OwnerPayments.Paging(QueryParams.wholeNumber(page, "page"),
                cursor == null || cursor.isBlank() ? null : cursor, QueryParams.wholeNumber(size, "page_size"));
    }

    /** {@code next} as a URL, as the reference's paged answers have it: this request with the next cursor. */
    private static PaymentDtos.Page page(OwnerPayments.Slice slice, UriInfo uri) {
        String next = slice.nextCursor() == null ? null : uri.getRequestUriBuilder().replaceQueryParam("page")
                .replaceQueryParam("cursor", slice.nextCursor()).build().toString();
        return new PaymentDtos.Page(slice.count(), slice.countCapped(), slice.page(), slice.pageSize(), next,
                slice.results());
    }

    @GET
    @Path(UUID_PATH)
    @Operation(summary = "One payment", description = "Owner.")
    public PaymentView get(@PathParam("id") UUID id) {
        return PaymentView.of(payments.owned(current.id(), id));
    }

    @GET
    @Path(UUID_PATH + "/events")
    @Operation(summary = "The payment's event timeline", description = "Owner. Normalised types, provider result "
            + "codes and recovery hints.")
    public PaymentDtos.Timeline events(@PathParam("id") UUID id) {
        return owner.timeline(current.id(), id);
    }

    @POST
    @Path(UUID_PATH + "/mark-completed")
    @Operation(summary = "Confirm a payment by hand", description = "Owner. Grants the access. 409 when already "
            + "completed.")
    public PaymentDtos.WithMessage markCompleted(@PathParam("id") UUID id) {
        return new PaymentDtos.WithMessage("Payment marked as completed",
                PaymentView.of(owner.markCompleted(current.id(), id)));
    }

    @POST
    @Path(UUID_PATH + "/mark-failed")
    @Operation(summary = "Fail an open payment", description = "Owner. Optional {\"error_message\"}. 409 when the "
            + "payment is already completed, failed or cancelled.")
    public PaymentDtos.WithMessage markFailed(@PathParam("id") UUID id, PaymentDtos.FailureNote note) {
        return new PaymentDtos.WithMessage("Payment marked as failed",
                PaymentView.of(owner.markFailed(current.id(), id, note == null ? null : note.errorMessage())));
    }

    @POST
    @Path(UUID_PATH + "/increment-retry")
    @Operation(summary = "Count a retry", description = "Owner. 409 on a completed payment.")
    public PaymentDtos.WithMessage incrementRetry(@PathParam("id") UUID id) {
        return new PaymentDtos.WithMessage("Payment retry count incremented",
                PaymentView.of(owner.incrementRetry(current.id(), id)));
    }

}
