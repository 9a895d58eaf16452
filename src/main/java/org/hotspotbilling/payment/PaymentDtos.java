package org.hotspotbilling.payment;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Bodies of the payment endpoints, in the reference's shapes (a captive page reads payment.id, intasend.payment_id, status). */
public final class PaymentDtos {

    private PaymentDtos() {
    }

    /** initiate and create-link. Ids and amount may be numbers or numeric strings. */
    public record PurchaseRequest(Long routerId, Long packageId, String phoneNumber, BigDecimal amount,
            String paymentMethod, String macAddress, String ipAddress) {
    }

    public record PaymentView(UUID id, long router, Long packageId, String packageName, String phoneNumber,
            @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal amount, String currency, PaymentMethod paymentMethod,
            String paymentProvider, String providerMode, PaymentStatus status, String intasendInvoiceId,
            String intasendPaymentId, String intasendState, String paymentUrl, String macAddress, String ipAddress,
            Instant packageExpiryTime, Instant completedAt, String errorMessage, int retryCount, Instant createdAt,
            Instant updatedAt) {

        static PaymentView of(Payment p) {
            return new PaymentView(p.id, p.routerId, p.planId, p.packageName, p.phoneNumber, p.amount, p.currency,
                    p.paymentMethod, p.paymentProvider, p.providerMode.name(), p.status, p.intasendInvoiceId,
                    p.intasendPaymentId, p.intasendState, p.paymentUrl, p.macAddress, p.ipAddress, p.packageExpiryTime,
                    p.completedAt, p.errorMessage, p.retryCount, p.createdAt, p.updatedAt);
        }
    }

    public record PushInfo(String paymentId, String invoiceId, String state, String message) {
    }

    public record Initiated(String message, PaymentView payment, PushInfo intasend) {
    }

    public record LinkInfo(String paymentUrl, String invoiceId, String state) {
    }

    public record LinkCreated(String message, PaymentView payment, LinkInfo intasend) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Failed(String error, UUID paymentId) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StatusAnswer(String message, PaymentView payment, PaymentStatus status, String state,
            Instant packageExpiryTime, String recoveryHint, Access access) {
    }

    /** Whether the router already lets the device in: the page logs the device in once this is on_router. */
    public record Access(String state, Instant expiresAt) {
    }

    public record WithMessage(String message, PaymentView payment) {
    }

    public record EventView(String type, String source, PaymentStatus statusFrom, PaymentStatus statusTo,
            String resultCode, String resultDesc, String recoveryHint, Instant createdAt) {
        static EventView of(PaymentEvent e) {
            return new EventView(e.type.name(), e.source.name(), e.statusFrom, e.statusTo, e.resultCode, e.resultDesc,
                    e.recoveryHint, e.createdAt);
        }
    }

    public record Timeline(UUID paymentId, PaymentStatus status, List<EventView> events) {
    }

    /**
     * A page of the owner's list, in the reference's paged shape plus keyset paging: {@code next} is the URL of the
     * following page (null on the last), {@code count} the filtered total up to 10,000 ({@code count_capped} says
     * when there are more), {@code page} the page number asked for. A page read by cursor has no page number and
     * no count (null).
     */
    public record Page(Long count, Boolean countCapped, Integer page, int pageSize, String next,
            List<PaymentView> results) {
    }

    public record SimulatedCallback(Integer resultCode, String resultDesc) {
    }

    public record FailureNote(String errorMessage) {
    }

    /** A status code and body for a portal answer, kept whole so an Idempotency-Key can replay it. */
    public record PortalAnswer(int status, Object body) {
    }
}
