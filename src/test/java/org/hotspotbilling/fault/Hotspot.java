package org.hotspotbilling.fault;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/** A router as its customers see it: which MACs it lets in now, and when each first got in. */
interface Hotspot extends AutoCloseable {

    /** The router's id in the app. */
    long routerId();

    /** "push" or "poll". */
    String delivery();

    /** MACs (upper case) the router lets in now. */
    Set<String> macs();

    /** When each MAC first appeared on the router, as the router's own clock saw it. */
    Map<String, Instant> firstSeen();

    /** Switches the router's outage on or off: unreachable (or hanging, when {@code hangs}) for push, silent for poll. */
    void outage(boolean on, boolean hangs);

    @Override
    void close();
}
