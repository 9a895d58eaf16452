package org.hotspotbilling.fault;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One instance of the packaged app as a process of its own, on its own port and the shared database: started,
 * killed with SIGKILL (no shutdown hook runs, nothing is flushed), and started again on the same port. Each start
 * logs to its own file.
 */
final class AppInstance {

    static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

    private final String name;
    private final int port;
    private final Path work;
    private final Map<String, String> env;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private volatile Process process;
    private int starts;

    AppInstance(String name, int port, Path work, Map<String, String> env) {
        this.name = name;
        this.port = port;
        this.work = work;
        this.env = env;
    }

    String name() {
        return name;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /**
     * Starts the process and waits until it answers ready (the database migrated, the workers scheduled): up to
     * 3 minutes, as two instances starting together on a busy 2-core machine have taken 50 s each.
     */
    void start() throws IOException, InterruptedException {
        starts++;
        Path log = log(starts);
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-jar", JAR.toAbsolutePath().toString())
                .directory(work.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        builder.environment().put("PORT", String.valueOf(port));
        Process started = builder.start();
        process = started;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (!started.isAlive()) {
                throw new IllegalStateException("instance " + name + " exited during start:\n" + tail(log));
            }
            if (ready()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("instance " + name + " not ready after 180 s:\n" + tail(log));
    }

    /** SIGKILL: the JVM stops at once, mid-request and mid-transaction. */
    void kill() throws InterruptedException {
        Process running = process;
        if (running != null) {
            running.destroyForcibly();
            running.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The running (or last) process, if it was ever started. */
    Optional<Process> process() {
        return Optional.ofNullable(process);
    }

    private Path log(int start) {
        return work.resolve("instance-" + name + "-" + start + ".log");
    }

    int starts() {
        return starts;
    }

    private boolean ready() {
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String tail(Path log) {
        try {
            String text = Files.readString(log);
            return text.substring(Math.max(0, text.length() - 4_000));
        } catch (IOException e) {
            return e.toString();
        }
    }
}
