package org.hotspotbilling.payment;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import org.hibernate.engine.spi.SessionImplementor;
import org.hotspotbilling.access.AccessGrants;
import org.hotspotbilling.hooks.EventTypes;
import org.hotspotbilling.hooks.WebhookEvents;
import org.hotspotbilling.payment.PaymentEvent.Source;
import org.hotspotbilling.payment.PaymentEvent.Type;
import org.hotspotbilling.provider.PaymentProvider;
import org.hotspotbilling.provider.ProviderState;
import org.hotspotbilling.web.NotFound;
import org.hotspotbilling.work.DirectSql;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Every change of a payment's status, each in its own transaction, on the row locked with
 * {@code SELECT ... FOR UPDATE} and re-read before deciding. Whichever path arrives first (check-status, webhook,
 * simulator, reconciler, owner) makes the change; the others find it made and change nothing. A completed
 * payment never changes status again.
 */
@ApplicationScoped
public class PaymentSettlement {

    /** Timeline events that owners hear of through webhooks, with their stable types (docs/webhooks.md). */
    private static final Map<Type, String> WEBHOOK_TYPES = Map.of(
            Type.created, EventTypes.PAYMENT_CREATED,
            Type.push_sent, EventTypes.PAYMENT_PENDING_USER_ACTION,
            Type.link_created, EventTypes.PAYMENT_PENDING_USER_ACTION,
            Type.pending_user_action, EventTypes.PAYMENT_PENDING_USER_ACTION,
            Type.succeeded, EventTypes.PAYMENT_SUCCEEDED,
            Type.late_success, EventTypes.PAYMENT_LATE_SUCCESS,
            Type.failed, EventTypes.PAYMENT_FAILED,
            Type.requires_recovery, EventTypes.PAYMENT_REQUIRES_RECOVERY);

    /** The timeline events that are outcomes told to observers once the transaction commits (the metrics). */
    private static final Map<Type, PaymentOutcome.Kind> OUTCOMES = Map.of(
            Type.created, PaymentOutcome.Kind.initiated,
            Type.succeeded, PaymentOutcome.Kind.succeeded,
            Type.late_success, PaymentOutcome.Kind.late_success,
            Type.failed, PaymentOutcome.Kind.failed);

    private final EntityManager em;
    private final AccessGrants grants;
    private final IdempotencyKeys idempotency;
    private final Event<PaymentOutcome> outcomes;
    private final WebhookEvents webhooks;

    public PaymentSettlement(EntityManager em, AccessGrants grants, IdempotencyKeys idempotency,
            Event<PaymentOutcome> outcomes, WebhookEvents webhooks) {
        this.em = em;
        this.grants = grants;
        this.idempotency = idempotency;
        this.outcomes = outcomes;
        this.webhooks = webhooks;
    }

    /**
     * Completes the payment and grants its access in the same transaction. A payment we had already given up on
     * (failed or cancelled) still completes, as a late success: money that arrived is never dropped.
     */
    @Transactional
    public Payment complete(UUID id, Source source, String resultCode, String resultDesc) {
        Payment payment = lock(id);
        if (payment.status == PaymentStatus.completed) {
            return payment;
        }
        if (!payment.status.canMoveTo(PaymentStatus.completed)) {
            throw new IllegalStateException("Payment " + id + " cannot complete from " + payment.status);
        }
        // PostgreSQL keeps microseconds: answer exactly what is stored.
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        // The grant first, while the payment row is locked but not yet changed: its statements then find nothing of
        // the payment's to flush, and the payment is written once, at commit, with its expiry.
        Instant expiry = payment.macAddress == null ? now.plus(Duration.ofHours(payment.durationHours))
                : grants.grant(payment.ownerId, payment.routerId, payment.macAddress, payment.ipAddress,
                        payment.durationHours, AccessGrants.rateLimit(payment.downloadSpeedMbps,
                                payment.uploadSpeedMbps), payment.id, now);
        PaymentStatus from = move(payment, PaymentStatus.completed);
        payment.completedAt = now;
        payment.nextCheckAt = null;
        payment.attention = null;
        payment.intasendState = "COMPLETE";
        payment.packageExpiryTime = expiry;
        record(payment, from.open() ? Type.succeeded : Type.late_success, source, from, resultCode, resultDesc, null);
        markReconciled(payment, source);
        if (payment.macAddress != null) {
            record(payment, Type.access_granted, source, null, null, payment.macAddress + " until "
                    + payment.packageExpiryTime, null);
        } else {
            record(payment, Type.access_not_granted, source, null, null,
                    "No MAC address was given with the payment, so no device could be authorized", null);
        }
        return payment;
    }

