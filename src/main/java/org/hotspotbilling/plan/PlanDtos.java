package org.hotspotbilling.plan;

import com.fasterxml.jackson.annotation.JsonFormat;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** Bodies of {@code /routers/packages/...} and {@code /routers/{id}/packages/}. */
public final class PlanDtos {

    private PlanDtos() {
    }

    /** Create, PUT or PATCH body; which fields are required depends on the verb (see PlanService). */
    public record PlanRequest(
            @Size(min = 1, max = 100, message = "Must be 1 to 100 characters.")
            @Pattern(regexp = "[^\\p{Cntrl}]*", message = "Must not contain control characters.")
            String name,
            Long router,
            PlanType packageType,
            @Min(value = 1, message = "Must be greater than 0.")
            @Max(value = 87600, message = "Must be at most 87600 (10 years).")
            Integer durationHours,
            BigDecimal price,
            BigDecimal downloadSpeedMbps,
            BigDecimal uploadSpeedMbps,
            @Min(value = 1, message = "Must be greater than 0 (leave out for unlimited).")
            Integer dataLimitMb,
            @Min(value = 1, message = "Must be between 1 and 100.")
            @Max(value = 100, message = "Must be between 1 and 100.")
            Integer sharedUsers,
            @Size(max = 2000, message = "Must be at most 2000 characters.")
            @Pattern(regexp = "[^\\x00]*", message = "Must not contain NUL characters.")
            String description,
            Boolean isActive) {
    }

    public record PlanView(long id, String name, long router, String routerName, PlanType packageType,
            String packageTypeDisplay, int durationHours, String durationDisplay,
            @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal price, String currency,
            BigDecimal downloadSpeedMbps, BigDecimal uploadSpeedMbps, String downloadSpeedDisplay, String uploadSpeedDisplay,
            String speedDisplay, Integer dataLimitMb, int sharedUsers, String description, boolean isActive,
            Instant createdAt, Instant updatedAt) {

        static PlanView of(Plan plan, String routerName) {
            return new PlanView(plan.id, plan.name, plan.routerId, routerName, plan.packageType,
                    plan.packageType.display(), plan.durationHours, PlanDtos.durationDisplay(plan), plan.price, "KES",
                    plain(plan.downloadSpeedMbps), plain(plan.uploadSpeedMbps), speed(plan.downloadSpeedMbps),
                    speed(plan.uploadSpeedMbps), speed(plan.downloadSpeedMbps) + " / " + speed(plan.uploadSpeedMbps),
                    plan.dataLimitMb, plan.sharedUsers, plan.description, plan.active, plan.createdAt, plan.updatedAt);
        }
    }

    public record RouterPlans(long routerId, String routerName, List<PlanView> packages, String message) {
    }

    public record Deleted(String message) {
    }

    static String durationDisplay(Plan plan) {
        int hours = plan.durationHours;
        if (plan.packageType == PlanType.monthly && hours % 720 == 0) {
            return plural(hours / 720, "month");
        }
        if (plan.packageType == PlanType.monthly && hours % 24 == 0) {
            return plural(hours / 24, "day");
        }
        return plural(hours, "hour");
    }

    private static String plural(int n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s");
    }

    /** 5.000 as stored → 5; 1.500 → 1.5; never 1E+1. */
    static BigDecimal plain(BigDecimal mbps) {
        BigDecimal stripped = mbps.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }

    private static String speed(BigDecimal mbps) {
        return mbps.compareTo(BigDecimal.valueOf(1000)) >= 0
                ? String.format(Locale.ROOT, "%.1f Gbps", mbps.doubleValue() / 1000.0)
                : plain(mbps).toPlainString() + " Mbps";
    }
}
