package org.hotspotbilling.router;

import jakarta.enterprise.context.ApplicationScoped;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which hosts the backend may connect to on an owner's behalf. Owners type router addresses, so without this
 * anyone with an account could make the server call its own loopback services or a cloud metadata endpoint
 * (SSRF). Private ranges stay allowed: routers usually sit behind VPNs. Names are checked again after DNS
 * resolution, right before connecting.
 */
@ApplicationScoped
public class HostPolicy {

    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern DNS_NAME = Pattern.compile(
            "(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final Set<String> METADATA_ADDRESSES = Set.of(
            "169.254.169.254", "169.254.170.2", "100.100.100.200", "168.63.129.16", "192.0.0.192", "fd00:ec2:0:0:0:0:0:254");
    private static final Set<String> METADATA_NAMES = Set.of("metadata", "metadata.google.internal", "instance-data");

    private final RouterConfig config;

    public HostPolicy(RouterConfig config) {
        this.config = config;
    }

    /** True for an IPv4/IPv6 literal or a DNS name; says nothing about whether it is allowed. */
    public static boolean wellFormed(String host) {
        return literal(host).isPresent() || (DNS_NAME.matcher(host).matches() && !host.matches("[0-9.]+"));
    }

    /** Why this host (as typed) is refused, if it is. Names are not resolved here: see {@link #refusal(InetAddress)}. */
    public Optional<String> refusal(String host) {
        String lower = host.toLowerCase(Locale.ROOT);
        if (lower.equals("localhost") || lower.endsWith(".localhost")) {
            return config.allowLoopback() ? Optional.empty() : Optional.of("loopback addresses are not allowed");
        }
        if (METADATA_NAMES.contains(lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower)) {
            return config.allowMetadata() ? Optional.empty() : Optional.of("cloud metadata endpoints are not allowed");
        }
        return literal(host).flatMap(this::refusal);
    }

    /** Why a concrete address is refused, if it is. */
    public Optional<String> refusal(InetAddress address) {
        String canonical = address.getHostAddress().toLowerCase(Locale.ROOT);
        if (METADATA_ADDRESSES.contains(canonical)) {
            return config.allowMetadata() ? Optional.empty() : Optional.of("cloud metadata endpoints are not allowed");
        }
        if (address.isAnyLocalAddress() || address.isMulticastAddress() || canonical.equals("255.255.255.255")) {
            return Optional.of("this address cannot be a router");
        }
        if (address.isLoopbackAddress()) {
            return config.allowLoopback() ? Optional.empty() : Optional.of("loopback addresses are not allowed");
        }
        if (address.isLinkLocalAddress()) {
            return config.allowLinkLocal() ? Optional.empty() : Optional.of("link-local addresses are not allowed");
        }
        return Optional.empty();
    }

    /** Resolves a host and returns the first refusal among all its addresses. */
    public Optional<String> refusalAfterResolving(String host) throws UnknownHostException {
        Optional<String> typed = refusal(host);
        if (typed.isPresent()) {
            return typed;
        }
        for (InetAddress address : InetAddress.getAllByName(host)) {
            Optional<String> refused = refusal(address);
            if (refused.isPresent()) {
                return refused;
            }
        }
        return Optional.empty();
    }

    /** Parses an IP literal without any DNS lookup. */
    public static Optional<InetAddress> literal(String host) {
        try {
            if (IPV4.matcher(host).matches()) {
                return Optional.of(InetAddress.getByName(host));
            }
            if (host.contains(":") && IPV6_CHARS.matcher(host).matches()) {
                // getByName never resolves a string containing ':'; it parses it as IPv6 or fails.
                InetAddress address = InetAddress.getByName(host);
                return Optional.of(address);
            }
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** The host as it goes into a URL: IPv6 literals in brackets. */
    static String urlHost(String host) {
        return literal(host).filter(a -> a instanceof Inet6Address).isPresent() ? "[" + host + "]" : host;
    }
}
