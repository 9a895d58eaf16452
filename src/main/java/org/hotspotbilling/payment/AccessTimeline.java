package org.hotspotbilling.payment;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.hotspotbilling.access.AccessGrants;
import org.hotspotbilling.payment.PaymentEvent.Source;
import org.hotspotbilling.payment.PaymentEvent.Type;

/**
 * Writes into a payment's timeline what happened later to the access it bought. Access announces the change in its
 * own transaction (it does not know payments), so the event commits or rolls back with the change itself.
 */
@ApplicationScoped
public class AccessTimeline {

    private final EntityManager em;

    public AccessTimeline(EntityManager em) {
        this.em = em;
    }

    @Transactional(Transactional.TxType.MANDATORY)
    void onTimeMoved(@Observes AccessGrants.TimeMoved moved) {
        Payment payment = moved.paymentId() == null ? null : em.find(Payment.class, moved.paymentId());
        if (payment == null) {
            return; // time whose payment is gone (deleted with its owner's data) has no timeline to write to
        }
        PaymentSettlement.event(em, payment, Type.access_moved, Source.owner, null, null, moved.moved().toSeconds()
                + " s moved from " + moved.fromMac() + " to " + moved.toMac() + (moved.merged()
                        ? ", added after the time that device already had" : "") + "; now until "
                + moved.expiresAt(), null);
    }
}
