package org.hotspotbilling.payment;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;
import org.hotspotbilling.payment.PaymentDtos.PaymentView;
import org.hotspotbilling.payment.PaymentEvent.Source;
import org.hotspotbilling.web.Choices;
import org.hotspotbilling.web.Conflict;
import org.hotspotbilling.web.Invalid;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
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
    /** The most a list answer counts: beyond it {@code count} says this and {@code count_capped} is true. */
    static final int COUNT_CAP = 10_000;

    private final EntityManager em;
    private final PaymentService payments;
    private final PaymentSettlement settlement;

    public OwnerPayments(EntityManager em, PaymentService payments, PaymentSettlement settlement) {
        this.em = em;
        this.payments = payments;
        this.settlement = settlement;
    }

    /** Filters of the list; every one optional. */
    public record Filter(String status, String method, Long router, String phone, String from, String to) {
    }

    /**
     * Which page: {@code cursor} (from a previous answer's {@code next}) wins; otherwise {@code page} (from 1),
     * kept for clients written for the reference.
     */
    public record Paging(int page, String cursor, int pageSize) {
    }

    /**
     * One page, newest first, and the cursor of the next page. A numbered page also has the filtered total up to
     * {@link #COUNT_CAP}; a page read by cursor has none (null): a client following {@code next} has it already.
     */
    public record Slice(Long count, Boolean countCapped, Integer page, int pageSize, String nextCursor,
            List<PaymentView> results) {
    }

    /**
     * The owner's payments, newest first, by keyset: a page reads its own rows from an index in list order, however
     * long the history (docs/payments-rules.md, "History"). Nothing counts the whole history: {@code count} stops at
     * {@link #COUNT_CAP}, and only numbered pages count at all.
     */
    @Transactional
    public Slice list(long ownerId, Filter filter, Paging paging) {
        if (paging.cursor() == null && paging.page() < 1) {
            throw new Invalid("page must be 1 or more");
        }
        if (paging.pageSize() < 1 || paging.pageSize() > MAX_PAGE_SIZE) {
            throw new Invalid("page_size must be between 1 and " + MAX_PAGE_SIZE);
        }
        StringBuilder where = new StringBuilder("owner_id = ?1");
        List<Object> params = new ArrayList<>(List.of(ownerId));
        if (filter.status() != null) {
            params.add(status(filter.status()).name());
            where.append(" AND status = ?").append(params.size());
        }
        if (filter.method() != null) {
            params.add(method(filter.method()).name());
            where.append(" AND payment_method = ?").append(params.size());
        }
        if (filter.router() != null) {
            params.add(filter.router());
            where.append(" AND router_id = ?").append(params.size());
        }
        if (filter.phone() != null) {
            params.add(CustomerInput.phone(filter.phone())
                    .orElseThrow(() -> new Invalid("Invalid phone number format")));
            where.append(" AND phone_number = ?").append(params.size());
        }
        if (filter.from() != null) {
            params.add(instant(filter.from(), "date_from", false));
            where.append(" AND created_at >= ?").append(params.size());
        }
        if (filter.to() != null) {
            params.add(instant(filter.to(), "date_to", true));
            where.append(" AND created_at < ?").append(params.size());
        }
        Long counted = paging.cursor() != null ? null : ((Number) bind(em.createNativeQuery(
                "SELECT count(*) FROM (SELECT 1 FROM payment WHERE " + where + " LIMIT " + (COUNT_CAP + 1)
                        + ") capped"), params).getSingleResult()).longValue();

        StringBuilder page = new StringBuilder("SELECT * FROM payment WHERE ").append(where);
        List<Object> pageParams = new ArrayList<>(params);
        if (paging.cursor() != null) {
            Cursor after = Cursor.parse(paging.cursor());
            pageParams.add(after.createdAt());
            pageParams.add(after.id());
            page.append(" AND (created_at, id) < (?").append(pageParams.size() - 1).append(", ?")
                    .append(pageParams.size()).append(')');
        }
        page.append(" ORDER BY created_at DESC, id DESC LIMIT ").append(paging.pageSize() + 1);
        if (paging.cursor() == null) {
            page.append(" OFFSET ").append((long) (paging.page() - 1) * paging.pageSize());
        }
        @SuppressWarnings("unchecked")
        List<Payment> rows = bind(em.createNativeQuery(page.toString(), Payment.class), pageParams).getResultList();
        List<Payment> shown = rows.subList(0, Math.min(rows.size(), paging.pageSize()));
        String next = rows.size() > paging.pageSize() ? new Cursor(shown.get(shown.size() - 1)).encode() : null;
        return new Slice(counted == null ? null : Math.min(counted, COUNT_CAP), counted == null ? null : counted > COUNT_CAP,
                paging.cursor() == null ? paging.page() : null, paging.pageSize(), next,
                shown.stream().map(PaymentView::of).toList());
    }

    private static Query bind(Query query, List<Object> params) {
        for (int i = 0; i < params.size(); i++) {
            query.setParameter(i + 1, params.get(i));
        }
        return query;
    }

    /** Where a page ends: the last row's (created_at, id), the list's order. Opaque to clients. */
    record Cursor(Instant createdAt, UUID id) {

        Cursor(Payment last) {
            this(last.createdAt, last.id);
        }

        String encode() {
            long micros = ChronoUnit.MICROS.between(Instant.EPOCH, createdAt);
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((micros + ":" + id).getBytes(StandardCharsets.US_ASCII));
        }

        static Cursor parse(String raw) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(raw.trim()), StandardCharsets.US_ASCII)
                        .split(":", 2);
                return new Cursor(Instant.EPOCH.plus(Long.parseLong(parts[0]), ChronoUnit.MICROS),
                        UUID.fromString(parts[1]));
            } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException | ArithmeticException
                    | java.time.DateTimeException e) {
                throw new Invalid("cursor must be the next value of a previous page");
            }
        }
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
