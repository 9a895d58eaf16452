-- The reconciler's claim (payment/Reconciler): payments whose "ask the provider" mark is due (open payments, and
-- given-up ones due their one late re-check), oldest mark first, skipping rows another instance holds.
-- ?1 = now, ?2 = batch size. Served by payment_check_due_idx, a partial index of the marked payments only, so its
-- cost does not grow with the history; bench/history.sh measures this very text.
SELECT id FROM payment
WHERE next_check_at <= ?1
ORDER BY next_check_at
LIMIT ?2
FOR UPDATE SKIP LOCKED
