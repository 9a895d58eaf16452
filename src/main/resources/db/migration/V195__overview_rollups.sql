-- The owner's overview (docs/overview.md): per-day totals of settled payments, completion times and provider
-- callbacks, kept by triggers in the transaction (and the statement) that changes a payment or records a callback,
-- so every writer keeps them exact: settlements under the payment's row lock, a late success moving a payment from
-- failed to completed, SQL typed by hand. Reads then sum a few rows per day instead of a day's payments.
--
-- Writes to payment and payment_event wait until this migration has committed: the backfill below and the
-- triggers then start from the same rows.
LOCK TABLE payment, payment_event IN SHARE ROW EXCLUSIVE MODE;

-- The provider's result code of a payment's failure (PaymentSettlement.fail), for failures by code.
ALTER TABLE payment ADD COLUMN failure_code VARCHAR(40);
UPDATE payment p SET failure_code = f.result_code
FROM (SELECT DISTINCT ON (payment_id) payment_id, result_code FROM payment_event WHERE type = 'failed'
      ORDER BY payment_id, id DESC) f
WHERE p.id = f.payment_id AND p.status IN ('failed', 'cancelled') AND f.result_code IS NOT NULL;

-- Which of a payment's rollup rows a change goes to: the rows of one day are split in four by payment id, so
-- concurrent settlements of one owner on one day rarely wait for each other's commit on the same row.
CREATE FUNCTION overview_slot(payment_id UUID) RETURNS SMALLINT IMMUTABLE LANGUAGE sql AS $$
    SELECT (get_byte(uuid_send(payment_id), 15) & 3)::smallint
$$;

-- The histogram bucket of a time to complete (seconds from created_at to completed_at): its lower bound in
-- seconds. 1 s wide below a minute, 10 s below 5 minutes, 1 min below 30 minutes, 10 min below 2 hours, 1 h below
-- 48 hours, then one open bucket. overview_bucket_width gives each bucket's width (0: the open one).
CREATE FUNCTION overview_bucket(seconds DOUBLE PRECISION) RETURNS INTEGER IMMUTABLE LANGUAGE sql AS $$
    SELECT CASE
        WHEN seconds < 0 THEN 0
        WHEN seconds < 60 THEN floor(seconds)::integer
        WHEN seconds < 300 THEN (floor(seconds / 10) * 10)::integer
        WHEN seconds < 1800 THEN (floor(seconds / 60) * 60)::integer
        WHEN seconds < 7200 THEN (floor(seconds / 600) * 600)::integer
        WHEN seconds < 172800 THEN (floor(seconds / 3600) * 3600)::integer
        ELSE 172800 END
$$;
CREATE FUNCTION overview_bucket_width(bucket INTEGER) RETURNS INTEGER IMMUTABLE LANGUAGE sql AS $$
    SELECT CASE WHEN bucket < 60 THEN 1 WHEN bucket < 300 THEN 10 WHEN bucket < 1800 THEN 60
        WHEN bucket < 7200 THEN 600 WHEN bucket < 172800 THEN 3600 ELSE 0 END
$$;

-- Each rollup row is updated at every settlement of its day: half of every page is left free, so the new version
-- of a row goes to its own page (a HOT update, no index entry) and the page's dead versions are pruned as it is
-- read, keeping the tables as small as their rows.

-- Settled payments (completed, failed, cancelled) per owner and UTC day of creation: how many, and their amount.
-- result_code is the failure's provider code for failed and cancelled payments ('' for none), '' for completed.
-- Open payments are not here: they are few and change often, and are counted from payment itself.
CREATE TABLE overview_payment_day (
    owner_id    BIGINT         NOT NULL REFERENCES owner_account (id) ON DELETE CASCADE,
    day         DATE           NOT NULL,
    status      VARCHAR(10)    NOT NULL,
    provider    VARCHAR(20)    NOT NULL,
    currency    VARCHAR(3)     NOT NULL,
    result_code VARCHAR(40)    NOT NULL,
    slot        SMALLINT       NOT NULL,
    payments    BIGINT         NOT NULL,
    amount      NUMERIC(16, 2) NOT NULL,
    PRIMARY KEY (owner_id, day, status, provider, currency, result_code, slot)
) WITH (fillfactor = 50);

