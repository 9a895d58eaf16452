package org.hotspotbilling.payment;

import org.hotspotbilling.router.HostPolicy;
import org.hotspotbilling.web.MacAddress;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The customer's phone and device as the captive page sends them, normalised or refused. */
public final class CustomerInput {

    /** 07XXXXXXXX, 01XXXXXXXX, 2547…, +2547…, 2541…, +2541… (spaces and dashes ignored). */
    private static final Pattern KENYAN_MOBILE = Pattern.compile("(?:\\+?254|0)([17]\\d{8})");

    private CustomerInput() {
    }

    /** The number as M-Pesa wants it: 2547XXXXXXXX or 2541XXXXXXXX. */
    public static Optional<String> phone(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        Matcher matcher = KENYAN_MOBILE.matcher(raw.replaceAll("[\\s-]", ""));
        return matcher.matches() ? Optional.of("254" + matcher.group(1)) : Optional.empty();
    }

    /** AA:BB:CC:DD:EE:FF in upper case; group (multicast/broadcast) addresses are not devices. */
    public static Optional<String> mac(String raw) {
        return MacAddress.normalise(raw);
    }

    /** An IPv4 or IPv6 literal, in its canonical text form. */
    public static Optional<String> ip(String raw) {
        return raw == null ? Optional.empty() : HostPolicy.literal(raw.trim()).map(a -> raw.trim());
    }
}
