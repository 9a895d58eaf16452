package org.hotspotbilling.testing;

import org.jboss.logmanager.ExtLogRecord;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects every record the application logs (at the levels it logs) while open, from any thread, with the MDC as
 * it was when the line was logged: what an operator's log would hold.
 */
public final class LogCapture extends Handler implements AutoCloseable {

    /** One logged line: logger, the formatted message, the stack trace if any, and the MDC. */
    public record Line(String logger, String message, String thrown, Map<String, String> mdc) {

        /** Everything the line would write, for searching. */
        public String all() {
            return logger + " " + message + " " + thrown + " " + mdc;
        }
    }

    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final Logger root = Logger.getLogger("");

    private LogCapture() {
        root.addHandler(this);
    }

    public static LogCapture start() {
        return new LogCapture();
    }

    public List<Line> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void publish(LogRecord record) {
        Map<String, String> mdc = record instanceof ExtLogRecord ext ? ext.getMdcCopy() : Map.of();
        String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        String thrown = "";
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            thrown = trace.toString();
        }
        lines.add(new Line(record.getLoggerName(), message, thrown, Map.copyOf(mdc)));
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        root.removeHandler(this);
    }
}
