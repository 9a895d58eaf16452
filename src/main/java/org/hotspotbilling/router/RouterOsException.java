package org.hotspotbilling.router;

/**
 * A RouterOS REST call that did not succeed, classified by what it means for the caller: retry later
 * (unreachable, timeout), fix the router's credentials (refused), or read the router's own message (error).
 */
public class RouterOsException extends Exception {

    public enum Kind {
        /** DNS failure, connection refused or reset: the router (or its REST service) is not there. */
        UNREACHABLE,
        /** No connection or no answer within the configured timeout. */
        TIMEOUT,
        /** 401/403: wrong credentials, or a user without the rest-api policy. Retrying will not help. */
        REFUSED,
        /** The router answered with an error status and its {error, message, detail} body. */
        ERROR,
        /** The router answered 2xx with something that is not JSON. */
        BAD_RESPONSE,
        /** Our host policy forbids connecting to the address the router's host resolves to. */
        HOST_NOT_ALLOWED,
        /**
         * The router's certificate was refused: not the pinned one, or (unpinned, verify_tls) not trusted. Nothing
         * was sent to it. Retrying will not help until the owner pins the right certificate.
         */
        TLS
    }

    private final Kind kind;
    private final int status;
    private final String detail;

    public RouterOsException(Kind kind, String message) {
        this(kind, 0, message, null, null);
    }

    public RouterOsException(Kind kind, String message, Throwable cause) {
        this(kind, 0, message, null, cause);
    }

    public RouterOsException(Kind kind, int status, String message, String detail, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
        this.detail = detail;
    }

    public Kind kind() {
        return kind;
    }

    /** The router's HTTP status, 0 when it never answered. */
    public int status() {
        return status;
    }

    /** RouterOS' {@code detail} text (e.g. "failure: already have user with this name for this server"). */
    public String detail() {
        return detail;
    }
}
