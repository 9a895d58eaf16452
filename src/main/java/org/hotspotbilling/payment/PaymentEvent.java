package org.hotspotbilling.payment;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** One line of a payment's append-only timeline: what happened, who said so, and what to do about it. */
@Entity
@Table(name = "payment_event")
public class PaymentEvent extends PanacheEntityBase {

    /** Normalised event types (docs/payments.md "Timeline"). */
    public enum Type {
        created, push_sent, link_created, pending_user_action, succeeded, late_success, failed, requires_recovery,
        reconciled, access_granted, access_not_granted, ignored_after_completion, retry_requested,
        /** The provider told us something (a webhook): recorded before anything is asked or changed. */
        webhook_received,
        /** A provider answer that does not name this payment (reference, amount, currency): not applied. */
        mismatch,
        /** The one late re-check of a given-up payment found it still unpaid. */
        late_check,
        /** The owner moved the access this payment bought to the device's new MAC. */
        access_moved
    }

    /** Who caused the event. */
    public enum Source {
        portal, check_status, webhook, simulator, reconciler, owner
    }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "payment_id", nullable = false)
    public UUID paymentId;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 40)
    public Type type;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 20)
    public Source source;

    @Enumerated(EnumType.STRING)
    @Column(name = "status_from", length = 10)
    public PaymentStatus statusFrom;

    @Enumerated(EnumType.STRING)
    @Column(name = "status_to", length = 10)
    public PaymentStatus statusTo;

    @Column(name = "result_code", length = 40)
    public String resultCode;

    @Column(name = "result_desc", columnDefinition = "text")
    public String resultDesc;

    @Column(name = "recovery_hint", columnDefinition = "text")
    public String recoveryHint;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    public static List<PaymentEvent> timeline(UUID paymentId) {
        return list("paymentId = ?1 order by id", paymentId);
    }
}
