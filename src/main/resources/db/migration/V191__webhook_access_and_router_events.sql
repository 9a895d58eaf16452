-- Owner webhooks for access and routers (docs/webhooks.md "Events").

-- A grant reaching the router (pending -> on_router) or running out (-> expired) is an event, written by the
-- statement that moves it, whichever it is: a poll report, a push pass, a legacy fetch, the expiry sweeper, or SQL
-- typed by hand. Every such move is one UPDATE of the grant's row, so the event commits or rolls back with it.
CREATE FUNCTION access_grant_webhook() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM webhook_emit(NEW.owner_id,
        CASE NEW.state WHEN 'on_router' THEN 'access.on_router' ELSE 'access.expired' END,
        jsonb_build_object('grant_id', NEW.id, 'router_id', NEW.router_id, 'mac_address', NEW.mac_address,
            'ip_address', NEW.ip_address, 'rate_limit', NEW.rate_limit, 'state', NEW.state,
            'expires_at', to_char(NEW.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            'payment_id', NEW.last_payment_id),
        clock_timestamp());
    RETURN NULL;
END $$;

CREATE TRIGGER access_grant_webhook AFTER UPDATE OF state ON access_grant
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state AND NEW.state IN ('on_router', 'expired'))
    EXECUTE FUNCTION access_grant_webhook();

-- What owners were last told of each polling router: online or offline, derived from last_poll_at by a scheduled
-- detector (hooks/RouterReachability). A transition is recorded by one UPDATE of this row, under its lock, with its
-- event in the same transaction: instances checking at once record it once.
CREATE TABLE router_reachability (
    router_id  BIGINT PRIMARY KEY REFERENCES router (id) ON DELETE CASCADE,
    state      VARCHAR(7)   NOT NULL CHECK (state IN ('online', 'offline')),
    changed_at TIMESTAMP(6) WITH TIME ZONE NOT NULL
);
