-- Delivered means applied (docs/poll-protocol.md "Confirmation"): a poll router whose script confirms what it
-- applied moves a grant to on_router only when it confirms a list version containing it, not when it fetched it.

ALTER TABLE router
    -- whether the router's last poll said its script confirms (confirms=yes); false: an older script, for which a
    -- fetched list still counts as delivered; null: never polled
    ADD COLUMN last_poll_confirms   BOOLEAN,
    -- the last list version the router applied without a failure (confirm call, or a later poll holding it)
    ADD COLUMN last_applied_version VARCHAR(40),
    ADD COLUMN last_applied_at      TIMESTAMP(6) WITH TIME ZONE,
    -- what the script reported of its last pass: when, how many changes failed, and its last error text
    ADD COLUMN last_report_at       TIMESTAMP(6) WITH TIME ZONE,
    ADD COLUMN last_report_failed   INTEGER,
    ADD COLUMN last_report_error    VARCHAR(500);

-- The grants still pending in each list version served to a confirming router, as (id, updated_at) pairs, so that
-- a confirmation of version V marks exactly the grants V contained, in the form V contained them, even after the
-- list has changed again (and on any instance). Written once per version that has pending grants; a confirmation
-- deletes the router's rows up to the version it confirms, and rows older than a day go with the next one.
CREATE TABLE router_list_served (
    router_id        BIGINT       NOT NULL REFERENCES router (id) ON DELETE CASCADE,
    version          VARCHAR(40)  NOT NULL,
    served_at        TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    grant_ids        BIGINT[]     NOT NULL,
    grant_updated_at TIMESTAMP(6) WITH TIME ZONE[] NOT NULL,
    PRIMARY KEY (router_id, version)
);
