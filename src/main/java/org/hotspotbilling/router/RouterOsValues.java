package org.hotspotbilling.router;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RouterOS values as REST reads them back, compared with what we wrote (docs/routeros-rest.md "Values"). RouterOS
 * answers every value as a string in its own canonical form, which is not always the form written: a queue's
 * {@code max-limit} written {@code 2M/5M} reads {@code 2000000/5000000}, a flag written {@code no} reads
 * {@code false}, a bare IP target reads with {@code /32}. Comparing the raw strings would rewrite such an entry on
 * every pass and never see it applied, so every comparison of a written value goes through here.
 */
public final class RouterOsValues {

    private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)([kKMG]?)");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private RouterOsValues() {
    }

    /**
     * A rate limit in bits per second, each direction spelled out: {@code 2M/5M}, {@code 2000k/5000000} and
     * {@code 2000000/5000000} all give {@code 2000000/5000000}; one rate is both directions ({@code 5M} →
     * {@code 5000000/5000000}). A full hotspot {@code rate-limit}
     * ({@code rate [burst-rate [burst-threshold [burst-time [priority [limit-at]]]]]}) is normalised word by
     * word, the burst time and priority as written. Empty when a rate word is not a rate.
     */
    public static Optional<String> bitsPerSecond(String rateLimit) {
        if (rateLimit == null || rateLimit.isBlank()) {
            return Optional.empty();
        }
        String[] words = rateLimit.trim().split("\\s+");
        for (int i = 0; i < words.length; i++) {
            if (i != 3 && i != 4) {
                Optional<String> pair = pair(words[i]);
                if (pair.isEmpty()) {
                    return Optional.empty();
                }
                words[i] = pair.get();
            }
        }
        return Optional.of(String.join(" ", words));
    }

    /** Whether two rate limits mean the same speeds, whichever units each is written in. */
    public static boolean sameRate(String a, String b) {
        Optional<String> left = bitsPerSecond(a);
        return left.isPresent() ? left.equals(bitsPerSecond(b)) : Objects.equals(a, b);
    }

    /** A RouterOS flag: {@code "true"} or {@code "yes"} (older answers) is set; anything else, or absent, is not. */
    public static boolean flag(String value) {
        return value != null && (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("yes"));
    }

    /** MAC addresses compared as RouterOS does: case and separator ({@code :} or {@code -}) do not matter. */
    public static boolean sameMac(String a, String b) {
        return a != null && b != null && mac(a).equals(mac(b));
    }

    /** A queue target: a bare IPv4 address is that one host, {@code /32}. */
    public static boolean sameTarget(String a, String b) {
        return a != null && b != null && target(a).equals(target(b));
    }

    private static Optional<String> pair(String word) {
        String[] sides = word.split("/", -1);
        if (sides.length > 2) {
            return Optional.empty();
        }
        Optional<String> rx = bps(sides[0]);
        Optional<String> tx = sides.length == 2 ? bps(sides[1]) : rx;
        return rx.isPresent() && tx.isPresent() ? Optional.of(rx.get() + "/" + tx.get()) : Optional.empty();
    }

    private static Optional<String> bps(String rate) {
        Matcher matcher = RATE.matcher(rate);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        long unit = switch (matcher.group(2)) {
            case "k", "K" -> 1_000L;
            case "M" -> 1_000_000L;
            case "G" -> 1_000_000_000L;
            default -> 1L;
        };
        BigDecimal bps = new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(unit)).stripTrailingZeros();
        return bps.scale() > 0 ? Optional.empty() : Optional.of(bps.toBigInteger().toString());
    }

    private static String mac(String mac) {
        return mac.replace('-', ':').toUpperCase(Locale.ROOT);
    }

    private static String target(String target) {
        StringBuilder normalised = new StringBuilder();
        for (String part : target.split(",")) {
            normalised.append(normalised.length() == 0 ? "" : ",").append(IPV4.matcher(part).matches() ? part + "/32" : part);
        }
        return normalised.toString();
    }
}
