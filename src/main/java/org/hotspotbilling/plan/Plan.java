package org.hotspotbilling.plan;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import org.hotspotbilling.web.TimestampedEntity;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

/**
 * A WiFi package sold on one router ("package" is a Java keyword; the API keeps the reference's name).
 * Ownership goes through the router: a plan is the owner's when its router is.
 */
@Entity
@Table(name = "plan")
public class Plan extends TimestampedEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "plan_id")
    @SequenceGenerator(name = "plan_id", sequenceName = "plan_id_seq", allocationSize = 1)
    public Long id;

    @Column(name = "router_id", nullable = false)
    public long routerId;

    @Column(nullable = false, length = 100)
    public String name;

    @Enumerated(EnumType.STRING)
    @Column(name = "package_type", nullable = false, length = 10)
    public PlanType packageType;

    @Column(name = "duration_hours", nullable = false)
    public int durationHours;

    @Column(nullable = false, precision = 10, scale = 2)
    public BigDecimal price;

    @Column(name = "download_speed_mbps", nullable = false)
    public BigDecimal downloadSpeedMbps;

    @Column(name = "upload_speed_mbps", nullable = false)
    public BigDecimal uploadSpeedMbps;

    @Column(name = "data_limit_mb")
    public Integer dataLimitMb;

    @Column(name = "shared_users", nullable = false)
    public int sharedUsers = 1;

    @Column(nullable = false, columnDefinition = "text")
    public String description = "";

    @Column(name = "is_active", nullable = false)
    public boolean active = true;

    private static final String OWNED = "routerId in (select r.id from Router r where r.ownerId = ?1)";

    /** The owner's plan with this id; empty for another owner's plan, so callers answer 404 either way. */
    public static Optional<Plan> findOwned(long id, long ownerId) {
        return find("id = ?2 and " + OWNED, ownerId, id).firstResultOptional();
    }

    /** The owner's active plan with this id on this router. */
    public static Optional<Plan> findActiveOwned(long id, long routerId, long ownerId) {
        return find("id = ?2 and routerId = ?3 and active = true and " + OWNED, ownerId, id, routerId)
                .firstResultOptional();
    }

    public static List<Plan> listOwned(long ownerId, Long routerId) {
        if (routerId != null) {
            return list(OWNED + " and routerId = ?2 order by packageType, price, id", ownerId, routerId);
        }
        return list(OWNED + " order by routerId, packageType, price, id", ownerId);
    }

    public static List<Plan> listForRouter(long routerId, boolean activeOnly) {
        return activeOnly
                ? list("routerId = ?1 and active = true order by packageType, price, id", routerId)
                : list("routerId = ?1 order by packageType, price, id", routerId);
    }

    public static boolean nameTaken(long routerId, String name, Long exceptId) {
        return count("routerId = ?1 and name = ?2 and id <> ?3", routerId, name, exceptId == null ? -1L : exceptId) > 0;
    }
}
