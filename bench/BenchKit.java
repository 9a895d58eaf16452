package bench;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What LoadGen and PollLoad share: the keep-alive HTTP/1.1 client they load the app with, one-off calls, worker
 * threads per connection, psql, percentiles and the log line. The app's address and its PostgreSQL port are set
 * by each program's options.
 */
final class BenchKit {

    static String host;
    static int port;
    static int dbPort;
    /** The role psql connects as: the app's own (postgres) unless a program's options say otherwise. */
    static String dbUser = "postgres";
    /** The processes whose CPU the tables show apart: the app, the fake (provider or router), the database dir. */
    static long appPid;
    static long fakePid;
    static Path pgData;

    private BenchKit() {
    }

    static void log(String line) {
        System.err.println("[" + ZonedDateTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + "] " + line);
    }

    static String truncate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n) + "…";
    }

    static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no " + regex + " in " + truncate(text, 300));
        }
        return m.group(1);
    }

    static Resp call(String method, String path, String headers, String body, int expected) throws IOException {
        try (Conn conn = new Conn()) {
            Resp r = conn.send(method, path, headers, body);
            if (r.status != expected) {
                throw new IOException(method + " " + path + " answered " + r.status + ", expected " + expected + ": "
                        + truncate(r.text(), 500));
            }
            return r;
        }
    }

    static long sql(String query) throws Exception {
        return Long.parseLong(psql(query));
    }

    interface ConnTask {
        void run(Conn conn) throws Exception;
    }

    static void parallel(int n, ConnTask task) throws Exception {
        CountDownLatch done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(() -> {
                try (Conn conn = new Conn()) {
                    task.run(conn);
                } catch (Exception e) {
                    System.err.println("worker failed: " + e);
                } finally {
                    done.countDown();
                }
            });
            t.setDaemon(true);
            t.start();
        }
        done.await();
    }

    static String psql(String query) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("psql", "-h", "localhost", "-p", String.valueOf(dbPort), "-U",
                dbUser, "-d", "hotspot_billing", "-At", "-v", "ON_ERROR_STOP=1", "-c", query);
        pb.environment().put("PGPASSWORD", "postgres");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            throw new IOException("psql failed: " + output);
        }
        // Statements that write answer "INSERT 0 n" / "UPDATE n": callers want query results only.
        return output.matches("(INSERT|UPDATE|DELETE|ANALYZE)\\b.*") ? "" : output;
    }

    static double percentile(long[] sorted, int n, double p) {
        return n == 0 ? Double.NaN : sorted[(int) Math.min(n - 1, Math.ceil(n * p) - 1)];
    }

    /** One owner with a router, a 20.00 package and IntaSend credentials in the given environment. */
    static final class Shop {
        long ownerId;
        String publicKey;
        String jwt;
        long routerId;
        long planId;
        long credentialId;

        static Shop open(String environment) throws IOException {
            Shop s = new Shop();
            String user = "bench_" + environment + "_" + UUID.randomUUID().toString().substring(0, 8);
            String reg = call("POST", "/users/register/", "", "{\"username\":\"" + user + "\",\"email\":\"" + user
                    + "@isp.example\",\"password\":\"bench-password-123\"}", 201).text();
            s.ownerId = Long.parseLong(group(reg, "\"user_id\":(\\d+)"));
            s.publicKey = group(reg, "\"public_key\":\"([0-9a-f]{32})\"");
            String login = call("POST", "/users/login/", "", "{\"username\":\"" + user
                    + "\",\"password\":\"bench-password-123\"}", 200).text();
            s.jwt = "Authorization: Bearer " + group(login, "\"access_token\":\"([^\"]+)\"") + "\r\n";
            s.routerId = id(call("POST", "/routers/", s.jwt, "{\"name\":\"Bench router\",\"host\":\"192.0.2.10\","
                    + "\"port\":8728,\"username\":\"billing\",\"password\":\"pw\"}", 201).text());
            s.planId = id(call("POST", "/routers/packages/", s.jwt, "{\"name\":\"1 Hour\",\"router\":" + s.routerId
                    + ",\"package_type\":\"hourly\",\"duration_hours\":1,\"price\":\"20.00\","
                    + "\"download_speed_mbps\":5,\"upload_speed_mbps\":2}", 201).text());
            String key = environment.equals("simulator") ? "sim-public-key" : "ISPubKey_test_" + UUID.randomUUID();
            String secret = environment.equals("simulator") ? "sim-private-key" : "ISSecretKey_test_" + UUID.randomUUID();
            s.credentialId = id(call("POST", "/payments/credentials/", s.jwt, "{\"provider\":\"instasend\",\"api_key\":\""
                    + key + "\",\"private_key\":\"" + secret + "\",\"environment\":\"" + environment + "\"}", 201).text());
            return s;
        }

        String purchase(String phone, String mac) {
            return "{\"router_id\":" + routerId + ",\"package_id\":" + planId + ",\"phone_number\":\"" + phone
                    + "\",\"amount\":\"20.00\",\"mac_address\":\"" + mac + "\"}";
        }

        private static long id(String json) {
            return Long.parseLong(group(json, "\"id\":(\\d+)"));
        }
    }

    /** An answer: status, body, whether the server closes the connection, and its ETag if any. */
    static final class Resp {
        final int status;
        final byte[] body;
        final boolean close;
        final String etag;

        Resp(int status, byte[] body, boolean close, String etag) {
            this.status = status;
            this.body = body;
            this.close = close;
            this.etag = etag;
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** A keep-alive HTTP/1.1 connection: Content-Length and chunked answers, nothing else needed here. */
    static final class Conn implements Closeable {
        private Socket socket;
        private InputStream in;
        private OutputStream out;
        private final byte[] buf = new byte[64 * 1024];
        private int pos;
        private int lim;

        Conn() throws IOException {
            open();
        }

        private void open() throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(60_000);
            socket.connect(new InetSocketAddress(host, port), 5_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
            pos = 0;
            lim = 0;
        }

        void reopen() throws IOException {
            close();
            open();
        }

        Resp send(String method, String path, String headers, String body) throws IOException {
            byte[] payload = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder(256).append(method).append(' ').append(path)
                    .append(" HTTP/1.1\r\nHost: ").append(host).append(':').append(port).append("\r\n").append(headers);
            if (payload != null) {
                head.append("Content-Type: application/json\r\nContent-Length: ").append(payload.length).append("\r\n");
            }
            head.append("\r\n");
            byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
            if (payload == null || payload.length == 0) {
                out.write(h);
            } else {
                byte[] all = Arrays.copyOf(h, h.length + payload.length);
                System.arraycopy(payload, 0, all, h.length, payload.length);
                out.write(all);
            }
            out.flush();

            String status = line();
            if (status == null) {
                throw new IOException("connection closed");
            }
            int code = Integer.parseInt(status.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            boolean close = false;
            String etag = null;
            String l;
            while ((l = line()) != null && !l.isEmpty()) {
                int colon = l.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = l.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = l.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "connection" -> close = value.equalsIgnoreCase("close");
                    case "etag" -> etag = value;
                    default -> { }
                }
            }
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            if (chunked) {
                while (true) {
                    String size = line();
                    int semi = size.indexOf(';');
                    int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                    if (n == 0) {
                        while (!line().isEmpty()) {
                            // trailers
                        }
                        break;
                    }
                    bytes(n, content);
                    line();
                }
            } else if (length > 0) {
                bytes(length, content);
            } else if (length < 0 && code >= 200 && code != 204 && code != 304) {
                close = true; // body until close: not expected from Quarkus
                int r;
                while ((r = read()) >= 0) {
                    content.write(r);
                }
            }
            return new Resp(code, content.toByteArray(), close, etag);
        }

        private int fill() throws IOException {
            pos = 0;
            lim = in.read(buf);
            return lim;
        }

        private int read() throws IOException {
            if (pos >= lim && fill() <= 0) {
                return -1;
            }
            return buf[pos++] & 0xFF;
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder(64);
            int c;
            while ((c = read()) >= 0) {
                if (c == '\n') {
                    int n = sb.length();
                    return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
                }
                sb.append((char) c);
            }
            return sb.length() == 0 ? null : sb.toString();
        }

        private void bytes(long n, ByteArrayOutputStream to) throws IOException {
            while (n > 0) {
                if (pos >= lim && fill() <= 0) {
                    throw new IOException("connection closed mid-body");
                }
                int take = (int) Math.min(n, lim - pos);
                to.write(buf, pos, take);
                pos += take;
                n -= take;
            }
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    /** Counters from pg_stat_database and pg_stat_activity, through psql (nothing when --db-port is not given). */
    static final class Pg {
        double commitsPerRequest;
        double rollbacksPerRequest;
        double busy;
        double open;
        String waits;

        record Snapshot(long commits, long rollbacks) {
        }

        static volatile boolean quiet;

        static Snapshot snapshot() {
            if (dbPort == 0 || quiet) {
                return null;
            }
            try {
                String[] f = psql("SELECT xact_commit || ' ' || xact_rollback FROM pg_stat_database WHERE datname = "
                        + "'hotspot_billing'").split(" ");
                return new Snapshot(Long.parseLong(f[0]), Long.parseLong(f[1]));
            } catch (Exception e) {
                return null;
            }
        }

        /** Samples the app's connections once a second until {@code until} (System.nanoTime) or stop(). */
        static final class Sampler extends Thread {
            final long until;
            volatile boolean stopped;
            int samples;
            double busy;
            double open;
            final Map<String, Double> waits = new ConcurrentHashMap<>();

            Sampler(long until) {
                this.until = until;
                setDaemon(true);
            }

            @Override
            public void run() {
                while (!stopped && System.nanoTime() < until - 1_000_000_000L) {
                    try {
                        Thread.sleep(1000);
                        String rows = psql("SELECT k || '|' || count(*) FROM (SELECT coalesce(state, '?') || ' ' "
                                + "|| coalesce(wait_event_type || ':' || wait_event, 'running') AS k FROM "
                                + "pg_stat_activity WHERE datname = 'hotspot_billing' AND backend_type = 'client backend' "
                                + "AND pid <> pg_backend_pid()" + (dbUser.equals("postgres") ? "" // the app's role too
                                        : " AND usename <> current_user") + ") a GROUP BY k");
                        samples++;
                        for (String row : rows.split("\n")) {
                            if (row.isBlank()) {
                                continue;
                            }
                            String[] kv = row.split("\\|");
                            int n = Integer.parseInt(kv[1].trim());
                            open += n;
                            if (!kv[0].startsWith("idle ") || kv[0].startsWith("idle in transaction")) {
                                busy += n;
                                waits.merge(kv[0], (double) n, Double::sum);
                            }
                        }
                    } catch (Exception e) {
                        return;
                    }
                }
            }

            void finish() {
                stopped = true;
            }
        }

        static Sampler sample(long until) {
            Sampler s = new Sampler(until);
            if (dbPort != 0 && !quiet) {
                s.start();
            }
            return s;
        }

        static Pg between(Snapshot a, Snapshot b, Sampler s, long requests) {
            if (a == null || b == null) {
                return null;
            }
            s.finish();
            Pg pg = new Pg();
            pg.commitsPerRequest = requests == 0 ? 0 : (b.commits - a.commits) / (double) requests;
            pg.rollbacksPerRequest = requests == 0 ? 0 : (b.rollbacks - a.rollbacks) / (double) requests;
            int n = Math.max(1, s.samples);
            pg.busy = s.busy / n;
            pg.open = s.open / n;
            pg.waits = s.waits.entrySet().stream().sorted((x, y) -> Double.compare(y.getValue(), x.getValue()))
                    .limit(5).map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue() / n))
                    .reduce((x, y) -> x + ", " + y).orElse("none busy");
            return pg;
        }

        /** Commits per request, and the rollbacks beside them when there are any worth a mention. */
        String commits() {
            return String.format(Locale.ROOT, "%.1f", commitsPerRequest) + (rollbacksPerRequest >= 0.05
                    ? String.format(Locale.ROOT, " (+%.1f rolled back)", rollbacksPerRequest) : "");
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s commits/req, %.1f/%.0f conns busy", commits(), busy, open);
        }
    }

    /**
     * The app's statements over a window, from {@code pg_stat_statements} (reset at its start, read at its end): every
     * top-level statement of the app's database except those of the role psql connects as, so the generator's own
     * sampling never counts. Needs the extension preloaded and created, and {@link #dbUser} other than the app's role.
     */
    static final class Statements {
        static volatile boolean enabled;

        /** One statement: calls in the window, mean execution time, its text on one line. */
        record Row(long calls, double meanMs, String query) {

            /**
             * BEGIN, COMMIT, ROLLBACK, SAVEPOINT…: not in the sum. pgjdbc's BEGIN is counted every time, but its COMMIT
             * and ROLLBACK mostly not (measured on one connection: 1 of 5 commits, 1 of 3 rollbacks); pg_stat_database
             * counts transactions instead.
             */
            boolean transactionControl() {
                return query.matches("(?i)(BEGIN|COMMIT|ROLLBACK|START TRANSACTION|SAVEPOINT|RELEASE|END)\\b.*");
            }
        }

        final List<Row> rows;
        long requests;

        private Statements(List<Row> rows) {
            this.rows = rows;
        }

        /** The requests these statements served (answered in the window). */
        Statements over(long answered) {
            requests = answered;
            return this;
        }

        /** Forgets everything counted so far; false when statements are not counted (or the reset failed). */
        static boolean reset() {
            if (!enabled || Pg.quiet || dbPort == 0) {
                return false;
            }
            try {
                psql("SELECT pg_stat_statements_reset()");
                return true;
            } catch (Exception e) {
                log("pg_stat_statements_reset failed: " + e.getMessage());
                return false;
            }
        }

        /** The app's statements since {@link #reset}, most called first. */
        static Statements read() {
            try {
                List<Row> rows = new ArrayList<>();
                String out = psql("SELECT s.calls || '|' || round(s.mean_exec_time::numeric, 3) || '|' || "
                        + "regexp_replace(s.query, '\\s+', ' ', 'g') FROM pg_stat_statements s "
                        + "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database() AND s.toplevel "
                        + "AND s.userid <> (SELECT oid FROM pg_roles WHERE rolname = current_user) "
                        + "ORDER BY s.calls DESC, s.total_exec_time DESC");
                for (String line : out.split("\n")) {
                    String[] f = line.split("\\|", 3);
                    if (f.length == 3) {
                        rows.add(new Row(Long.parseLong(f[0]), Double.parseDouble(f[1]), f[2].trim()));
                    }
                }
                return new Statements(rows);
            } catch (Exception e) {
                log("reading pg_stat_statements failed: " + e.getMessage());
                return null;
            }
        }

        /** Statements per request, transaction control left out. */
        double perRequest() {
            return rows.stream().filter(r -> !r.transactionControl()).mapToLong(Row::calls).sum()
                    / (double) Math.max(1, requests);
        }

        /** Calls of BEGIN per request: the transactions the app opened (COMMITs are undercounted, above). */
        double beginsPerRequest() {
            return rows.stream().filter(r -> r.query().equalsIgnoreCase("BEGIN")).mapToLong(Row::calls).sum()
                    / (double) Math.max(1, requests);
        }
    }

    /** CPU time from /proc, in cores over the window. */
    record Cpu(double machine, double app, double pg, double fake, double gen) {

        record Snapshot(long nanos, long busyTicks, Map<Long, Long> ticks) {
        }

        /** CPU of several windows together (the sweeps of the changed line), as cores over their total time. */
        static final class Sum {
            double seconds;
            double machine;
            double app;
            double pg;
            double fake;
            double gen;

            void add(Snapshot a, Snapshot b) {
                Cpu c = between(a, b);
                double s = (b.nanos - a.nanos) / 1e9;
                seconds += s;
                machine += c.machine * s;
                app += c.app * s;
                pg += c.pg * s;
                fake += c.fake * s;
                gen += c.gen * s;
            }

            Cpu cores() {
                return new Cpu(machine / seconds, app / seconds, pg / seconds, fake / seconds, gen / seconds);
            }
        }

        static Snapshot snapshot() {
            Map<Long, Long> ticks = new HashMap<>();
            long busy = 0;
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                // user nice system idle iowait irq softirq steal
                busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                        + Long.parseLong(f[7]) + Long.parseLong(f[8]);
                for (long pid : pids()) {
                    Long t = procTicks(pid);
                    if (t != null) {
                        ticks.put(pid, t);
                    }
                }
            } catch (IOException e) {
                // not Linux: no CPU columns
            }
            return new Snapshot(System.nanoTime(), busy, ticks);
        }

        /** Our processes: app, fake router, this JVM, the postmaster and its children (tagged by negative ids). */
        static List<Long> pids() throws IOException {
            List<Long> pids = new ArrayList<>(List.of(appPid, fakePid, ProcessHandle.current().pid()));
            long postmaster = postmaster();
            if (postmaster > 0) {
                pids.add(-postmaster);
                try (var dirs = Files.list(Path.of("/proc"))) {
                    for (Path d : (Iterable<Path>) dirs::iterator) {
                        String name = d.getFileName().toString();
                        if (name.chars().allMatch(Character::isDigit)) {
                            String stat = read(d.resolve("stat"));
                            if (stat != null && ppid(stat) == postmaster) {
                                pids.add(-Long.parseLong(name));
                            }
                        }
                    }
                }
            }
            return pids;
        }

        /** CPU ticks of the app's JIT compiler threads so far. */
        static long compilerTicks() {
            long sum = 0;
            try (var tasks = Files.list(Path.of("/proc/" + appPid + "/task"))) {
                for (Path t : (Iterable<Path>) tasks::iterator) {
                    String comm = read(t.resolve("comm"));
                    String stat = read(t.resolve("stat"));
                    if (comm != null && stat != null && comm.contains("Compiler")) {
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        sum += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    }
                }
            } catch (IOException | RuntimeException e) {
                return 0;
            }
            return sum;
        }

        static long postmaster() {
            try {
                return pgData == null ? 0 : Long.parseLong(Files.readAllLines(pgData.resolve("postmaster.pid")).get(0)
                        .trim());
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }

        static Long procTicks(long tagged) {
            String stat = read(Path.of("/proc/" + Math.abs(tagged) + "/stat"));
            if (stat == null) {
                return null;
            }
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields after ")": state(0) ppid(1) ... utime(11) stime(12)
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        }

        static long ppid(String stat) {
            return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
        }

        static String read(Path p) {
            try {
                return Files.readString(p);
            } catch (IOException e) {
                return null;
            }
        }

        static Cpu between(Snapshot a, Snapshot b) {
            double seconds = (b.nanos - a.nanos) / 1e9;
            double hz = 100.0; // USER_HZ on Linux
            Map<String, Double> sum = new LinkedHashMap<>();
            for (Map.Entry<Long, Long> e : b.ticks.entrySet()) {
                long pid = e.getKey();
                long delta = e.getValue() - a.ticks.getOrDefault(pid, 0L); // a new backend: all its time
                String who = pid < 0 ? "pg" : pid == appPid ? "app" : pid == fakePid ? "fake" : "gen";
                sum.merge(who, delta / hz / seconds, Double::sum);
            }
            return new Cpu((b.busyTicks - a.busyTicks) / hz / seconds, sum.getOrDefault("app", 0.0),
                    sum.getOrDefault("pg", 0.0), sum.getOrDefault("fake", 0.0), sum.getOrDefault("gen", 0.0));
        }

        double other() {
            return Math.max(0, machine - app - pg - fake - gen);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.2f/%.2f/%.2f/%.2f/%.2f", app, pg, fake, gen, other());
        }
    }
}
