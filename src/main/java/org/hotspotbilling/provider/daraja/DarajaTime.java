package org.hotspotbilling.provider.daraja;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** Daraja's timestamps: {@code yyyyMMddHHmmss} in East Africa Time (docs/daraja.md "STK push"). */
public final class DarajaTime {

    static final ZoneId EAT = ZoneId.of("Africa/Nairobi");
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

    private DarajaTime() {
    }

    public static String timestamp(Instant at) {
        return FORMAT.format(at.atZone(EAT));
    }
}
