-- HTTPS push without trusting every certificate (docs/routeros-rest.md "TLS and pinning"): a router may be pinned
-- to the SHA-256 fingerprint of its own certificate (self-signed is fine), which is then the only one accepted.

ALTER TABLE router
    -- the pin: lower-case hex of SHA-256 over the certificate's DER bytes, set by the owner
    ADD COLUMN tls_fingerprint VARCHAR(64) CHECK (tls_fingerprint ~ '^[0-9a-f]{64}$'),
    -- the certificate the router presented at its last connection test, for the owner to compare and confirm
    ADD COLUMN tls_fingerprint_seen VARCHAR(64),
    ADD COLUMN tls_fingerprint_seen_at TIMESTAMP(6) WITH TIME ZONE;

-- The last time push delivery refused the router's certificate, and why (cleared by a pass that gets through):
-- kept apart from last_error, which a later timeout would overwrite.
ALTER TABLE router_push_state
    ADD COLUMN last_tls_error TEXT,
    ADD COLUMN last_tls_error_at TIMESTAMP(6) WITH TIME ZONE;
