/**
 * Access grants: what a device (by MAC) may do on a router, and until when. A completing payment writes or extends
 * the grant in its own transaction ({@link org.hotspotbilling.access.AccessGrants}); owners list, revoke and move
 * grants; {@link org.hotspotbilling.access.ExpirySweeper} ends them on our clock. A grant's state follows the table
 * in {@link org.hotspotbilling.access.GrantState} (docs/payments-rules.md "Grant states").
 *
 * <p>How a grant reaches its router lives next door: {@code access.push} calls a reachable router's REST API,
 * {@code access.poll} answers routers that fetch their list. Both are told of a change in the transaction that
 * made it, and both move a grant to {@code on_router} only when the router has it.
 */
package org.hotspotbilling.access;
