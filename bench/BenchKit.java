package bench;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Locale;
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
                "postgres", "-d", "hotspot_billing", "-At", "-v", "ON_ERROR_STOP=1", "-c", query);
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
}
