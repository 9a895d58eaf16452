package org.hotspotbilling.access;

import org.hotspotbilling.access.PushOutbox.Desired;
import org.hotspotbilling.router.RouterOsException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.hotspotbilling.access.RouterSync.TAG;
import static org.hotspotbilling.testing.RouterOsTables.ACTIVE;
import static org.hotspotbilling.testing.RouterOsTables.BINDINGS;
import static org.hotspotbilling.testing.RouterOsTables.PROFILES;
import static org.hotspotbilling.testing.RouterOsTables.QUEUES;
import static org.hotspotbilling.testing.RouterOsTables.USERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A push pass's diff, writes and read-back against a router in memory that answers as RouterOS does
 * (ScriptedRouter): no HTTP, no application, milliseconds per test.
 */
class RouterSyncTest {

    private static final String MAC = "02:00:00:00:00:0A";
    private static final String OTHER_MAC = "02:00:00:00:00:0B";

    private final ScriptedRouter router = new ScriptedRouter();

    private static Desired grant(String mac, String rateLimit) {
        return grant(mac, null, rateLimit);
    }

    private static Desired grant(String mac, String ip, String rateLimit) {
        return new Desired(1, mac, ip, rateLimit, "pending", Instant.EPOCH);
    }

    private RouterSync.Result users(Desired... grants) throws RouterOsException {
        return RouterSync.run(router, "hotspot-user", List.of(grants), false);
    }

    private RouterSync.Result bindings(Desired... grants) throws RouterOsException {
        return RouterSync.run(router, "ip-binding", List.of(grants), false);
    }

    private List<Map<String, String>> named(String menu, String field, String value) {
        return router.tables.rows(menu).stream().filter(r -> value.equals(r.get(field))).toList();
    }

    private static RouterOsException refused(String detail) {
        return new RouterOsException(RouterOsException.Kind.ERROR, 400, "Router answered 400 Bad Request: " + detail,
                detail, null);
    }

    // --- add -------------------------------------------------------------------------------------------------------

    @Test
    void aNewGrantAddsItsSpeedProfileAndItsUserAndIsApplied() throws Exception {
        RouterSync.Result result = users(grant(MAC, "2M/5M"));

        assertEquals(List.of(
                "GET /ip/hotspot/user {comment=hotspot-billing}",
                "GET /ip/hotspot/user/profile",
                "PUT /ip/hotspot/user/profile {name=bill_2M_5M, rate-limit=2M/5M, shared-users=1}",
                "PUT /ip/hotspot/user {name=" + MAC + ", password=" + MAC + ", mac-address=" + MAC
                        + ", profile=bill_2M_5M, comment=hotspot-billing}",
                "GET /ip/hotspot/user {comment=hotspot-billing}",
                "GET /ip/hotspot/user/profile"), router.calls());
        assertTrue(result.complete(), result.problems()::toString);
        assertEquals(Set.of(MAC), result.applied());
        assertEquals(2, result.changes());
    }

    @Test
    void aSecondPassOverTheRoutersNormalisedValuesWritesNothing() throws Exception {
        users(grant(MAC, "2M/5M"));
        assertEquals("2000000/5000000", named(PROFILES, "name", "bill_2M_5M").get(0).get("rate-limit"));
        router.forgetCalls();

        RouterSync.Result again = users(grant(MAC, "2M/5M"));

        assertEquals(List.of(), router.writes());
        assertEquals(0, again.changes());
        assertEquals(Set.of(MAC), again.applied());
        assertTrue(again.complete());
    }

    @Test
    void ipBindingModeConvergesInOnePassThoughTheQueueReadsBackInBitsPerSecond() throws Exception {
        RouterSync.Result first = bindings(grant(MAC, "10.5.50.9", "512k/1500k"));
        assertTrue(first.complete(), first.problems()::toString);
        assertEquals(Set.of(MAC), first.applied());
        assertEquals("512000/1500000", named(QUEUES, "name", "bill-" + MAC).get(0).get("max-limit"));
        assertEquals("10.5.50.9/32", named(QUEUES, "name", "bill-" + MAC).get(0).get("target"));
        router.forgetCalls();

        RouterSync.Result second = bindings(grant(MAC, "10.5.50.9", "512k/1500k"));

        assertEquals(List.of(), router.writes());
        assertEquals(Set.of(MAC), second.applied());
    }

