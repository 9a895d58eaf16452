package org.hotspotbilling.hooks;

import java.util.List;

/** The stable event types an endpoint may subscribe to (docs/webhooks.md "Events"). */
public final class EventTypes {

    public static final String PAYMENT_CREATED = "payment.created";
    public static final String PAYMENT_PENDING_USER_ACTION = "payment.pending_user_action";
    public static final String PAYMENT_SUCCEEDED = "payment.succeeded";
    public static final String PAYMENT_FAILED = "payment.failed";
    public static final String PAYMENT_REQUIRES_RECOVERY = "payment.requires_recovery";
    public static final String PAYMENT_LATE_SUCCESS = "payment.late_success";
    public static final String ACCESS_ON_ROUTER = "access.on_router";
    public static final String ACCESS_EXPIRED = "access.expired";
    public static final String ROUTER_OFFLINE = "router.offline";
    public static final String ROUTER_ONLINE = "router.online";
    public static final String ENDPOINT_DISABLED = "endpoint.disabled";

    public static final List<String> ALL = List.of(PAYMENT_CREATED, PAYMENT_PENDING_USER_ACTION, PAYMENT_SUCCEEDED,
            PAYMENT_FAILED, PAYMENT_REQUIRES_RECOVERY, PAYMENT_LATE_SUCCESS, ACCESS_ON_ROUTER, ACCESS_EXPIRED,
            ROUTER_OFFLINE, ROUTER_ONLINE, ENDPOINT_DISABLED);

    private EventTypes() {
    }
}
