package org.hotspotbilling.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.hotspotbilling.crypto.SecretBox;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.temporal.Temporal;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Maps every failure to a status and {@code {"error": "..."}}. Messages are written for the caller; internals
 * (stack traces, SQL, class names) go to the log only.
 */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);
    private static final PropertyNamingStrategies.NamingBase SNAKE =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

    @ServerExceptionMapper
    public Response apiException(ApiException e) {
        return json(e.status(), new ErrorBody(e.getMessage(), e.fields()));
    }

    @ServerExceptionMapper
    public Response tooManyRequests(TooManyRequests e) {
        return Response.status(e.status()).type(MediaType.APPLICATION_JSON_TYPE)
                .header("Retry-After", e.retryAfterSeconds())
                .entity(ErrorBody.of(e.getMessage())).build();
    }

    @ServerExceptionMapper
    public Response constraintViolation(ConstraintViolationException e) {
        Map<String, String> fields = new TreeMap<>();
        for (ConstraintViolation<?> violation : e.getConstraintViolations()) {
            fields.merge(fieldName(violation.getPropertyPath()), violation.getMessage(), (a, b) -> a + " " + b);
        }
        if (fields.containsKey("")) {
            // A constraint on the body parameter itself: the body is missing altogether.
            return json(400, ErrorBody.of(fields.get("")));
        }
        return apiException(Invalid.ofFields(fields));
    }

    @ServerExceptionMapper
    public Response unstorableText(ControlCharacters.Refused e) {
        String field = jsonPath(e);
        String message = field.isEmpty() ? "Text " + ControlCharacters.MESSAGE
                : "Invalid value for '" + field + "': " + ControlCharacters.MESSAGE;
        return json(400, new ErrorBody(message, field.isEmpty() ? Map.of() : Map.of(field, message)));
    }

    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e) {
        String field = jsonPath(e);
        String expected = describe(e.getTargetType());
        String message;
        if (field.isEmpty()) {
            message = "Request body must be " + (expected == null ? "a JSON object" : expected);
        } else {
            message = "Invalid value for '" + field + "'" + (expected == null ? "" : ": expected " + expected);
        }
        return json(400, new ErrorBody(message, field.isEmpty() ? Map.of() : Map.of(field, message)));
    }

    @ServerExceptionMapper
    public Response jsonMapping(JsonMappingException e) {
        String field = jsonPath(e);
        String message = field.isEmpty() ? "Request body could not be read as the expected JSON"
                : "Invalid value for '" + field + "'";
        return json(400, new ErrorBody(message, field.isEmpty() ? Map.of() : Map.of(field, message)));
    }

    @ServerExceptionMapper
    public Response malformedJson(StreamReadException e) {
        return json(400, ErrorBody.of("Malformed JSON: " + e.getOriginalMessage()));
    }

    @ServerExceptionMapper
    public Response otherJson(JsonProcessingException e) {
        return json(400, ErrorBody.of("Malformed JSON: " + e.getOriginalMessage()));
    }

    @ServerExceptionMapper
    public Response bodyTooLarge(BodySizeLimit.BodyTooLarge e) {
        return json(413, ErrorBody.of(e.getMessage()));
    }

    @ServerExceptionMapper
    public Response secretUnreadable(SecretBox.SecretUnreadable e) {
        LOG.error(e.getMessage() + ": wrong keyset configured, or the ciphertext was copied from another row");
        return json(500, ErrorBody.of("A stored credential cannot be decrypted; the operator must check the "
                + "encryption keyset. Re-enter the credential to replace it."));
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e) {
        return json(401, ErrorBody.of("Authentication credentials were not provided."));
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e) {
        String message = e.getMessage() == null || e.getMessage().isBlank() ? "Invalid credentials" : e.getMessage();
        return json(401, ErrorBody.of(message));
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return json(403, ErrorBody.of("You do not have permission to perform this action."));
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        Response original = e.getResponse();
        int status = original.getStatus();
        if (status >= 500) {
            LOG.error("Request failed", e);
            return json(status, ErrorBody.of("Internal server error"));
        }
        String message = switch (status) {
            case 400 -> e.getCause() instanceof JsonProcessingException json
                    ? "Malformed JSON: " + json.getOriginalMessage() : "Bad request";
            case 404 -> "Not found.";
            case 405 -> "Method not allowed." + allowed(e);
            case 406 -> "Not acceptable: this endpoint answers application/json.";
            case 413 -> "Request body too large.";
            case 415 -> "Unsupported media type: send the body as application/json.";
            default -> original.getStatusInfo().getReasonPhrase();
        };
        return json(status, ErrorBody.of(message));
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        LOG.error("Unexpected failure", e);
        return json(500, ErrorBody.of("Internal server error"));
    }

    static Response json(int status, ErrorBody body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }

    private static String allowed(WebApplicationException e) {
        if (e instanceof NotAllowedException && !e.getResponse().getAllowedMethods().isEmpty()) {
            return " Allowed: " + String.join(", ", new TreeSet<>(e.getResponse().getAllowedMethods()));
        }
        return "";
    }

    private static String fieldName(Path path) {
        StringJoiner name = new StringJoiner(".");
        for (Path.Node node : path) {
            if (node.getKind() == ElementKind.PROPERTY || node.getKind() == ElementKind.CONTAINER_ELEMENT) {
                if (node.getName() != null) {
                    name.add(SNAKE.translate(node.getName()));
                }
            }
        }
        return name.toString();
    }

    private static String jsonPath(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String describe(Class<?> type) {
        if (type == null) {
            return null;
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == BigInteger.class || type == Short.class || type == short.class) {
            return "an integer";
        }
        if (type == BigDecimal.class || type == Double.class || type == double.class || type == Float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type.isEnum()) {
            return "one of " + Arrays.stream(type.getEnumConstants()).map(Object::toString)
                    .collect(Collectors.joining(", "));
        }
        if (Temporal.class.isAssignableFrom(type)) {
            return "an ISO-8601 date-time";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        return "an object";
    }
}
