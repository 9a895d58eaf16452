package org.hotspotbilling.provider;

import org.hotspotbilling.provider.ProviderException.Outcome;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One HTTP exchange with a payment provider, its failures classified by what they say about the customer's money
 * (docs/payments.md "Provider outcomes"): no connection ever made → nothing was sent ({@link Outcome#REJECTED});
 * a timeout or a broken connection after sending → {@link Outcome#UNKNOWN}. What the answer's status means is the
 * provider's to say.
 */
public final class ProviderHttp {

    private final String provider;
    private final HttpClient http;
    private final Duration connectTimeout;
    private final Duration readTimeout;

    public ProviderHttp(String provider, Duration connectTimeout, Duration readTimeout) {
        this.provider = provider;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** A request builder whose timeout gives the answer its whole read timeout after the connect timeout. */
    public HttpRequest.Builder request(String url) {
        // The JDK's request timeout runs from the start, connect included.
        return HttpRequest.newBuilder(java.net.URI.create(url)).timeout(connectTimeout.plus(readTimeout))
                .header("Accept", "application/json");
    }

    public HttpResponse<String> send(HttpRequest request) throws ProviderException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException | ConnectException | UnknownHostException e) {
            // No connection was ever made, so nothing was sent: certainly not charged.
            throw new ProviderException(Outcome.REJECTED, 0, provider + " unreachable: " + e.getClass().getSimpleName(),
                    e);
        } catch (HttpTimeoutException e) {
            throw new ProviderException(Outcome.UNKNOWN, 0, provider + " did not answer within "
                    + readTimeout.toSeconds() + " s", e);
        } catch (IOException e) {
            throw new ProviderException(Outcome.UNKNOWN, 0, "Connection to " + provider + " broke: "
                    + e.getClass().getSimpleName(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(Outcome.UNKNOWN, 0, "Interrupted while waiting for " + provider, e);
        }
    }
}
