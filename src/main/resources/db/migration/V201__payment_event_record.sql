-- One timeline event of a payment and, for the types owners subscribe to, its webhook event (webhook_emit), in one
-- call: what payment/PaymentSettlement does for every event, two statements before. Answers the event's id.
CREATE FUNCTION payment_event_record(p_payment UUID, p_type TEXT, p_source TEXT, p_from TEXT, p_to TEXT,
                                     p_code TEXT, p_desc TEXT, p_hint TEXT, p_at TIMESTAMPTZ,
                                     p_owner BIGINT, p_webhook_type TEXT, p_webhook_data JSONB) RETURNS BIGINT
    LANGUAGE plpgsql AS $$
DECLARE
    v_id BIGINT;
BEGIN
    INSERT INTO payment_event (payment_id, type, source, status_from, status_to, result_code, result_desc,
                               recovery_hint, created_at)
    VALUES (p_payment, p_type, p_source, p_from, p_to, p_code, p_desc, p_hint, p_at)
    RETURNING id INTO v_id;
    IF p_webhook_type IS NOT NULL THEN
        PERFORM webhook_emit(p_owner, p_webhook_type, p_webhook_data, p_at);
    END IF;
    RETURN v_id;
END $$;
