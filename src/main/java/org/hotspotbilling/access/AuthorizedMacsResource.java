package org.hotspotbilling.access;

import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.HttpHeaders;
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
    private final LastPollRecorder recorder;

    public AuthorizedMacsResource(RouterPoll poll, LastPollRecorder recorder) {
        this.poll = poll;
        this.recorder = recorder;
    }

    /**
     * Runs on the event loop: most polls are answered from memory, without a context switch or the context
     * propagation a reactive pipeline would cost on every poll. A poll that needs the database (a token or list not
     * in memory, or a list with grants to mark as delivered) moves to a worker thread and resumes from there.
     */
    @GET
    @NonBlocking
    @Operation(summary = "The router's live grants", description = "Router token (Bearer or ?token=). JSON, or "
            + "?format=text: '#OK v1 router=<id> count=<n> version=<v> page=<p>/<pages>', one "
            + "'MAC,seconds_left,upload/download' line per grant, '#END'. ETag / If-None-Match → 304; "
            + "?version=<v> equal to the current one → 200 '#OK unchanged'. Pages of 1000 grants (?page=).")
    public void authorizedMacs(@PathParam("id") long routerId,
            @HeaderParam("Authorization") String authorization, @QueryParam("token") String queryToken,
            @QueryParam("format") String format, @QueryParam("version") String knownVersion,
            @QueryParam("page") String page, @HeaderParam("If-None-Match") String ifNoneMatch,
            @Suspended AsyncResponse response) {
        String token = queryToken != null ? queryToken
                : authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                        ? authorization.substring(7) : null;
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Request request = new Request(format, knownVersion, page, ifNoneMatch);
        String tokenHash;
        try {
            tokenHash = RouterPoll.tokenHash(token);
            RouterPoll.LiveList known = poll.fromMemory(routerId, tokenHash, now);
            Response answer = known == null ? null : answer(request, known, now, false);
            if (answer != null) {
                response.resume(answer);
                return;
            }
        } catch (RuntimeException e) {
            response.resume(e); // answered by the exception mappers, as if thrown
            return;
        }
        Infrastructure.getDefaultWorkerPool().execute(() -> {
            try {
                response.resume(answer(request, poll.list(routerId, tokenHash, now), now, true));
            } catch (RuntimeException e) {
                response.resume(e);
            }
        });
    }

    private record Request(String format, String knownVersion, String page, String ifNoneMatch) {
    }

    /** The answer to a poll; null when it must mark grants as delivered and {@code mayBlock} is false. */
    private Response answer(Request request, RouterPoll.LiveList list, Instant now, boolean mayBlock) {
        boolean text = "text".equals(request.format());
        if (request.format() != null && !text && !"json".equals(request.format())) {
            throw new Invalid("format must be json or text");
        }
        int pageNumber = page(request.page());
        String etag = "\"" + list.version() + "-p" + pageNumber + "\"";
        String ifNoneMatch = request.ifNoneMatch();
        if (ifNoneMatch != null && (ifNoneMatch.equals(etag) || ifNoneMatch.equals("*"))) {
            recorder.polled(list.routerId(), list.version(), now);
            return Response.notModified().header(HttpHeaders.ETAG, etag).build();
        }
        if (list.version().equals(request.knownVersion())) {
            recorder.polled(list.routerId(), list.version(), now);
            return text ? Response.ok("#OK unchanged version=" + list.version() + "\n#END\n", MediaType.TEXT_PLAIN)
                    .build() : Response.ok(Map.of("unchanged", true, "version", list.version())).build();
        }
        List<RouterPoll.LiveGrant> grants = list.page(pageNumber);
        if (grants.stream().anyMatch(RouterPoll.LiveGrant::pending)) {
            if (!mayBlock) {
                return null;
            }
            poll.delivered(list, grants);
        }
        recorder.polled(list.routerId(), list.version(), now);
        return (text ? Response.ok(asText(list, pageNumber, grants, now), MediaType.TEXT_PLAIN)
                : Response.ok(asJson(list, pageNumber, grants, now))).header(HttpHeaders.ETAG, etag).build();
    }

    static String asText(RouterPoll.LiveList list, int page, List<RouterPoll.LiveGrant> grants, Instant now) {
        StringBuilder body = new StringBuilder(64 + grants.size() * 36);
        body.append("#OK v1 router=").append(list.routerId()).append(" count=").append(list.grants().size())
                .append(" version=").append(list.version()).append(" page=").append(page).append('/')
                .append(list.pages()).append('\n');
        for (RouterPoll.LiveGrant g : grants) {
            body.append(g.macAddress()).append(',').append(g.secondsLeft(now)).append(',').append(g.rateLimit())
                    .append('\n');
        }
        return body.append("#END\n").toString();
    }

    /** JSON form of the list. */
    public record Listing(long routerId, String version, int count, int page, int pages, List<Entry> grants) {
    }

    public record Entry(String macAddress, String ipAddress, Instant expiresAt, long secondsLeft, String rateLimit) {
    }

    private static Listing asJson(RouterPoll.LiveList list, int page, List<RouterPoll.LiveGrant> grants,
            Instant now) {
        return new Listing(list.routerId(), list.version(), list.grants().size(), page, list.pages(), grants.stream()
                .map(g -> new Entry(g.macAddress(), g.ipAddress(), g.expiresAt(), g.secondsLeft(now), g.rateLimit()))
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