    /** Fails an open payment with the provider's reason. A completed payment is left as it is. */
    @Transactional
    public Payment fail(UUID id, Source source, String resultCode, String reason) {
        Payment payment = lock(id);
        if (payment.status == PaymentStatus.completed) {
            record(payment, Type.ignored_after_completion, source, null, resultCode,
                    "A failure report arrived after completion and was ignored: " + reason, null);
            return payment;
        }
        if (!payment.status.open()) {
            return payment;
        }
        PaymentStatus from = move(payment, PaymentStatus.failed);
        payment.errorMessage = reason == null ? "" : reason;
        payment.failureCode = resultCode;
        payment.nextCheckAt = null;
        payment.intasendState = payment.intasendState == null ? "FAILED" : payment.intasendState;
        record(payment, Type.failed, source, from, resultCode, reason, RecoveryHints.forCode(resultCode));
        markReconciled(payment, source);
        return payment;
    }

    /** The provider accepted the push or link: remember its ids; the customer is now being asked to pay. */
    @Transactional
    public Payment sent(UUID id, Source source, String paymentId, String invoiceId, String rawState, String url,
            Type type) {
        Payment payment = lock(id);
        payment.intasendPaymentId = paymentId;
        // A webhook may have arrived before the push's answer and told us the invoice already.
        payment.intasendInvoiceId = payment.intasendInvoiceId == null ? invoiceId : payment.intasendInvoiceId;
        payment.paymentUrl = url;
        if (payment.status == PaymentStatus.pending) {
            move(payment, PaymentStatus.processing);
            payment.intasendState = rawState;
            record(payment, type, source, PaymentStatus.pending, rawState, null, null);
        }
        return payment;
    }

    /** The provider made a checkout link: its id and signature are what its status will be asked with. */
    @Transactional
    public Payment linkCreated(UUID id, PaymentProvider.LinkResult link) {
        Payment payment = sent(id, Source.portal, link.paymentId(), link.invoiceId(), link.rawState(), link.url(),
                Type.link_created);
        payment.checkoutId = link.paymentId();
        payment.checkoutSignature = link.signature();
        return payment;
    }

    /**
     * The provider may or may not have acted (timeout, reset, 5xx): the payment stays open so the webhook or the
     * reconciler can settle it. Never failed on a guess.
     */
    @Transactional
    public Payment requiresRecovery(UUID id, Source source, String why) {
        Payment payment = lock(id);
        if (payment.status == PaymentStatus.pending) {
            move(payment, PaymentStatus.processing);
            record(payment, Type.requires_recovery, source, PaymentStatus.pending, null, why,
                    RecoveryHints.UNKNOWN_OUTCOME);
        }
        return payment;
    }

    /**
     * A non-final provider answer (or, for a payment no longer open, an answer that changes nothing): recorded once
     * per change of state, so polling does not flood the timeline.
     */
    @Transactional
    public Payment stillOpen(UUID id, Source source, String rawState, String invoiceId) {
        Payment payment = lock(id);
        payment.providerCheckedAt = Instant.now();
        if (!payment.status.open()) {
            return payment;
        }
        if (payment.intasendInvoiceId == null && invoiceId != null) {
            payment.intasendInvoiceId = invoiceId;
        }
        if (rawState != null && !rawState.equals(payment.intasendState)) {
            payment.intasendState = rawState;
            record(payment, Type.pending_user_action, source, null, rawState, "Waiting for the customer to pay", null);
        }
        return payment;
    }

