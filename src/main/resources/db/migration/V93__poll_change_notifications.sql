-- Every app instance keeps what router polls need in memory (access/PollCache): which router a poll token belongs
-- to, and each router's live list. These triggers tell every instance, through NOTIFY (delivered when the writing
-- transaction commits), which router's cached data went stale, whoever made the change: a payment's grant, a
-- revocation, the expiry sweeper, a token rotation, a deleted router, or SQL typed by hand. The payload is the
-- router id; PostgreSQL folds identical notifications of one transaction into one.

-- A router's poll list changes when a grant is added, removed, extended, changes speed or IP, or becomes live or
-- stops being live. Marking a grant as delivered (pending -> on_router) changes nothing a router sees: no notice.
CREATE FUNCTION notify_grants_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM pg_notify('hotspot_grants_changed', OLD.router_id::text);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM pg_notify('hotspot_grants_changed', NEW.router_id::text);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER access_grant_inserted_or_deleted AFTER INSERT OR DELETE ON access_grant
    FOR EACH ROW EXECUTE FUNCTION notify_grants_changed();

CREATE TRIGGER access_grant_updated AFTER UPDATE ON access_grant
    FOR EACH ROW WHEN (OLD.router_id IS DISTINCT FROM NEW.router_id
        OR OLD.mac_address IS DISTINCT FROM NEW.mac_address
        OR OLD.ip_address IS DISTINCT FROM NEW.ip_address
        OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
        OR OLD.rate_limit IS DISTINCT FROM NEW.rate_limit
        OR OLD.updated_at IS DISTINCT FROM NEW.updated_at
        OR (OLD.state IN ('pending', 'on_router')) IS DISTINCT FROM (NEW.state IN ('pending', 'on_router')))
    EXECUTE FUNCTION notify_grants_changed();

-- A poll token stops working when it is replaced or its router is deleted. Saving a router rewrites every column,
-- so only a different hash counts.
CREATE FUNCTION notify_poll_token_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hotspot_poll_token_changed', OLD.id::text);
    RETURN NULL;
END $$;

CREATE TRIGGER router_poll_token_replaced AFTER UPDATE ON router
    FOR EACH ROW WHEN (OLD.poll_token_sha256 IS DISTINCT FROM NEW.poll_token_sha256)
    EXECUTE FUNCTION notify_poll_token_changed();

CREATE TRIGGER router_deleted AFTER DELETE ON router
    FOR EACH ROW EXECUTE FUNCTION notify_poll_token_changed();
