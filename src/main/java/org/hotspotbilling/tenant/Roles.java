package org.hotspotbilling.tenant;

/** The roles resources declare with {@code @RolesAllowed}. */
public final class Roles {

    /** An ISP owner: JWT access token or the X-API-Key + X-Private-Key pair. */
    public static final String OWNER = "owner";

    /** A captive portal: the owner's X-Public-Key. Only portal endpoints accept it. */
    public static final String PORTAL = "portal";

    /** Identity attribute holding the owner's id (a {@code Long}) whatever the mechanism. */
    public static final String OWNER_ID_ATTRIBUTE = "hotspot.owner-id";

    private Roles() {
    }
}