    /**
     * A provider's word about the payment (a webhook), recorded under the row lock before anything is asked: the
     * invoice id it names (when we had none) and the state it claims, in the timeline. A claimed final or unknown
     * state sets the durable "ask the provider now" mark ({@code next_check_at}), which any instance's
     * confirmation worker or reconciler then acts on; a claim is never applied by itself (docs/payments.md
     * "Confirmation"). Answers whether the mark was set.
     */
    @Transactional
    public boolean notice(UUID id, Source source, String invoiceId, String rawState) {
        Payment payment = lock(id);
        // An invoice we did not know is something new to ask the provider by, whatever the state claimed.
        boolean learnt = payment.intasendInvoiceId == null && invoiceId != null;
        if (learnt) {
            payment.intasendInvoiceId = invoiceId;
        }
        ProviderState claimed = ProviderState.of(rawState);
        record(payment, Type.webhook_received, source, null, rawState,
                "Says " + (rawState == null ? "nothing of its state" : rawState)
                        + (invoiceId == null ? "" : " for invoice " + invoiceId), null);
        if (payment.status == PaymentStatus.completed) {
            return false;
        }
        if (!learnt && !claimed.isFinal() && claimed != ProviderState.UNRECOGNISED) {
            if (payment.status.open() && !rawState.equals(payment.intasendState)) {
                payment.intasendState = rawState;
                record(payment, Type.pending_user_action, source, null, rawState, "Waiting for the customer to pay",
                        null);
            }
            return false;
        }
        if (!learnt && claimed == ProviderState.FAILED && !payment.status.open()) {
            return false; // nothing a confirmed failure could change
        }
        payment.nextCheckAt = Instant.now();
        payment.attention = null;
        return true;
    }

    /**
     * An M-Pesa Daraja callback about the payment, recorded under the row lock before anything is asked: its
     * result and metadata in the timeline, the receipt it names. A success for another amount, or with a receipt
     * that already paid another payment, is a mismatch and asks nothing; anything else sets the "ask the provider
     * now" mark, and STK Push Query decides (docs/daraja.md "Callback"). Answers whether the mark was set.
     */
    @Transactional
    public boolean mpesaNotice(UUID id, DarajaCallback callback) {
        Payment payment = lock(id);
        boolean learnt = payment.intasendInvoiceId == null;
        if (learnt) {
            payment.intasendInvoiceId = callback.checkoutRequestId(); // adopted (WebhookService.adoptable)
        }
        record(payment, Type.webhook_received, Source.webhook, null, String.valueOf(callback.resultCode()),
                callback.describe(), null);
        if (payment.status == PaymentStatus.completed) {
            return false;
        }
        if (callback.succeeded()) {
            if (callback.amount() != null && callback.amount().compareTo(payment.amount) != 0) {
                record(payment, Type.mismatch, Source.webhook, null, null, "Callback for " + callback.amount()
                        .toPlainString() + ", not " + payment.amount.toPlainString() + ": not applied",
                        RecoveryHints.MISMATCH);
                return false;
            }
            if (callback.receipt() != null && !callback.receipt().equals(payment.mpesaReceipt)) {
                Payment other = Payment.<Payment>find("mpesaReceipt = ?1", callback.receipt()).firstResult();
                if (other != null && !other.id.equals(payment.id)) {
                    record(payment, Type.mismatch, Source.webhook, null, null, "Receipt " + callback.receipt()
                            + " already paid another payment: not applied", RecoveryHints.MISMATCH);
                    return false;
                }
                payment.mpesaReceipt = callback.receipt();
            }
        } else if (!learnt && !payment.status.open()) {
            return false; // nothing a failure could change
        }
        payment.nextCheckAt = Instant.now();
        payment.attention = null;
        return true;
    }

    /** A provider answer that does not name this payment: recorded (not twice in a row), never applied. */
    @Transactional
    public Payment mismatch(UUID id, Source source, String invoiceId, String why) {
        Payment payment = lock(id);
        payment.providerCheckedAt = Instant.now();
        String desc = "Answer about invoice " + invoiceId + " not applied: " + why;
        PaymentEvent last = PaymentEvent.<PaymentEvent>find("paymentId = ?1 order by id desc", id).firstResult();
        if (last == null || last.type != Type.mismatch || !desc.equals(last.resultDesc)) {
            record(payment, Type.mismatch, source, null, null, desc, RecoveryHints.MISMATCH);
        }
        return payment;
    }

