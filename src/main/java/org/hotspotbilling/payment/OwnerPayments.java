package org.hotspotbilling.payment;

import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.hotspotbilling.payment.PaymentDtos.PaymentView;
import org.hotspotbilling.payment.PaymentEvent.Source;
import org.hotspotbilling.web.Choices;
import org.hotspotbilling.web.Conflict;
import org.hotspotbilling.web.Invalid;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * An owner's view of payments and the few changes an owner may make. Owners cannot create payments or set
 * status, amount or router: those come only from the portal flow and the provider.
 */
@ApplicationScoped
public class OwnerPayments {

    static final int MAX_PAGE_SIZE = 100;

    private final PaymentService payments;
    private final PaymentSettlement settlement;

    public OwnerPayments(PaymentService payments, PaymentSettlement settlement) {
        this.payments = payments;
        this.settlement = settlement;
    }

    /** Filters of the list; every one optional. */
    public record Filter(String status, String method, Long router, String phone, String from, String to) {
    }

    @Transactional
    public PaymentDtos.Page list(long ownerId, Filter filter, int page, int pageSize) {
        if (page < 1) {
            throw new Invalid("page must be 1 or more");
        }
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new Invalid("page_size must be between 1 and " + MAX_PAGE_SIZE);
        }
        List<String> where = new ArrayList<>(List.of("ownerId = :owner"));
        Parameters params = Parameters.with("owner", ownerId);
        if (filter.status() != null) {
            where.add("status = :status");
            params.and("status", status(filter.status()));
        }
        if (filter.method() != null) {
            where.add("paymentMethod = :method");
            params.and("method", method(filter.method()));
        }
        if (filter.router() != null) {
            where.add("routerId = :router");
            params.and("router", filter.router());
        }
        if (filter.phone() != null) {
            where.add("phoneNumber = :phone");
            params.and("phone", CustomerInput.phone(filter.phone())
                    .orElseThrow(() -> new Invalid("Invalid phone number format")));
        }
        if (filter.from() != null) {
            where.add("createdAt >= :from");
            params.and("from", instant(filter.from(), "date_from", false));
        }
        if (filter.to() != null) {
            where.add("createdAt < :to");
            params.and("to", instant(filter.to(), "date_to", true));
        }
        var query = Payment.<Payment>find(String.join(" and ", where), Sort.descending("createdAt", "id"), params);
        long count = query.count();
        List<PaymentView> results = query.page(Page.of(page - 1, pageSize)).list().stream().map(PaymentView::of)
                .toList();
        return new PaymentDtos.Page(count, page, pageSize, results);
    }

    @Transactional
    public PaymentDtos.Timeline timeline(long ownerId, UUID id) {
        Payment payment = payments.owned(ownerId, id);
        return new PaymentDtos.Timeline(id, payment.status,
                PaymentEvent.timeline(id).stream().map(PaymentDtos.EventView::of).toList());
    }

    /** The owner confirms a payment by hand (e.g. the customer shows the M-Pesa message). */
    public Payment markCompleted(long ownerId, UUID id) {
        Payment payment = payments.owned(ownerId, id);
        if (payment.status == PaymentStatus.completed) {
            throw new Conflict("Payment is already completed");
        }
        return settlement.complete(id, Source.owner, null, "Marked completed by the owner");
    }

    public Payment markFailed(long ownerId, UUID id, String note) {
        Payment payment = payments.owned(ownerId, id);
        if (!payment.status.open()) {
            throw new Conflict("Payment is already " + payment.status + " and cannot be marked failed");
        }
        Payment after = settlement.fail(id, Source.owner, null,
                "Marked failed by the owner" + (note == null || note.isBlank() ? "" : ": " + note));
        if (after.status == PaymentStatus.completed) {
            throw new Conflict("Payment completed before it could be marked failed");
        }
        return after;
    }

    public Payment incrementRetry(long ownerId, UUID id) {
        Payment payment = payments.owned(ownerId, id);
        if (payment.status == PaymentStatus.completed) {
            throw new Conflict("Payment is already completed");
        }
        return settlement.incrementRetry(id);
    }

    static PaymentStatus status(String raw) {
        return Choices.parse(PaymentStatus.values(), raw.toLowerCase(Locale.ROOT), "status", null);
    }

    static PaymentMethod method(String raw) {
        return Choices.parse(PaymentMethod.values(), raw.toLowerCase(Locale.ROOT), "payment method", null);
    }

    /** An ISO instant, or a date (a "to" date includes that whole day, UTC). */
    private static Instant instant(String raw, String field, boolean endOfDay) {
        try {
            return Instant.parse(raw);
        } catch (DateTimeParseException notInstant) {
            try {
                LocalDate date = LocalDate.parse(raw);
                return (endOfDay ? date.plusDays(1) : date).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException e) {
                throw new Invalid(field + " must be a date (2026-11-23) or an ISO-8601 instant");
            }
        }
    }
}
