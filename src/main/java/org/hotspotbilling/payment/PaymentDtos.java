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

    /** The owner's view; {@code attention} says why a payment needs the owner to settle it (null: nothing). */
    public record PaymentView(UUID id, long router, Long packageId, String packageName, String phoneNumber,
            @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal amount, String currency, PaymentMethod paymentMethod,
            String paymentProvider, String providerMode, PaymentStatus status, String intasendInvoiceId,
            String intasendPaymentId, String intasendState, String paymentUrl, String macAddress, String ipAddress,
            Instant packageExpiryTime, Instant completedAt, String errorMessage, int retryCount, String attention,
            Instant createdAt, Instant updatedAt) {

        static PaymentView of(Payment p) {
            return new PaymentView(p.id, p.routerId, p.planId, p.packageName, p.phoneNumber, p.amount, p.currency,
                    p.paymentMethod, p.paymentProvider, p.providerMode.name(), p.status, p.intasendInvoiceId,
                    p.intasendPaymentId, p.intasendState, p.paymentUrl, p.macAddress, p.ipAddress, p.packageExpiryTime,
                    p.completedAt, p.errorMessage, p.retryCount, p.attention, p.createdAt, p.updatedAt);
        }
    }

    /**
     * What a captive portal (the public key, which every captive page carries) may see of a payment: no provider
     * ids or client IP, and the phone number masked; the fields captive pages read (id, status, error_message,
     * package_expiry_time) are as in the owner's view.
     */
    public record PortalPaymentView(UUID id, long router, Long packageId, String packageName, String phoneNumber,
            @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal amount, String currency,
            PaymentMethod paymentMethod, PaymentStatus status, String intasendState, String macAddress,
            Instant packageExpiryTime, Instant completedAt, String errorMessage, Instant createdAt,
            Instant updatedAt) {

        static PortalPaymentView of(PaymentView p) {
            return new PortalPaymentView(p.id(), p.router(), p.packageId(), p.packageName(), mask(p.phoneNumber()),
                    p.amount(), p.currency(), p.paymentMethod(), p.status(), p.intasendState(), p.macAddress(),
                    p.packageExpiryTime(), p.completedAt(), p.errorMessage(), p.createdAt(), p.updatedAt());
        }

        /** 254712345678 → 2547*****678: enough for a customer to recognise, nothing to harvest. */
        static String mask(String phone) {
            if (phone == null || phone.length() < 8) {
                return phone;
            }
            return phone.substring(0, 4) + "*".repeat(phone.length() - 7) + phone.substring(phone.length() - 3);
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

    /** check-status; {@code payment} is a {@link PaymentView} for the owner, a {@link PortalPaymentView} for a portal. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StatusAnswer(String message, Object payment, PaymentStatus status, String state,
            Instant packageExpiryTime, String recoveryHint, Access access) {

        /** The same answer as a captive portal may see it. */
        public StatusAnswer forPortal() {
            return payment instanceof PaymentView view ? new StatusAnswer(message, PortalPaymentView.of(view), status,
                    state, packageExpiryTime, recoveryHint, access) : this;
        }
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