-- Completed payments per owner, UTC day of creation and time-to-complete bucket. No slots: a day's completions
-- already spread over some fifty buckets (customers take 10 s to a minute to answer the prompt).
CREATE TABLE overview_completion_day (
    owner_id BIGINT   NOT NULL REFERENCES owner_account (id) ON DELETE CASCADE,
    day      DATE     NOT NULL,
    bucket   INTEGER  NOT NULL,
    payments BIGINT   NOT NULL,
    PRIMARY KEY (owner_id, day, bucket)
) WITH (fillfactor = 50);

-- Provider callbacks (payment_event type webhook_received) per owner, UTC day received and provider.
CREATE TABLE overview_callback_day (
    owner_id  BIGINT      NOT NULL REFERENCES owner_account (id) ON DELETE CASCADE,
    day       DATE        NOT NULL,
    provider  VARCHAR(20) NOT NULL,
    slot      SMALLINT    NOT NULL,
    callbacks BIGINT      NOT NULL,
    PRIMARY KEY (owner_id, day, provider, slot)
) WITH (fillfactor = 50);

-- A payment's part in the rollups, added (delta 1) or taken away (-1). Taking away only updates: a payment deleted
-- with its owner finds the owner's rows already gone, and must not write them again.
CREATE FUNCTION overview_payment_add(p payment, delta INTEGER) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    d DATE := (p.created_at AT TIME ZONE 'UTC')::date;
    code VARCHAR(40) := CASE WHEN p.status = 'completed' THEN '' ELSE coalesce(p.failure_code, '') END;
    s SMALLINT := overview_slot(p.id);
    b INTEGER := overview_bucket(extract(epoch FROM p.completed_at - p.created_at));
BEGIN
    IF p.status NOT IN ('completed', 'failed', 'cancelled') THEN
        RETURN;
    END IF;
    IF delta > 0 THEN
        INSERT INTO overview_payment_day AS t VALUES (p.owner_id, d, p.status, p.payment_provider, p.currency, code,
            s, delta, delta * p.amount)
        ON CONFLICT (owner_id, day, status, provider, currency, result_code, slot)
        DO UPDATE SET payments = t.payments + excluded.payments, amount = t.amount + excluded.amount;
    ELSE
        UPDATE overview_payment_day SET payments = payments + delta, amount = amount + delta * p.amount
        WHERE owner_id = p.owner_id AND day = d AND status = p.status AND provider = p.payment_provider
            AND currency = p.currency AND result_code = code AND slot = s;
    END IF;
    IF p.status <> 'completed' OR p.completed_at IS NULL THEN
        RETURN;
    END IF;
    IF delta > 0 THEN
        INSERT INTO overview_completion_day AS t VALUES (p.owner_id, d, b, delta)
        ON CONFLICT (owner_id, day, bucket) DO UPDATE SET payments = t.payments + excluded.payments;
    ELSE
        UPDATE overview_completion_day SET payments = payments + delta
        WHERE owner_id = p.owner_id AND day = d AND bucket = b;
    END IF;
END $$;

-- The old row's part out, the new row's in. Whichever sorts first goes first, so two transactions that both touch
-- the same two rows (two late successes of one day) take them in the same order and never wait on each other in
-- a cycle.
CREATE FUNCTION overview_payment_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM overview_payment_add(NEW, 1);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM overview_payment_add(OLD, -1);
    ELSIF ROW(OLD.owner_id, OLD.created_at, OLD.status) <= ROW(NEW.owner_id, NEW.created_at, NEW.status) THEN
        PERFORM overview_payment_add(OLD, -1);
        PERFORM overview_payment_add(NEW, 1);
    ELSE
        PERFORM overview_payment_add(NEW, 1);
        PERFORM overview_payment_add(OLD, -1);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER overview_payment_inserted AFTER INSERT ON payment
    FOR EACH ROW WHEN (NEW.status IN ('completed', 'failed', 'cancelled'))
    EXECUTE FUNCTION overview_payment_changed();
CREATE TRIGGER overview_payment_deleted AFTER DELETE ON payment
    FOR EACH ROW WHEN (OLD.status IN ('completed', 'failed', 'cancelled'))
    EXECUTE FUNCTION overview_payment_changed();
