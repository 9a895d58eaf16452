package org.hotspotbilling.provider.daraja;

import org.hotspotbilling.crypto.Hashes;
import org.hotspotbilling.provider.ActiveCredential;
import org.hotspotbilling.provider.ProviderException;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Daraja OAuth tokens, one per credential, kept until shortly before they expire (docs/daraja.md "OAuth"). A token
 * is fetched once however many calls want it at the same moment: Daraja invalidates the previous token when a new
 * one is issued, so concurrent fetches would make each other's tokens fail. Keyed by the credential and a hash of
 * its key and secret, so new keys get a new token at once.
 */
final class DarajaTokens {

    /** A token and when it stops being worth using. */
    record Token(String value, Instant renewAt) {
    }

    interface Fetch {
        Token fetch(ActiveCredential credential) throws ProviderException;
    }

    private final Map<String, CompletableFuture<Token>> tokens = new ConcurrentHashMap<>();
    private final Fetch fetch;

    DarajaTokens(Fetch fetch) {
        this.fetch = fetch;
    }

    String token(ActiveCredential credential) throws ProviderException {
        String key = key(credential);
        while (true) {
            CompletableFuture<Token> held = tokens.get(key);
            if (held != null && (!held.isDone() || usable(held))) {
                Token token = await(held);
                if (token.renewAt().isAfter(Instant.now())) {
                    return token.value();
                }
            }
            CompletableFuture<Token> mine = new CompletableFuture<>();
            boolean won = held == null ? tokens.putIfAbsent(key, mine) == null : tokens.replace(key, held, mine);
            if (!won) {
                continue; // another caller is fetching: wait for theirs
            }
            try {
                Token token = fetch.fetch(credential);
                mine.complete(token);
                return token.value();
            } catch (ProviderException | RuntimeException e) {
                tokens.remove(key, mine);
                mine.completeExceptionally(e);
                throw e;
            }
        }
    }

    /** Daraja refused this token (404.001.03): forget it, so the next call fetches a new one. */
    void refused(ActiveCredential credential, String value) {
        String key = key(credential);
        CompletableFuture<Token> held = tokens.get(key);
        if (held != null && usable(held) && held.join().value().equals(value)) {
            tokens.remove(key, held);
        }
    }

    static Instant renewAt(Instant now, long expiresInSeconds, Duration renewBefore) {
        return now.plus(Duration.ofSeconds(expiresInSeconds)).minus(renewBefore);
    }

    private static boolean usable(CompletableFuture<Token> future) {
        return future.isDone() && !future.isCompletedExceptionally() && future.join().renewAt().isAfter(Instant.now());
    }

    private static Token await(CompletableFuture<Token> future) throws ProviderException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(ProviderException.Outcome.REJECTED, 0, "Interrupted while waiting for a "
                    + "Daraja token", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ProviderException p) {
                throw p;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static String key(ActiveCredential credential) {
        return credential.id() + ":" + Hashes.sha256Hex(credential.publishableKey() + ":" + credential.privateKey());
    }
}
