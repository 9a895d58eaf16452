package org.hotspotbilling.access;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** A device's access on a router until {@code expiresAt} (our clock, UTC), at the package's rate limit. */
@Entity
@Table(name = "access_grant")
public class AccessGrant extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "owner_id", nullable = false)
    public long ownerId;

    @Column(name = "router_id", nullable = false)
    public long routerId;

    @Column(name = "mac_address", nullable = false, length = 17)
    public String macAddress;

    @Column(name = "ip_address", length = 45)
    public String ipAddress;

    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;

    @Column(name = "rate_limit", nullable = false, length = 40)
    public String rateLimit;

    /** pending (not yet on the router), on_router, revoked (by the owner), expired (time is up). */
    @Column(nullable = false, length = 10)
    public String state;

    @Column(name = "last_payment_id")
    public UUID lastPaymentId;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    /** Pending or on the router: the device may be let through until expiresAt. */
    public boolean live() {
        return "pending".equals(state) || "on_router".equals(state);
    }

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
