-- M-Pesa Daraja as a second provider (docs/daraja.md), and the owner's choice of which credential the captive
-- portal's payments go through.

ALTER TABLE payment_credential DROP CONSTRAINT payment_credential_provider_check;
ALTER TABLE payment_credential ADD CONSTRAINT payment_credential_provider_check
    CHECK (provider IN ('instasend', 'mpesa', 'kopokopo'));

ALTER TABLE payment_credential
    -- Daraja: the business short code (paybill, or the store number of a till), the account type, the PartyB of
    -- a push (the short code for a paybill, the till number for a till) and the Lipa na M-Pesa passkey, a secret:
    -- Tink AEAD bound to (payment_credential.passkey, id, owner_id).
    ADD COLUMN short_code         VARCHAR(7),
    ADD COLUMN account_type       VARCHAR(7) CHECK (account_type IN ('paybill', 'till')),
    ADD COLUMN till_number        VARCHAR(8),
    ADD COLUMN passkey_ciphertext BYTEA,
    -- The credential the portal uses when the owner has more than one active.
    ADD COLUMN portal_default     BOOLEAN NOT NULL DEFAULT FALSE,
    ADD CONSTRAINT payment_credential_daraja_complete CHECK (provider <> 'mpesa' OR environment = 'simulator'
        OR (short_code IS NOT NULL AND account_type IS NOT NULL AND passkey_ciphertext IS NOT NULL));
CREATE UNIQUE INDEX payment_credential_portal_default_key ON payment_credential (owner_id) WHERE portal_default;

-- The M-Pesa receipt a payment was paid with: one receipt pays one payment.
ALTER TABLE payment ADD COLUMN mpesa_receipt VARCHAR(20);
CREATE UNIQUE INDEX payment_mpesa_receipt_key ON payment (mpesa_receipt) WHERE mpesa_receipt IS NOT NULL;

-- What the simulator's customer did with a Daraja-shaped prompt, so its STK Push Query answers the same on every
-- instance.
CREATE TABLE simulator_outcome (
    checkout_request_id VARCHAR(100) PRIMARY KEY,
    result_code         INTEGER      NOT NULL,
    result_desc         TEXT         NOT NULL,
    created_at          TIMESTAMP(6) WITH TIME ZONE NOT NULL DEFAULT now()
);
