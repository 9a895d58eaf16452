package org.hotspotbilling.web;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * The caller's address as rate limits count it: the TCP peer, or, only where the operator has switched on
 * Quarkus' proxy forwarding and named the trusted proxies, the first address of {@code Forwarded} /
 * {@code X-Forwarded-For}. An IPv6 caller counts by its /64 (one subscriber gets a whole /64 and can pick any
 * address in it). Rules and settings: {@code docs/payments-rules.md}, "Rate limits".
 */
public final class ClientAddress {

    private ClientAddress() {
    }

    public static String of(HttpServerRequest request) {
        SocketAddress peer = request.remoteAddress();
        if (peer == null) {
            return "unknown";
        }
        String address = peer.hostAddress() != null ? peer.hostAddress() : peer.host();
        return address == null ? "unknown" : bucketKey(address);
    }

    static String bucketKey(String address) {
        if (address.indexOf(':') < 0) {
            return address;
        }
        try {
            InetAddress parsed = InetAddress.getByName(address.startsWith("[") ? address.substring(1,
                    address.length() - 1) : address);
            if (parsed instanceof Inet6Address) {
                byte[] prefix = Arrays.copyOf(parsed.getAddress(), 16);
                Arrays.fill(prefix, 8, 16, (byte) 0);
                return InetAddress.getByAddress(prefix).getHostAddress() + "/64";
            }
            return parsed.getHostAddress();
        } catch (UnknownHostException e) {
            return address; // not a literal: count it as given
        }
    }
}
