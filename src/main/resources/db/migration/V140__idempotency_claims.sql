-- Idempotency-Key survives a crash (payment/IdempotencyKeys, docs/payments-rules.md "Idempotency").
--   payment_id   the payment the first request wrote, set in the very transaction that writes it: a retry whose
--                first request died after that point answers with this payment instead of starting another.
--   claim_token  who holds the key right now; a retry that takes over a stale claim gets a new token, so the
--                request it replaced can neither attach a payment nor store an answer any more.
--   claimed_at   when the current holder claimed it; past the lock timeout a retry may take over.
ALTER TABLE idempotency_key
    ADD COLUMN payment_id  UUID REFERENCES payment (id) ON DELETE SET NULL,
    ADD COLUMN claim_token UUID,
    ADD COLUMN claimed_at  TIMESTAMP(6) WITH TIME ZONE;
UPDATE idempotency_key SET claim_token = gen_random_uuid(), claimed_at = created_at;
ALTER TABLE idempotency_key
    ALTER COLUMN claim_token SET NOT NULL,
    ALTER COLUMN claimed_at SET NOT NULL;
CREATE INDEX idempotency_key_payment_idx ON idempotency_key (payment_id) WHERE payment_id IS NOT NULL;
