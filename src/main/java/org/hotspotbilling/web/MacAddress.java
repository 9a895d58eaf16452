package org.hotspotbilling.web;

import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** A device's MAC as customers' pages and owners type it: normalised, or refused. */
public final class MacAddress {

    private static final Pattern MAC = Pattern.compile("[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\\1[0-9A-Fa-f]{2}){4}");

    private MacAddress() {
    }

    /** AA:BB:CC:DD:EE:FF in upper case; group (multicast/broadcast) addresses are not devices. */
    public static Optional<String> normalise(String raw) {
        if (raw == null || !MAC.matcher(raw.trim()).matches()) {
            return Optional.empty();
        }
        String mac = raw.trim().toUpperCase(Locale.ROOT).replace('-', ':');
        int firstOctet = HexFormat.fromHexDigits(mac.substring(0, 2));
        return (firstOctet & 1) == 1 ? Optional.empty() : Optional.of(mac);
    }
}
