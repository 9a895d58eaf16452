-- The operations gauges (ops/OperationsGauges, docs/metrics.md) read these every 10 s on every instance: open
-- payments with the oldest first, and payments that need their owner. Both sets are small next to the history, so
-- the partial indexes stay small while the table grows.
CREATE INDEX payment_open_created_idx ON payment (status, created_at) WHERE status IN ('pending', 'processing');
CREATE INDEX payment_attention_idx ON payment (created_at) WHERE attention IS NOT NULL;
