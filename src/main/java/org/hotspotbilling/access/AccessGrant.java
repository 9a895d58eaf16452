package org.hotspotbilling.access;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
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

    /** Changed only through {@link #moveTo}, which keeps to the table of {@link GrantState}. */
    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 10)
    private GrantState state;

    @Column(name = "last_payment_id")
    public UUID lastPaymentId;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    public GrantState state() {
        return state;
    }

    /** Pending or on the router: the device may be let through until expiresAt. */
    public boolean live() {
        return state.live();
    }

    /**
     * Moves the grant to {@code next} if the table of {@link GrantState} allows it. A change of state is a change
     * of the grant's form, so {@code updatedAt} (which the routers' list versions follow) moves with it.
     */
    public void moveTo(GrantState next, Instant now) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("Access grant " + id + " cannot move from " + state + " to " + next);
        }
        state = next;
        updatedAt = now;
    }
}
