-- The overview's webhooks area (docs/overview.md): an owner's waiting deliveries and those that failed for good,
-- read by owner without walking the 30 days of delivered ones.
CREATE INDEX webhook_delivery_owner_queued_idx ON webhook_delivery (owner_id) WHERE state = 'queued';
CREATE INDEX webhook_delivery_owner_failed_idx ON webhook_delivery (owner_id, finished_at) WHERE state = 'failed';
