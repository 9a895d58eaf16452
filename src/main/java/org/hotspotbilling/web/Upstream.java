package org.hotspotbilling.web;

import java.util.Map;

/** A router or payment provider failed or answered with an error (502), or did not answer in time (504). */
public class Upstream extends ApiException {

    private final int status;

    public Upstream(String message) {
        this(502, message);
    }

    private Upstream(int status, String message) {
        super(message, Map.of());
        this.status = status;
    }

    /** The upstream did not answer within its timeout. */
    public static Upstream timeout(String message) {
        return new Upstream(504, message);
    }

    @Override
    public int status() {
        return status;
    }
}
