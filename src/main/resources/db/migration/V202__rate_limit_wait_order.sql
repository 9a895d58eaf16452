-- rate_limit_take_one (V200) without deadlocks between purchases waiting on one sharded bucket. Two waiters
-- could each hold a shard the other waited for: a waiter's scan keeps the lock of every shard it passed over as
-- emptied, and the scan's row order followed the plan, not the shard number (seen in CI: "deadlock detected",
-- a purchase answered 500). Waits now go in shard order, and a deadlock that still happens (a shard kept locked by
-- an earlier look without waiting) rolls back only the wait and tries it again; after three, the token is refused
-- with the time until one is free, as when none is. Everything else is as in V200.
CREATE OR REPLACE FUNCTION rate_limit_take_one(p_bucket TEXT, p_shards INT, p_capacity BIGINT, p_period INTERVAL,
                                    p_now TIMESTAMPTZ) RETURNS INTERVAL
    LANGUAGE plpgsql AS $$
DECLARE
    v_shard INT;
    v_created BIGINT;
    v_wait INTERVAL;
BEGIN
    IF p_shards = 1 THEN
        -- One statement whether the row exists or not; ON CONFLICT locks the row even when it has no token.
        INSERT INTO rate_limit_shard AS s (bucket, shard, full_at)
        VALUES (p_bucket, 0, p_now + p_period / p_capacity)
        ON CONFLICT (bucket, shard) DO UPDATE SET full_at = greatest(s.full_at, p_now) + p_period / p_capacity
            WHERE s.full_at <= p_now + p_period * (p_capacity - 1) / p_capacity
        RETURNING s.shard INTO v_shard;
        IF FOUND THEN
            RETURN NULL;
        END IF;
        SELECT s.full_at - (p_now + p_period * (p_capacity - 1) / p_capacity) INTO v_wait
          FROM rate_limit_shard s WHERE s.bucket = p_bucket AND s.shard = 0;
        RETURN greatest(v_wait, interval '1 microsecond');
    END IF;

    FOR attempt IN 1 .. 2 LOOP
        -- A shard holding a token that no other transaction holds.
        SELECT s.shard INTO v_shard FROM rate_limit_shard s
         WHERE s.bucket = p_bucket
           AND s.full_at <= p_now + p_period * (rate_limit_shard_capacity(s.shard, p_shards, p_capacity) - 1)
                                    / rate_limit_shard_capacity(s.shard, p_shards, p_capacity)
         LIMIT 1 FOR UPDATE SKIP LOCKED;
        EXIT WHEN FOUND;
        IF attempt = 1 THEN
            -- Missing shards are full: a new bucket, or shards deleted as full. Created once, then looked at again.
            INSERT INTO rate_limit_shard (bucket, shard, full_at)
            SELECT p_bucket, g, p_now FROM generate_series(0, p_shards - 1) g
            ON CONFLICT (bucket, shard) DO NOTHING;
            GET DIAGNOSTICS v_created = ROW_COUNT;
            EXIT WHEN v_created = 0;
        END IF;
    END LOOP;

    IF v_shard IS NULL THEN
        -- Every shard with a token is held by another purchase: wait for one, in shard order. Its new state is
        -- looked at again once it is released, and a shard emptied meanwhile is passed over for the next one (its
        -- lock is kept: PostgreSQL keeps every row lock to the transaction's end). A deadlock with another waiter
        -- rolls back only this wait (its own subtransaction, releasing what it locked), and it is tried again.
        FOR attempt IN 1 .. 3 LOOP
            BEGIN
                SELECT s.shard INTO v_shard FROM rate_limit_shard s
                 WHERE s.bucket = p_bucket
                   AND s.full_at <= p_now + p_period * (rate_limit_shard_capacity(s.shard, p_shards, p_capacity) - 1)
                                            / rate_limit_shard_capacity(s.shard, p_shards, p_capacity)
                 ORDER BY s.shard
                 LIMIT 1 FOR UPDATE;
                EXIT;
            EXCEPTION WHEN deadlock_detected THEN
                v_shard := NULL;
            END;
        END LOOP;
        IF v_shard IS NULL THEN
            SELECT min(s.full_at - (p_now + p_period * (rate_limit_shard_capacity(s.shard, p_shards, p_capacity) - 1)
                                             / rate_limit_shard_capacity(s.shard, p_shards, p_capacity)))
              INTO v_wait FROM rate_limit_shard s WHERE s.bucket = p_bucket;
            RETURN greatest(v_wait, interval '1 microsecond');
        END IF;
    END IF;

    UPDATE rate_limit_shard s
       SET full_at = greatest(s.full_at, p_now) + p_period / rate_limit_shard_capacity(v_shard, p_shards, p_capacity)
     WHERE s.bucket = p_bucket AND s.shard = v_shard;
    RETURN NULL;
END $$;

