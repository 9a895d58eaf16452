-- Token buckets of the rate limiter (web/RateLimiter), shared by every instance, in place of Bucket4j's table (V90).
-- Buckets start full again after this migration (a bucket holds minutes of history at most).
--
-- A bucket, "<limit>:<capacity>/<period>/<shards>:<key>" (e.g. 'payment-per-phone:5/PT10M/1:254712345678'), is
-- split into shards, one row each. Shard i holds capacity / shards tokens (the first capacity % shards shards one
-- more) and refills them evenly over the period, so together the shards hold and refill exactly the limit. A cold
-- bucket (one phone, one device) has one shard. A hot one (an owner's public key, a carrier-NAT address) has
-- several: a purchase takes its token inside the transaction that writes its payment and keeps that row locked
-- until it commits, and concurrent purchases take different rows (SKIP LOCKED) instead of queueing on one
-- (docs/payments-rules.md, "Rate limits").
--
-- A shard stores one time, full_at: when it is full again (the generic cell rate algorithm). With
-- T = period / (shard's capacity), it holds capacity - (full_at - now) / T tokens; taking one moves full_at to
-- max(full_at, now) + T, which is allowed while full_at <= now + (capacity - 1) * T. A missing row is a full shard,
-- so buckets whose every row has been full for a minute are deleted periodically (full_at has no index: rewrites
-- of hot rows stay heap-only updates, and the clean-up scans this small table). Times are the database's clock, the
-- same for every instance.
DROP TABLE rate_limit_bucket;

CREATE TABLE rate_limit_shard (
    bucket  TEXT        NOT NULL,
    shard   SMALLINT    NOT NULL,
    full_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (bucket, shard)
) WITH (fillfactor = 70);

-- Shard i's capacity in a bucket of p_capacity tokens split into p_shards (p_shards <= p_capacity).
CREATE FUNCTION rate_limit_shard_capacity(p_shard INT, p_shards INT, p_capacity BIGINT) RETURNS BIGINT
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT p_capacity / p_shards + CASE WHEN p_shard < p_capacity % p_shards THEN 1 ELSE 0 END $$;

-- Takes one token of one bucket at p_now, in the caller's transaction (the row it took from stays locked until that
-- transaction ends). Answers NULL when taken, else how long until the bucket has a token again.
CREATE FUNCTION rate_limit_take_one(p_bucket TEXT, p_shards INT, p_capacity BIGINT, p_period INTERVAL,
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
        -- Every shard with a token is held by another purchase: wait for one. Its new state is looked at again
        -- once it is released, and a shard emptied meanwhile is passed over for the next one.
        SELECT s.shard INTO v_shard FROM rate_limit_shard s
         WHERE s.bucket = p_bucket
           AND s.full_at <= p_now + p_period * (rate_limit_shard_capacity(s.shard, p_shards, p_capacity) - 1)
                                    / rate_limit_shard_capacity(s.shard, p_shards, p_capacity)
         LIMIT 1 FOR UPDATE;
        IF NOT FOUND THEN
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

-- Takes one token of each bucket, in order, in the caller's transaction; stops at the first bucket without one.
-- refused: 0 when every token was taken, else the 1-based index of that bucket; wait_us: microseconds until it has
-- a token again. Tokens taken before a refusal are the caller's to commit or roll back.
CREATE FUNCTION rate_limit_take(p_buckets TEXT[], p_shards INT[], p_capacities BIGINT[], p_periods_us BIGINT[],
                                OUT refused INT, OUT wait_us BIGINT)
    LANGUAGE plpgsql AS $$
DECLARE
    v_now TIMESTAMPTZ := clock_timestamp();
    v_wait INTERVAL;
BEGIN
    refused := 0;
    wait_us := 0;
    FOR i IN 1 .. coalesce(array_length(p_buckets, 1), 0) LOOP
        v_wait := rate_limit_take_one(p_buckets[i], p_shards[i], p_capacities[i],
                                      p_periods_us[i] * interval '1 microsecond', v_now);
        IF v_wait IS NOT NULL THEN
            refused := i;
            wait_us := ceil(extract(epoch FROM v_wait) * 1000000)::BIGINT;
            RETURN;
        END IF;
    END LOOP;
END $$;
