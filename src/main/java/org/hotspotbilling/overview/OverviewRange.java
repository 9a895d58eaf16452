package org.hotspotbilling.overview;

import org.hotspotbilling.web.Invalid;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The time range of an overview, {@code [from, to)} in UTC (docs/overview.md "Range"), and how it is read: the whole
 * UTC days inside it from the daily rollups, and the partial days at its ends (at most two) from the rows
 * themselves.
 *
 * @param fullDays the whole days inside the range, {@code [fromDay, toDay)}; empty when {@code fromDay >= toDay}
 * @param edges the parts of the range outside those days, each {@code [from, to)}
 */
record OverviewRange(Instant from, Instant to, LocalDate fullDaysFrom, LocalDate fullDaysTo, List<Span> edges) {

    static final Duration DEFAULT_LENGTH = Duration.ofDays(30);
    static final Duration MAX_LENGTH = Duration.ofDays(366);
    /** Payments exist from this system's start; years past 9999 do not fit PostgreSQL's dates as ISO text. */
    private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T00:00:00Z");

    /** A part of the range read from the rows. */
    record Span(Instant from, Instant to) {
    }

    /**
     * The range asked for: {@code from} and {@code to} dates (midnight UTC) or ISO-8601 instants; {@code to}
     * defaults to now, {@code from} to 30 days before {@code to}.
     */
    static OverviewRange of(String rawFrom, String rawTo, Instant now) {
        Instant to = rawTo == null ? now.truncatedTo(ChronoUnit.MICROS) : parse(rawTo, "to");
        Instant from = rawFrom == null ? to.minus(DEFAULT_LENGTH) : parse(rawFrom, "from");
        if (!from.isBefore(to)) {
            throw new Invalid("from must be before to");
        }
        if (Duration.between(from, to).compareTo(MAX_LENGTH) > 0) {
            throw new Invalid("The range is at most " + MAX_LENGTH.toDays() + " days");
        }
        LocalDate firstFull = day(from.plus(Duration.ofDays(1)).minusNanos(1));
        LocalDate lastFull = day(to);
        List<Span> edges = new ArrayList<>();
        if (!firstFull.isBefore(lastFull)) {
            edges.add(new Span(from, to));
            return new OverviewRange(from, to, firstFull, firstFull, edges);
        }
        if (from.isBefore(midnight(firstFull))) {
            edges.add(new Span(from, midnight(firstFull)));
        }
        if (midnight(lastFull).isBefore(to)) {
            edges.add(new Span(midnight(lastFull), to));
        }
        return new OverviewRange(from, to, firstFull, lastFull, edges);
    }

    /** Every UTC day the range touches, in order. */
    List<LocalDate> days() {
        List<LocalDate> days = new ArrayList<>();
        for (LocalDate d = day(from), last = day(to.minusNanos(1)); !d.isAfter(last); d = d.plusDays(1)) {
            days.add(d);
        }
        return days;
    }

    private static Instant parse(String raw, String field) {
        Instant at;
        try {
            at = Instant.parse(raw.trim());
        } catch (DateTimeParseException notInstant) {
            try {
                at = midnight(LocalDate.parse(raw.trim()));
            } catch (DateTimeParseException e) {
                throw new Invalid(field + " must be a date (2026-11-23) or an ISO-8601 instant (2026-11-23T08:00:00Z)");
            }
        }
        if (at.isBefore(EARLIEST) || at.isAfter(LATEST)) {
            throw new Invalid(field + " must lie between 2000-01-01 and 9999-12-31");
        }
        return at;
    }

    private static LocalDate day(Instant at) {
        return LocalDate.ofInstant(at, ZoneOffset.UTC);
    }

    private static Instant midnight(LocalDate day) {
        return day.atStartOfDay(ZoneOffset.UTC).toInstant();
    }
}
