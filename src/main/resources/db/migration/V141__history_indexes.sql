-- History at scale (docs/payments-rules.md, "History"): every foreign key that a delete or a filter follows has an
-- index, so deleting a router, package, credential or owner, and filtering an owner's payments, never scans the
-- whole history. Foreign keys already covered by a primary key, a unique constraint or an earlier index are not
-- repeated: router.owner_id, plan.router_id, payment_credential.owner_id, payment.owner_id,
-- payment_event.payment_id, access_grant.router_id, idempotency_key.owner_id (and .payment_id, V140),
-- router_push_job.router_id, router_push_state.router_id, api_key.owner_id.

-- The owner's list pages by keyset, newest first: (created_at, id) after the cursor, within one owner.
DROP INDEX payment_owner_created_idx;
CREATE INDEX payment_owner_created_idx ON payment (owner_id, created_at DESC, id DESC);
-- Filters of the owner's list, each in the list's order so a page reads only its own rows.
CREATE INDEX payment_owner_status_idx ON payment (owner_id, status, created_at DESC, id DESC);
DROP INDEX payment_owner_phone_idx;
CREATE INDEX payment_owner_phone_idx ON payment (owner_id, phone_number, created_at DESC, id DESC);
-- payment.router_id (ON DELETE RESTRICT: deleting a router looks for its payments) and the router filter, which
-- always comes with the owner: both as equalities ahead of the list order.
CREATE INDEX payment_router_idx ON payment (router_id, owner_id, created_at DESC, id DESC);
-- payment.plan_id and payment.credential_id (ON DELETE SET NULL: deleting a package or credential updates its
-- payments; open payments of a credential are counted before it may be deleted).
CREATE INDEX payment_plan_idx ON payment (plan_id) WHERE plan_id IS NOT NULL;
CREATE INDEX payment_credential_idx ON payment (credential_id, status) WHERE credential_id IS NOT NULL;

-- access_grant.owner_id (ON DELETE CASCADE) and access_grant.last_payment_id (ON DELETE SET NULL).
CREATE INDEX access_grant_owner_idx ON access_grant (owner_id);
CREATE INDEX access_grant_last_payment_idx ON access_grant (last_payment_id) WHERE last_payment_id IS NOT NULL;

-- router_push_job.grant_id (ON DELETE SET NULL), and the pruning of delivered jobs by age.
CREATE INDEX router_push_job_grant_idx ON router_push_job (grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX router_push_job_delivered_idx ON router_push_job (delivered_at) WHERE state = 'delivered';