    // --- change of speed tier ------------------------------------------------------------------------------------

    @Test
    void aChangedSpeedTierMovesTheUserToItsProfileAndEndsTheSessionSoItApplies() throws Exception {
        users(grant(MAC, "2M/5M"));
        String session = router.tables.seed(ACTIVE, Map.of("user", MAC, "mac-address", MAC, "address", "10.5.50.7"));
        router.tables.seed(ACTIVE, Map.of("user", "reception", "mac-address", OTHER_MAC, "address", "10.5.50.8"));
        String user = named(USERS, "name", MAC).get(0).get(".id");
        router.forgetCalls();

        RouterSync.Result result = users(grant(MAC, "5M/10M"));

        assertEquals(List.of(
                "PUT /ip/hotspot/user/profile {name=bill_5M_10M, rate-limit=5M/10M, shared-users=1}",
                "PATCH /ip/hotspot/user/" + user + " {profile=bill_5M_10M, mac-address=" + MAC + ", disabled=false}",
                "DELETE /ip/hotspot/active/" + session), router.writes());
        assertEquals("bill_5M_10M", named(USERS, "name", MAC).get(0).get("profile"));
        assertEquals(1, router.tables.rows(ACTIVE).size());
        assertEquals(Set.of(MAC), result.applied());
    }

    @Test
    void aQueueOnANewAddressOrSpeedIsChangedInPlace() throws Exception {
        bindings(grant(MAC, "10.5.50.9", "2M/5M"));
        String queue = named(QUEUES, "name", "bill-" + MAC).get(0).get(".id");
        router.forgetCalls();

        RouterSync.Result result = bindings(grant(MAC, "10.5.50.10", "5M/10M"));

        assertEquals(List.of("PATCH /queue/simple/" + queue + " {target=10.5.50.10/32, max-limit=5M/10M, "
                + "disabled=false}"), router.writes());
        assertEquals("5000000/10000000", named(QUEUES, "name", "bill-" + MAC).get(0).get("max-limit"));
        assertEquals(Set.of(MAC), result.applied());
    }

    // --- remove ----------------------------------------------------------------------------------------------------

    @Test
    void anEndedGrantsUserIsRemovedAndItsSessionEnded() throws Exception {
        users(grant(MAC, "2M/5M"));
        router.tables.seed(ACTIVE, Map.of("user", MAC, "mac-address", MAC));

        RouterSync.Result result = users();

        assertTrue(named(USERS, "name", MAC).isEmpty());
        assertTrue(router.tables.rows(ACTIVE).isEmpty());
        assertEquals(1, named(PROFILES, "name", "bill_2M_5M").size(), "profiles are shared, never removed");
        assertTrue(result.complete());
        assertEquals(Set.of(), result.applied());
    }

    @Test
    void anEndedGrantsBindingAndQueueAreRemovedAndAnySessionOfTheMacEnded() throws Exception {
        bindings(grant(MAC, "10.5.50.9", "2M/5M"));
        router.tables.seed(ACTIVE, Map.of("user", "T-" + MAC, "mac-address", MAC));

        bindings();

        assertTrue(named(BINDINGS, "comment", TAG).isEmpty());
        assertTrue(named(QUEUES, "comment", TAG).isEmpty());
        assertTrue(router.tables.rows(ACTIVE).isEmpty());
    }

    @Test
    void switchingModesWithEverythingRemovesTheOtherModesEntries() throws Exception {
        users(grant(MAC, "2M/5M"));

        RouterSync.Result result = RouterSync.run(router, "ip-binding", List.of(grant(MAC, "2M/5M")), true);

        assertTrue(named(USERS, "comment", TAG).isEmpty());
        assertEquals(1, named(BINDINGS, "comment", TAG).size());
        assertEquals(Set.of(MAC), result.applied());
        assertEquals(List.of("No IP address is known for " + MAC + ", so no queue limits its speed"), result.notes());
    }

    // --- foreign entries ---------------------------------------------------------------------------------------------

