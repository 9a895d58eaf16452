/**
 * Push delivery: bringing a reachable router's hotspot entries in line with its live grants over the RouterOS REST
 * API. A durable outbox in PostgreSQL ({@link org.hotspotbilling.access.push.PushOutbox}), shared by every
 * instance, one router leased to one worker at a time ({@link org.hotspotbilling.access.push.PushWorker}); a pass
 * reads, diffs, writes and reads back ({@link org.hotspotbilling.access.push.RouterSync}), comparing values the way
 * RouterOS prints them (docs/routeros-rest.md). Owners can ask for a pass now and see the push state.
 */
package org.hotspotbilling.access.push;
