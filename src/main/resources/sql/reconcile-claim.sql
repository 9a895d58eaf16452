-- The reconciler's claim (payment/Reconciler): open payments due for a provider check, oldest due first, skipping
-- rows another instance holds. ?1 = now, ?2 = batch size. Served by payment_open_idx, a partial index of the open
-- payments only, so its cost does not grow with the history; bench/history.sh measures this very text.
SELECT id FROM payment
WHERE status IN ('pending', 'processing') AND next_check_at <= ?1
ORDER BY next_check_at
LIMIT ?2
FOR UPDATE SKIP LOCKED