    @Test
    void entriesWithoutOurTagAreNeverChangedOrRemoved() throws Exception {
        router.tables.seed(USERS, Map.of("name", "reception", "password", "x"));
        router.tables.seed(USERS, Map.of("name", OTHER_MAC, "password", OTHER_MAC, "profile", "default"));
        router.tables.seed(BINDINGS, Map.of("mac-address", OTHER_MAC, "type", "bypassed"));
        router.tables.seed(QUEUES, Map.of("name", "office", "target", "10.5.50.2", "max-limit", "10M/10M"));
        router.tables.seed(QUEUES, Map.of("name", "bill-" + OTHER_MAC, "target", "10.5.50.3", "max-limit", "1M/1M"));
        var before = List.of(router.tables.rows(USERS), router.tables.rows(BINDINGS), router.tables.rows(QUEUES));

        RouterSync.run(router, "hotspot-user", List.of(grant(MAC, "10.5.50.9", "2M/5M")), true);
        RouterSync.run(router, "ip-binding", List.of(grant(MAC, "10.5.50.9", "2M/5M")), true);
        RouterSync.run(router, "ip-binding", List.of(), true);

        assertTrue(router.writes().stream().noneMatch(w -> w.contains(OTHER_MAC) || w.contains("office")
                || w.contains("reception")), router.writes()::toString);
        assertEquals(before, List.of(router.tables.rows(USERS), router.tables.rows(BINDINGS),
                router.tables.rows(QUEUES)));
    }

    @Test
    void anIspUserWithTheDevicesNameIsLeftAloneAndTheGrantNotCountedAsApplied() throws Exception {
        router.tables.seed(USERS, Map.of("name", MAC, "password", "isp-own", "profile", "default"));
        var before = router.tables.rows(USERS);

        RouterSync.Result result = users(grant(MAC, "2M/5M"));

        assertEquals(before, router.tables.rows(USERS));
        assertEquals(Set.of(), result.applied());
        assertTrue(result.complete(), "nothing to retry: only the ISP can free the name");
        assertTrue(result.notes().get(0).contains("not ours"), result.notes()::toString);
    }

    // --- adopt ------------------------------------------------------------------------------------------------------

    @Test
    void ourUserLeftByAPassCutShortIsReusedNotDuplicated() throws Exception {
        String left = router.tables.seed(USERS, Map.of("name", MAC, "password", MAC, "mac-address", MAC,
                "profile", "default", "comment", TAG));

        RouterSync.Result result = users(grant(MAC, "2M/5M"));

        assertEquals(1, named(USERS, "name", MAC).size());
        assertEquals(left, named(USERS, "name", MAC).get(0).get(".id"));
        assertEquals("bill_2M_5M", named(USERS, "name", MAC).get(0).get("profile"));
        assertEquals(Set.of(MAC), result.applied());
    }

    @Test
    void ourUserAddedByAnotherPassAfterOurReadIsAdoptedOnAlreadyHave() throws Exception {
        router.before("PUT /ip/hotspot/user {", tables -> tables.seed(USERS, Map.of("name", MAC, "password", MAC,
                "mac-address", MAC, "profile", "default", "disabled", "yes", "comment", TAG)));

        RouterSync.Result result = users(grant(MAC, "2M/5M"));

        Map<String, String> user = named(USERS, "name", MAC).get(0);
        assertEquals(1, named(USERS, "name", MAC).size());
        assertEquals("bill_2M_5M", user.get("profile"));
        assertEquals("false", user.get("disabled"));
        assertTrue(router.calls().contains("GET /ip/hotspot/user {name=" + MAC + "}"), router.calls()::toString);
        assertEquals(Set.of(MAC), result.applied());
        assertTrue(result.complete(), result.problems()::toString);
    }

    @Test
    void anExistingTierProfileIsAdoptedByNameWhetherItsRateReadsAsWrittenOrInBitsPerSecond() throws Exception {
        router.tables.seed(PROFILES, Map.of("name", "bill_2M_5M", "rate-limit", "2M/5M", "shared-users", "1"));

        users(grant(MAC, "2M/5M"));

        assertEquals(List.of("PUT /ip/hotspot/user {name=" + MAC + ", password=" + MAC + ", mac-address=" + MAC
                + ", profile=bill_2M_5M, comment=hotspot-billing}"), router.writes());
    }

