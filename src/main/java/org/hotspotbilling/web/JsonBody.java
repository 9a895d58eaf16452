package org.hotspotbilling.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyWriter;
import jakarta.ws.rs.ext.Provider;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;

/**
 * An answer written as JSON once, with the API's own mapper, and sent as it is to every reader: for a kept list
 * that many requests read between two changes, so each request costs the bytes' copy instead of the mapping.
 */
public final class JsonBody {

    private final byte[] bytes;

    private JsonBody(byte[] bytes) {
        this.bytes = bytes;
    }

    /** {@code value} as the API would answer it (the same mapper, so the same names, formats and nulls). */
    public static JsonBody of(ObjectMapper json, Object value) {
        try {
            return new JsonBody(json.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Could not write the answer as JSON", e);
        }
    }

    /** Sends a {@link JsonBody}'s bytes. */
    @Provider
    @Produces(MediaType.APPLICATION_JSON)
    public static final class Writer implements MessageBodyWriter<JsonBody> {

        @Override
        public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
            return type == JsonBody.class;
        }

        @Override
        public void writeTo(JsonBody body, Class<?> type, Type genericType, Annotation[] annotations,
                MediaType mediaType, MultivaluedMap<String, Object> headers, OutputStream out) throws IOException {
            out.write(body.bytes);
        }
    }
}
