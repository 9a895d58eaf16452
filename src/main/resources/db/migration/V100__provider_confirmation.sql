-- Confirmation with the provider (docs/payments.md "Confirmation"): every word a provider says about a payment is
-- recorded before anything is asked, and next_check_at is the one durable "ask the provider" mark that any
-- instance's worker or reconciler picks up, whatever the payment's status (a given-up payment is asked once more
-- later; a webhook claiming success for a failed payment is confirmed).

ALTER TABLE payment
    -- A checkout link's id and signature: IntaSend's status calls for link payments need both.
    ADD COLUMN checkout_id         VARCHAR(100),
    ADD COLUMN checkout_signature  TEXT,
    -- The last time a status call about this payment was made (any path): the portal's polling asks the provider
    -- at most once per hotspot.payments.status-min-interval.
    ADD COLUMN provider_checked_at TIMESTAMP(6) WITH TIME ZONE,
    -- Set when the reconciler gave up after the provider kept saying "pending"; the late re-check follows.
    ADD COLUMN given_up_at         TIMESTAMP(6) WITH TIME ZONE,
    -- Why the payment cannot be settled without the owner (no credential left, nothing to ask the provider with),
    -- recorded once with a requires_recovery event; cleared when it settles.
    ADD COLUMN attention           TEXT;

-- A completed payment is never asked again.
UPDATE payment SET next_check_at = NULL WHERE status = 'completed';
ALTER TABLE payment ADD CONSTRAINT payment_completed_not_checked
    CHECK (status <> 'completed' OR next_check_at IS NULL);

DROP INDEX payment_open_idx;
CREATE INDEX payment_check_due_idx ON payment (next_check_at) WHERE next_check_at IS NOT NULL;
-- Webhooks of link payments name the checkout before any invoice id is known to us.
CREATE INDEX payment_checkout_idx ON payment (checkout_id) WHERE checkout_id IS NOT NULL;

-- What the owner needs to see whether IntaSend reaches us: the last delivery and counts by outcome. Written behind
-- (payment/WebhookStats), at most a second late.
ALTER TABLE payment_credential
    ADD COLUMN webhook_last_at       TIMESTAMP(6) WITH TIME ZONE,
    ADD COLUMN webhook_last_outcome  VARCHAR(20),
    ADD COLUMN webhook_accepted      BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN webhook_ignored       BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN webhook_rejected      BIGINT NOT NULL DEFAULT 0;
