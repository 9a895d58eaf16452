package org.hotspotbilling.access;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.hotspotbilling.web.Invalid;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * The router's pull endpoint (works behind carrier NAT). Authenticated by the router's own poll token, from the
 * Authorization header or {@code ?token=} (RouterOS {@code /tool fetch} cannot always set headers).
 */
@Path("/routers/{id: \\d+}/authorized-macs")
@Tag(name = "Router poll", description = "Called by routers with their poll token")
@PermitAll
public class AuthorizedMacsResource {

    private final RouterPoll poll;

    public AuthorizedMacsResource(RouterPoll poll) {
        this.poll = poll;
    }

    @GET
    @Operation(summary = "The router's live grants", description = "Router token (Bearer or ?token=). JSON, or "
            + "?format=text: '#OK v1 router=<id> count=<n> version=<v> page=<p>/<pages>', one "
            + "'MAC,seconds_left,upload/download' line per grant, '#END'. ETag / If-None-Match → 304; "
            + "?version=<v> equal to the current one → 200 '#OK unchanged'. Pages of 1000 grants (?page=).")
    public Response authorizedMacs(@PathParam("id") long routerId, @HeaderParam("Authorization") String authorization,
            @QueryParam("token") String queryToken, @QueryParam("format") String format,
            @QueryParam("version") String knownVersion, @QueryParam("page") String page,
            @HeaderParam("If-None-Match") String ifNoneMatch) {
        String token = queryToken != null ? queryToken
                : authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                        ? authorization.substring(7) : null;
        poll.authenticate(routerId, token);
        boolean text = "text".equals(format);
        if (format != null && !text && !"json".equals(format)) {
            throw new Invalid("format must be json or text");
        }
        int pageNumber = page(page);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        String current = poll.version(routerId, now);
        EntityTag tag = new EntityTag(current + "-p" + pageNumber);
        if (ifNoneMatch != null && (ifNoneMatch.equals(tag.toString()) || ifNoneMatch.equals("*"))) {
            return Response.notModified(tag).build();
        }
        if (current.equals(knownVersion)) {
            return text ? Response.ok("#OK unchanged version=" + current + "\n#END\n", MediaType.TEXT_PLAIN).build()
                    : Response.ok(Map.of("unchanged", true, "version", current)).build();
        }
        RouterPoll.Snapshot snapshot = poll.fetch(routerId, pageNumber, now);
        EntityTag fetched = new EntityTag(snapshot.version() + "-p" + pageNumber);
        return (text ? Response.ok(asText(snapshot), MediaType.TEXT_PLAIN) : Response.ok(asJson(snapshot)))
                .tag(fetched).build();
    }

    static String asText(RouterPoll.Snapshot s) {
        StringBuilder body = new StringBuilder(64 + s.grants().size() * 36);
        body.append("#OK v1 router=").append(s.routerId()).append(" count=").append(s.count())
                .append(" version=").append(s.version()).append(" page=").append(s.page()).append('/')
                .append(s.pages()).append('\n');
        for (RouterPoll.LiveGrant g : s.grants()) {
            body.append(g.macAddress()).append(',').append(g.secondsLeft()).append(',').append(g.rateLimit())
                    .append('\n');
        }
        return body.append("#END\n").toString();
    }

    /** JSON form of the list. */
    public record Listing(long routerId, String version, int count, int page, int pages, List<Entry> grants) {
    }

    public record Entry(String macAddress, String ipAddress, Instant expiresAt, long secondsLeft, String rateLimit) {
    }

    private static Listing asJson(RouterPoll.Snapshot s) {
        return new Listing(s.routerId(), s.version(), s.count(), s.page(), s.pages(), s.grants().stream()
                .map(g -> new Entry(g.macAddress(), g.ipAddress(), g.expiresAt(), g.secondsLeft(), g.rateLimit()))
                .toList());
    }

    private static int page(String raw) {
        if (raw == null) {
            return 1;
        }
        try {
            int page = Integer.parseInt(raw.trim());
            if (page >= 1) {
                return page;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new Invalid("page must be a whole number from 1");
    }
}