    /**
     * The provider kept saying "pending" past the give-up age: the payment fails ("provider never confirmed"),
     * and when the provider knows it, it is asked once more at {@code lateCheckAt}, where a success still
     * completes it.
     */
    @Transactional
    public Payment giveUp(UUID id, Source source, String reason, Instant lateCheckAt, Instant claimedUntil) {
        Payment payment = lock(id);
        if (!payment.status.open() || markedSince(payment, claimedUntil)) {
            return payment;
        }
        Payment failed = fail(id, source, null, reason);
        failed.givenUpAt = Instant.now();
        failed.nextCheckAt = failed.statusQuery() == null ? null : lateCheckAt;
        return failed;
    }

    /** The late re-check of a payment no longer open found it unpaid (or the provider answered something final). */
    @Transactional
    public Payment lateCheckDone(UUID id, Source source, String rawState, Instant claimedUntil) {
        Payment payment = lock(id);
        if (payment.status == PaymentStatus.completed || markedSince(payment, claimedUntil)) {
            return payment;
        }
        payment.nextCheckAt = null;
        record(payment, Type.late_check, source, null, rawState, "Asked once more: the provider says "
                + (rawState == null ? "nothing" : rawState) + "; the payment stays " + payment.status, null);
        return payment;
    }

    /**
     * The payment cannot be settled without the owner (its credential is gone, or the provider never told us
     * anything to ask it by): a requires_recovery event saying why, once per reason, and no more automatic
     * checks until a provider's word arrives. The payment keeps its status and stays in the owner's list.
     */
    @Transactional
    public Payment needsOwner(UUID id, Source source, String why) {
        return needsOwner(lock(id), source, why);
    }

    /** As {@link #needsOwner}, unless a webhook has meanwhile told us what to ask the provider by. */
    @Transactional
    public Payment needsOwnerUnlessAskable(UUID id, Source source, String why) {
        Payment payment = lock(id);
        return payment.statusQuery() != null ? payment : needsOwner(payment, source, why);
    }

    private Payment needsOwner(Payment payment, Source source, String why) {
        if (payment.status == PaymentStatus.completed || why.equals(payment.attention)) {
            return payment;
        }
        payment.attention = why;
        payment.nextCheckAt = null;
        record(payment, Type.requires_recovery, source, null, null, why, RecoveryHints.OWNER_MUST_SETTLE);
        return payment;
    }

    /** The owner asks the portal to try again; counted, and visible in the timeline. */
    @Transactional
    public Payment incrementRetry(UUID id) {
        Payment payment = lock(id);
        payment.retryCount++;
        record(payment, Type.retry_requested, Source.owner, null, null, "Retry " + payment.retryCount, null);
        return payment;
    }

    /**
     * Writes a new payment. With the request's Idempotency-Key claim (or null), the key records the payment in this
     * same transaction, so a crash after it leaves the key pointing at the payment (docs/payments-rules.md,
     * "Idempotency").
     */
    @Transactional
    public void created(Payment payment, Source source, IdempotencyKeys.Claim claim) {
        payment.persist();
        em.flush(); // the event's and the key's foreign keys need the payment row first
        if (claim != null) {
            idempotency.attach(claim, payment.id);
        }
        record(payment, Type.created, source, null, null, payment.packageName + " for " + payment.amount + " "
                + payment.currency, null);
    }

    private void markReconciled(Payment payment, Source source) {
        if (source == Source.reconciler) {
            record(payment, Type.reconciled, source, null, null, "Settled by the reconciler", null);
        }
    }

    /**
     * Whether a webhook set the "ask now" mark while the caller (holding a claim until {@code claimedUntil}) was
     * asking: its word is newer than the answer the caller holds, so the caller must not conclude from it.
     */
    private static boolean markedSince(Payment payment, Instant claimedUntil) {
        return payment.nextCheckAt != null && payment.nextCheckAt.isBefore(claimedUntil);
    }

    /** Moves the payment to {@code next} if the table of {@link PaymentStatus} allows it; answers the old status. */
    private static PaymentStatus move(Payment payment, PaymentStatus next) {
        PaymentStatus from = payment.status;
        if (!from.canMoveTo(next)) {
            throw new IllegalStateException("Payment " + payment.id + " cannot move from " + from + " to " + next);
        }
        payment.status = next;
        return from;
    }

