/**
 * Poll delivery, the default for routers behind carrier NAT: the route a router's script fetches its list from
 * and confirms what it applied to ({@link org.hotspotbilling.access.poll.AuthorizedMacsRoute}, protocol in
 * docs/poll-protocol.md), the list and its version ({@link org.hotspotbilling.access.poll.RouterPoll}), the
 * in-memory cache that answers most polls without the database and the PostgreSQL notifications that keep it right
 * across instances ({@link org.hotspotbilling.access.poll.PollCache}), and what owners see of each router's polling
 * ({@link org.hotspotbilling.access.poll.RouterPollStatus}).
 */
package org.hotspotbilling.access.poll;
