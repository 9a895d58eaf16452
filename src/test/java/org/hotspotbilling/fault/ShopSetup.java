package org.hotspotbilling.fault;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The ISP owner of the run, set up through the public API as an owner would: an account, push routers on fake
 * RouterOS and poll routers, a 20 KES one-hour package on each, IntaSend sandbox credentials (pointed at the fake
 * by the instances' configuration) and the webhook challenge.
 */
record ShopSetup(String publicKey, String jwt, List<Long> routerIds, List<Long> packageIds, String webhookPath,
        String challenge) {

    /** Sets the shop up through instance A; the routers it creates are added to {@code hotspots}, in order. */
    static ShopSetup open(Balancer balancer, List<Hotspot> hotspots, int pushRouters, int pollRouters,
            Duration routerReadTimeout, long seed, long pollEveryMillis) throws IOException {
        String username = "fault_" + UUID.randomUUID().toString().substring(0, 8);
        JsonNode registered = ok(balancer.post(0, "/users/register/", Map.of(), Map.of("username", username,
                "email", username + "@isp.example", "password", "correct horse battery")), 201);
        String jwt = ok(balancer.post(0, "/users/login/", Map.of(), Map.of("username", username,
                "password", "correct horse battery")), 200).path("access_token").asText();
        Map<String, String> owner = Map.of("Authorization", "Bearer " + jwt);
        List<Long> routers = new ArrayList<>();
        List<Long> packages = new ArrayList<>();
        SplittableRandom seeds = new SplittableRandom(seed);
        for (int i = 0; i < pushRouters + pollRouters; i++) {
            boolean push = i < pushRouters;
            JsonNode router;
            if (push) {
                // Hanging past the app's read timeout, by a second.
                PushHotspot hotspot = new PushHotspot(routerReadTimeout.plusSeconds(1));
                hotspots.add(hotspot);
                router = ok(balancer.post(0, "/routers/", owner, Map.of("name", "push-" + i, "host", "127.0.0.1",
                        "port", hotspot.fake().port(), "username", hotspot.fake().username(), "password",
                        hotspot.fake().password(), "delivery", "push", "enforcement_mode", "hotspot-user")), 201);
                hotspot.routerId(router.path("id").asLong());
            } else {
                router = ok(balancer.post(0, "/routers/", owner, Map.of("name", "poll-" + i, "host", "192.0.2." + (10 + i),
                        "username", "billing", "password", "router-secret", "delivery", "poll")), 201);
                hotspots.add(new PollHotspot(router.path("id").asLong(), router.path("poll_token").asText(),
                        balancer, seeds.nextLong(), pollEveryMillis));
            }
            routers.add(router.path("id").asLong());
            packages.add(ok(balancer.post(0, "/routers/packages/", owner, Map.of("name", "1 Hour", "router",
                    router.path("id").asLong(), "package_type", "hourly", "duration_hours", 1, "price", "20.00",
                    "download_speed_mbps", 5, "upload_speed_mbps", 2)), 201).path("id").asLong());
        }
        long credential = ok(balancer.post(0, "/payments/credentials/", owner, Map.of("provider", "instasend",
                "api_key", "ISPubKey_test_" + UUID.randomUUID(), "private_key", "ISSecretKey_test_" + UUID.randomUUID(),
                "environment", "sandbox")), 201).path("id").asLong();
        JsonNode webhook = ok(balancer.post(0, "/payments/credentials/" + credential + "/webhook-secret/", owner,
                Map.of()), 200);
        return new ShopSetup(registered.path("api_key").path("public_key").asText(), jwt, List.copyOf(routers),
                List.copyOf(packages), webhook.path("webhook_url").asText(), webhook.path("challenge").asText());
    }

    private static JsonNode ok(Balancer.Answer answer, int status) {
        if (answer.status() != status) {
            throw new IllegalStateException("setting up the shop: expected " + status + ", got " + answer.status()
                    + " " + answer.body());
        }
        return answer.json();
    }
}