    private Payment lock(UUID id) {
        // A payment this transaction had read before (a webhook finds it by its invoice, an owner's action by its
        // owner) would only be locked by find(): its fields would stay as read then, maybe before another instance
        // completed it. Decided on those, a webhook marked a completed payment for checking (the database refused:
        // 500 to IntaSend) and an owner's mark-completed could complete it twice. So such a payment is read again
        // under the lock (one statement: refresh with the lock); any other is read under the lock by find().
        SessionImplementor session = em.unwrap(SessionImplementor.class);
        Object known = session.getPersistenceContextInternal().getEntity(
                session.generateEntityKey(id, session.getEntityPersister(Payment.class.getName(), null)));
        if (known instanceof Payment payment) {
            em.refresh(payment, LockModeType.PESSIMISTIC_WRITE);
            return payment;
        }
        Payment payment = em.find(Payment.class, id, LockModeType.PESSIMISTIC_WRITE);
        if (payment == null) {
            throw new NotFound(PaymentService.NOT_FOUND);
        }
        return payment;
    }

    /**
     * Writes a timeline event and, for the types owners subscribe to, the webhook event, in this same transaction
     * and in one statement: a change that rolls back leaves neither. An outcome ({@link #OUTCOMES}) is also fired
     * to observers that act only once the transaction commits.
     */
    private void record(Payment payment, Type type, Source source, PaymentStatus from, String code, String desc,
            String hint) {
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        PaymentOutcome.Kind outcome = OUTCOMES.get(type);
        if (outcome != null) {
            outcomes.fire(new PaymentOutcome(payment.paymentProvider, payment.providerMode, outcome,
                    type == Type.succeeded ? Duration.between(payment.createdAt, payment.completedAt) : null));
        }
        String webhookType = WEBHOOK_TYPES.get(type);
        if (webhookType == null) {
            write(em, payment, type, source, from, code, desc, hint, at, null, null);
            return;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("payment_id", payment.id);
        data.put("status", payment.status);
        data.put("status_from", from);
        data.put("provider", payment.paymentProvider);
        data.put("provider_result_code", code);
        data.put("provider_result_desc", desc);
        data.put("recovery_hint", hint);
        data.put("source", source);
        data.put("amount", payment.amount.toPlainString());
        data.put("currency", payment.currency);
        data.put("phone_number", payment.phoneNumber);
        data.put("router_id", payment.routerId);
        data.put("package_name", payment.packageName);
        data.put("mac_address", payment.macAddress);
        data.put("mpesa_receipt", payment.mpesaReceipt);
        data.put("expires_at", payment.packageExpiryTime);
        write(em, payment, type, source, from, code, desc, hint, at, webhookType, webhooks.json(webhookType, data));
        webhooks.queued();
    }

    /** Writes a timeline event that owners' webhooks do not carry. */
    static void event(EntityManager em, Payment payment, Type type, Source source, PaymentStatus from, String code,
            String desc, String hint) {
        write(em, payment, type, source, from, code, desc, hint, Instant.now().truncatedTo(ChronoUnit.MICROS), null,
                null);
    }

    /**
     * The event row and, with a webhook type, its webhook event ({@code payment_event_record}, migration V201).
     * Written at once, as an insert of the entity would be; the payment's own pending changes are written at
     * commit, after it.
     */
    private static void write(EntityManager em, Payment payment, Type type, Source source, PaymentStatus from,
            String code, String desc, String hint, Instant at, String webhookType, String webhookData) {
        DirectSql.query(em, "SELECT payment_event_record(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, cast(? AS jsonb))",
                (statement, connection) -> {
                    statement.setObject(1, payment.id);
                    statement.setString(2, type.name());
                    statement.setString(3, source.name());
                    statement.setString(4, from == null ? null : from.name());
                    statement.setString(5, from == null ? null : payment.status.name());
                    statement.setString(6, code);
                    statement.setString(7, desc);
                    statement.setString(8, hint);
                    statement.setObject(9, at.atOffset(ZoneOffset.UTC));
                    statement.setLong(10, payment.ownerId);
                    statement.setString(11, webhookType);
                    statement.setString(12, webhookData);
                }, (row, present) -> row.getLong(1));
    }
}
