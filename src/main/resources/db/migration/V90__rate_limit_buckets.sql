-- Token buckets of the rate limiter (web/RateLimiter: Bucket4j's PostgreSQL store, "select for update" flavour),
-- shared by every instance of the service.
--   id          "<limit name>:<capacity>/<period>:<key>", e.g. 'payment-per-phone:5/PT10M:254712345678'
--   state       Bucket4j's serialized bucket; NULL only between Bucket4j's first insert and its first update
--   expires_at  epoch milliseconds after which the bucket is full again (plus a margin): such rows are deleted
--               periodically, and a missing row means a full bucket.
-- Hot rows are rewritten on every request. expires_at has no index so that those rewrites stay HOT (heap-only)
-- updates, and pages keep free room for them; the periodic cleanup scans this small table instead.
CREATE TABLE rate_limit_bucket (
    id         TEXT PRIMARY KEY,
    state      BYTEA,
    expires_at BIGINT
) WITH (fillfactor = 70);
