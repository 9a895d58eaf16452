package org.hotspotbilling.provider.daraja;

import org.hotspotbilling.provider.ActiveCredential;
import org.hotspotbilling.provider.DarajaAccountType;
import org.hotspotbilling.provider.Environment;
import org.hotspotbilling.provider.ProviderException;
import org.hotspotbilling.provider.ProviderName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The OAuth token cache (docs/daraja.md "OAuth"), without a network. */
class DarajaTokensTest {

    private static ActiveCredential credential(long id, String secret) {
        return new ActiveCredential(id, 1, ProviderName.mpesa, Environment.sandbox, "key", secret,
                new ActiveCredential.DarajaAccount("174379", DarajaAccountType.paybill, "174379", "pass"), "t");
    }

    @Test
    void aTokenIsReusedWhileItIsGood() throws Exception {
        AtomicInteger fetched = new AtomicInteger();
        DarajaTokens tokens = new DarajaTokens(c -> new DarajaTokens.Token("t" + fetched.incrementAndGet(),
                Instant.now().plusSeconds(3600)));
        ActiveCredential c = credential(1, "s");
        for (int i = 0; i < 5; i++) {
            assertEquals("t1", tokens.token(c));
        }
        assertEquals(1, fetched.get());
    }

    @Test
    void anExpiredTokenIsFetchedAgain() throws Exception {
        AtomicInteger fetched = new AtomicInteger();
        DarajaTokens tokens = new DarajaTokens(c -> new DarajaTokens.Token("t" + fetched.incrementAndGet(),
                fetched.get() == 1 ? Instant.now().minusSeconds(1) : Instant.now().plusSeconds(3600)));
        ActiveCredential c = credential(1, "s");
        tokens.token(c);
        assertEquals("t2", tokens.token(c));
    }

    @Test
    void concurrentCallersShareOneFetch() throws Exception {
        AtomicInteger fetched = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        DarajaTokens tokens = new DarajaTokens(c -> {
            fetched.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new DarajaTokens.Token("shared", Instant.now().plusSeconds(3600));
        });
        ActiveCredential c = credential(1, "s");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                calls.add(pool.submit(() -> tokens.token(c)));
            }
            Thread.sleep(200);
            release.countDown();
            for (Future<String> call : calls) {
                assertEquals("shared", call.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, fetched.get());
    }

    @Test
    void newKeysGetANewTokenAndARefusedTokenIsForgotten() throws Exception {
        AtomicInteger fetched = new AtomicInteger();
        DarajaTokens tokens = new DarajaTokens(c -> new DarajaTokens.Token("t" + fetched.incrementAndGet(),
                Instant.now().plusSeconds(3600)));
        String first = tokens.token(credential(1, "old"));
        assertNotEquals(first, tokens.token(credential(1, "new")));
        String held = tokens.token(credential(1, "new"));
        tokens.refused(credential(1, "new"), held);
        assertNotEquals(held, tokens.token(credential(1, "new")));
    }

    @Test
    void aFailedFetchIsNotCached() {
        AtomicInteger fetched = new AtomicInteger();
        DarajaTokens tokens = new DarajaTokens(c -> {
            if (fetched.incrementAndGet() == 1) {
                throw new ProviderException(ProviderException.Outcome.REJECTED, 400, "bad", null);
            }
            return new DarajaTokens.Token("ok", Instant.now().plusSeconds(3600));
        });
        assertThrows(ProviderException.class, () -> tokens.token(credential(1, "s")));
        assertEquals("ok", assertDoesNotThrow(() -> tokens.token(credential(1, "s"))));
    }

    @Test
    void renewalIsSetBeforeDarajasExpiry() {
        Instant now = Instant.parse("2026-12-02T10:00:00Z");
        assertEquals(now.plusSeconds(3599 - 60), DarajaTokens.renewAt(now, 3599, Duration.ofSeconds(60)));
    }

    private static <T> T assertDoesNotThrow(org.junit.jupiter.api.function.ThrowingSupplier<T> call) {
        return org.junit.jupiter.api.Assertions.assertDoesNotThrow(call);
    }
}
