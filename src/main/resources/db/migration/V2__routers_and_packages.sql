-- Routers (MikroTik devices) and the WiFi packages sold on them.

CREATE SEQUENCE router_id_seq;

CREATE TABLE router (
    id                  BIGINT PRIMARY KEY DEFAULT nextval('router_id_seq'),
    owner_id            BIGINT       NOT NULL REFERENCES owner_account (id) ON DELETE CASCADE,
    name                VARCHAR(100) NOT NULL,
    host                VARCHAR(253) NOT NULL,              -- IPv4/IPv6 literal or DNS name
    port                INTEGER      NOT NULL DEFAULT 80 CHECK (port BETWEEN 1 AND 65535),
    username            VARCHAR(100) NOT NULL,
    -- Tink AEAD ciphertext, bound to (router, id, owner_id); NULL when the router user has no password.
    password_ciphertext BYTEA,
    use_https           BOOLEAN      NOT NULL DEFAULT FALSE,
    verify_tls          BOOLEAN      NOT NULL DEFAULT TRUE,
    is_online           BOOLEAN      NOT NULL DEFAULT FALSE,
    last_checked        TIMESTAMP(6) WITH TIME ZONE,
    last_error          VARCHAR(500),
    created_at          TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    updated_at          TIMESTAMP(6) WITH TIME ZONE NOT NULL
);
ALTER SEQUENCE router_id_seq OWNED BY router.id;

CREATE INDEX router_owner_idx ON router (owner_id, name);

CREATE SEQUENCE plan_id_seq;

CREATE TABLE plan (
    id                  BIGINT PRIMARY KEY DEFAULT nextval('plan_id_seq'),
    router_id           BIGINT        NOT NULL REFERENCES router (id) ON DELETE CASCADE,
    name                VARCHAR(100)  NOT NULL,
    package_type        VARCHAR(10)   NOT NULL CHECK (package_type IN ('hourly', 'monthly')),
    duration_hours      INTEGER       NOT NULL CHECK (duration_hours > 0),
    price               NUMERIC(10, 2) NOT NULL CHECK (price >= 0.01),
    download_speed_mbps INTEGER       NOT NULL CHECK (download_speed_mbps > 0),
    upload_speed_mbps   INTEGER       NOT NULL CHECK (upload_speed_mbps > 0),
    data_limit_mb       INTEGER       CHECK (data_limit_mb > 0),   -- NULL: unlimited
    shared_users        INTEGER       NOT NULL DEFAULT 1 CHECK (shared_users BETWEEN 1 AND 100),
    description         TEXT          NOT NULL DEFAULT '',
    is_active           BOOLEAN       NOT NULL DEFAULT TRUE,
    created_at          TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    updated_at          TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    CONSTRAINT plan_router_name_key UNIQUE (router_id, name)
);
ALTER SEQUENCE plan_id_seq OWNED BY plan.id;
