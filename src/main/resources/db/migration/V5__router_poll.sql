-- Routers fetch their authorized MACs (pull mode): a per-router token, and what the router last fetched.

ALTER TABLE router
    ADD COLUMN poll_token_sha256 VARCHAR(64),           -- SHA-256 of the token; the token is shown once
    ADD COLUMN last_poll_at      TIMESTAMP(6) WITH TIME ZONE,
    ADD COLUMN last_poll_version VARCHAR(40);

CREATE UNIQUE INDEX router_poll_token_key ON router (poll_token_sha256);
CREATE INDEX access_grant_live_idx ON access_grant (router_id, expires_at) WHERE state <> 'revoked';
