package org.hotspotbilling.web;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Text PostgreSQL cannot store (NUL), or that no field of this API means (the other control characters), is a 400
 * wherever it comes in, before any service sees it: in JSON bodies (every string value and map key, through the
 * {@link #module() Jackson module}) and in the URL (path and query, through a route ahead of every resource).
 * Tab, line feed and carriage return stay allowed, for free text such as a package description; fields that must
 * not hold them have their own patterns. Unpaired UTF-16 surrogates (from {@code "\ud800"} escapes) are refused
 * with them: they have no UTF-8 form either. Rules: {@code docs/payments-rules.md}, "Text the database cannot store".
 */
@Singleton
public class ControlCharacters {

    static final String MESSAGE = "must not contain control characters (such as NUL)";

    /** Before the body limit (-3) and Quarkus' body handling: nothing is read for a URL that is refused anyway. */
    private static final int ROUTE_ORDER = -4;

    /** Index of the first character that cannot be stored, or -1. */
    public static int firstRefused(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 ? c != '\t' && c != '\n' && c != '\r' : c >= 0x7F && c <= 0x9F) {
                return i;
            }
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(i + 1));
                if (!paired) {
                    return i;
                }
                i++;
            }
        }
        return -1;
    }

    /** The Jackson module that refuses such text in every string value and map key of a request body. */
    static SimpleModule module() {
        return new SimpleModule("control-characters")
                .addDeserializer(String.class, new GuardedStrings())
                .addKeyDeserializer(String.class, new GuardedKeys());
    }

    /** A URL whose decoded path or query holds such text answers 400 {"error"} before routing. */
    void refuseInUrls(@Observes Router router) {
        String body = ErrorBody.json("The URL " + MESSAGE + ".");
        router.route().order(ROUTE_ORDER).handler(ctx -> {
            String uri = ctx.request().uri();
            // Raw control characters never pass the HTTP parser; only percent-escapes can carry them.
            if (uri.indexOf('%') >= 0 && firstRefused(decoded(uri)) >= 0) {
                ctx.response().setStatusCode(400).putHeader("Content-Type", "application/json").end(body);
                return;
            }
            ctx.next();
        });
    }

    private static String decoded(String uri) {
        try {
            return URLDecoder.decode(uri, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return ""; // a broken escape is the framework's to refuse, as before
        }
    }

    /** Thrown while reading a body; a MismatchedInputException, so it carries the JSON path of the field. */
    public static final class Refused extends MismatchedInputException {
        Refused(JsonParser parser) {
            super(parser, "Text " + MESSAGE, String.class);
        }
    }

    private static final class GuardedStrings extends StringDeserializer {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String value = super.deserialize(p, ctxt);
            if (value != null && firstRefused(value) >= 0) {
                throw new Refused(p);
            }
            return value;
        }
    }

    private static final class GuardedKeys extends KeyDeserializer {
        @Override
        public Object deserializeKey(String key, DeserializationContext ctxt) throws IOException {
            if (firstRefused(key) >= 0) {
                throw new Refused(ctxt.getParser());
            }
            return key;
        }
    }
}