    @Test
    void aTierProfileWithAnotherRateIsCorrected() throws Exception {
        String profile = router.tables.seed(PROFILES, Map.of("name", "bill_2M_5M", "rate-limit", "1M/1M"));

        RouterSync.Result result = users(grant(MAC, "2M/5M"));

        assertEquals("PATCH /ip/hotspot/user/profile/" + profile + " {rate-limit=2M/5M}", router.writes().get(0));
        assertEquals(Set.of(MAC), result.applied());
    }

    // --- partial failure -------------------------------------------------------------------------------------------

    @Test
    void anEntryTheRouterRefusesDoesNotHoldBackTheOthers() throws Exception {
        router.failOnce("PUT /ip/hotspot/user {name=" + MAC, refused("invalid value for argument mac-address"));

        RouterSync.Result result = users(grant(MAC, "2M/5M"), grant(OTHER_MAC, "2M/5M"));

        assertFalse(result.complete());
        assertEquals(Set.of(OTHER_MAC), result.applied());
        assertEquals(List.of("Router refused to add " + MAC + ": Router answered 400 Bad Request: invalid value "
                + "for argument mac-address"), result.problems());
        assertEquals(1, named(USERS, "name", OTHER_MAC).size());

        RouterSync.Result retry = users(grant(MAC, "2M/5M"), grant(OTHER_MAC, "2M/5M"));
        assertEquals(Set.of(MAC, OTHER_MAC), retry.applied());
        assertTrue(retry.complete());
    }

    @Test
    void aRouterFailingAsAWholeEndsThePass() {
        router.failOnce("PUT /ip/hotspot/user/profile", new RouterOsException(RouterOsException.Kind.TIMEOUT,
                "Router did not answer within 10 s"));

        RouterOsException e = assertThrows(RouterOsException.class, () -> users(grant(MAC, "2M/5M")));

        assertEquals(RouterOsException.Kind.TIMEOUT, e.kind());
        assertEquals(List.of("PUT /ip/hotspot/user/profile {name=bill_2M_5M, rate-limit=2M/5M, shared-users=1}"),
                router.writes());
    }

    @Test
    void aRemovalOfAnEntryAlreadyGoneIsWhatWeWanted() throws Exception {
        users(grant(MAC, "2M/5M"));
        router.before("DELETE /ip/hotspot/user/", tables -> tables.delete(USERS,
                named(USERS, "name", MAC).get(0).get(".id")));

        RouterSync.Result result = users();

        assertTrue(result.complete(), result.problems()::toString);
    }

    // --- read-back ----------------------------------------------------------------------------------------------

    @Test
    void writesTheRouterAnswersButDoesNotApplyAreFoundByTheReadBack() throws Exception {
        router.dropWrites("PUT /ip/hotspot/user {");

        RouterSync.Result result = users(grant(MAC, "2M/5M"));

        assertFalse(result.complete());
        assertEquals(Set.of(), result.applied());
        assertEquals(List.of("Router accepted the writes but its hotspot users differ from the grants for " + MAC),
                result.problems());
    }

    @Test
    void aProfileTheRouterKeepsAtAnotherRateIsFoundByTheReadBack() throws Exception {
        router.dropWrites("PATCH /ip/hotspot/user/profile");
        router.tables.seed(PROFILES, Map.of("name", "bill_2M_5M", "rate-limit", "1M/1M"));

        RouterSync.Result result = users(grant(MAC, "2M/5M"));

        assertEquals(Set.of(), result.applied(), "the user is there, but not at the speed paid for");
        assertEquals(List.of("Router accepted the writes but its profile bill_2M_5M does not limit to 2M/5M"),
                result.problems());
    }

    @Test
    void aQueueTheRouterDropsIsFoundByTheReadBack() throws Exception {
        router.dropWrites("PUT /queue/simple");

        RouterSync.Result result = bindings(grant(MAC, "10.5.50.9", "2M/5M"));

        assertEquals(Set.of(), result.applied());
        assertEquals(List.of("Router accepted the writes but its ip-bindings or queues differ from the grants for "
                + MAC), result.problems());
    }
}
