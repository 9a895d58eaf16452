-- Owners' payment-provider credentials. One per (owner, provider).

CREATE SEQUENCE payment_credential_id_seq;

CREATE TABLE payment_credential (
    id                     BIGINT PRIMARY KEY DEFAULT nextval('payment_credential_id_seq'),
    owner_id               BIGINT       NOT NULL REFERENCES owner_account (id) ON DELETE CASCADE,
    provider               VARCHAR(20)  NOT NULL CHECK (provider IN ('instasend', 'kopokopo')),
    api_key                VARCHAR(255) NOT NULL,          -- publishable key: not a secret
    -- Tink AEAD ciphertext bound to (payment_credential, id, owner_id); the plaintext never leaves the service.
    private_key_ciphertext BYTEA        NOT NULL,
    private_key_sha256     VARCHAR(64)  NOT NULL,          -- for verify
    environment            VARCHAR(10)  NOT NULL CHECK (environment IN ('sandbox', 'live', 'simulator')),
    is_active              BOOLEAN      NOT NULL DEFAULT TRUE,
    -- The unguessable path segment of this owner's webhook URL, and the hash of the IntaSend "challenge".
    callback_token         VARCHAR(64)  NOT NULL,
    webhook_secret_sha256  VARCHAR(64),
    webhook_secret_set_at  TIMESTAMP(6) WITH TIME ZONE,
    created_at             TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    updated_at             TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    CONSTRAINT payment_credential_owner_provider_key UNIQUE (owner_id, provider),
    CONSTRAINT payment_credential_callback_token_key UNIQUE (callback_token)
);
ALTER SEQUENCE payment_credential_id_seq OWNED BY payment_credential.id;