-- Only changes of what the rollups hold: a reconciler's bookkeeping or a provider check touches none of these.
CREATE TRIGGER overview_payment_updated AFTER UPDATE ON payment
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
        OR OLD.owner_id IS DISTINCT FROM NEW.owner_id
        OR OLD.created_at IS DISTINCT FROM NEW.created_at
        OR OLD.completed_at IS DISTINCT FROM NEW.completed_at
        OR OLD.amount IS DISTINCT FROM NEW.amount
        OR OLD.currency IS DISTINCT FROM NEW.currency
        OR OLD.payment_provider IS DISTINCT FROM NEW.payment_provider
        OR OLD.failure_code IS DISTINCT FROM NEW.failure_code)
    EXECUTE FUNCTION overview_payment_changed();

-- A callback names its payment's owner and provider (filled in below; null on other events), so the callbacks of
-- a partial day are read by (owner, time) from an index, without visiting their payments.
ALTER TABLE payment_event ADD COLUMN owner_id BIGINT, ADD COLUMN provider VARCHAR(20);
UPDATE payment_event e SET owner_id = p.owner_id, provider = p.payment_provider FROM payment p
WHERE p.id = e.payment_id AND e.type = 'webhook_received';
CREATE INDEX payment_event_callback_idx ON payment_event (owner_id, created_at) WHERE type = 'webhook_received';

CREATE FUNCTION overview_callback_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT owner_id, payment_provider INTO NEW.owner_id, NEW.provider FROM payment WHERE id = NEW.payment_id;
    RETURN NEW;
END $$;

CREATE FUNCTION overview_callback_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO overview_callback_day AS t VALUES (NEW.owner_id, (NEW.created_at AT TIME ZONE 'UTC')::date,
            NEW.provider, overview_slot(NEW.payment_id), 1)
        ON CONFLICT (owner_id, day, provider, slot) DO UPDATE SET callbacks = t.callbacks + 1;
    ELSE
        UPDATE overview_callback_day SET callbacks = callbacks - 1
        WHERE owner_id = OLD.owner_id AND day = (OLD.created_at AT TIME ZONE 'UTC')::date
            AND provider = OLD.provider AND slot = overview_slot(OLD.payment_id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER overview_callback_owner BEFORE INSERT ON payment_event
    FOR EACH ROW WHEN (NEW.type = 'webhook_received') EXECUTE FUNCTION overview_callback_owner();
CREATE TRIGGER overview_callback_inserted AFTER INSERT ON payment_event
    FOR EACH ROW WHEN (NEW.type = 'webhook_received') EXECUTE FUNCTION overview_callback_changed();
CREATE TRIGGER overview_callback_deleted AFTER DELETE ON payment_event
    FOR EACH ROW WHEN (OLD.type = 'webhook_received') EXECUTE FUNCTION overview_callback_changed();

-- The rollups of the payments and callbacks already there.
INSERT INTO overview_payment_day
SELECT owner_id, (created_at AT TIME ZONE 'UTC')::date, status, payment_provider, currency,
    CASE WHEN status = 'completed' THEN '' ELSE coalesce(failure_code, '') END, overview_slot(id), count(*),
    sum(amount)
FROM payment WHERE status IN ('completed', 'failed', 'cancelled')
GROUP BY 1, 2, 3, 4, 5, 6, 7;
INSERT INTO overview_completion_day
SELECT owner_id, (created_at AT TIME ZONE 'UTC')::date, overview_bucket(extract(epoch FROM completed_at - created_at)),
    count(*)
FROM payment WHERE status = 'completed' AND completed_at IS NOT NULL
GROUP BY 1, 2, 3;
INSERT INTO overview_callback_day
SELECT owner_id, (created_at AT TIME ZONE 'UTC')::date, provider, overview_slot(payment_id), count(*)
FROM payment_event WHERE type = 'webhook_received'
GROUP BY 1, 2, 3, 4;

-- Live grants of one owner by state (the overview counts them from the index alone; access_grant_owner_idx would
-- visit every ended grant too).
CREATE INDEX access_grant_owner_live_idx ON access_grant (owner_id, state, expires_at)
    WHERE state IN ('pending', 'on_router');
