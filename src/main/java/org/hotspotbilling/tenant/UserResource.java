package org.hotspotbilling.tenant;

import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.hotspotbilling.web.ClientAddress;
import org.hotspotbilling.web.Invalid;
import org.hotspotbilling.web.Unauthenticated;

/** Registration and the ways to obtain tokens: the {@code /users/...} endpoints that need no authentication. */
@Path("/users")
@Tag(name = "Users", description = "Owner accounts, tokens and API keys")
@PermitAll
public class UserResource {

    static final String BODY_REQUIRED = "A JSON request body is required.";

    private final OwnerService owners;
    private final ApiKeyService apiKeys;
    private final TokenService tokens;
    private final LoginLimits limits;

    public UserResource(OwnerService owners, ApiKeyService apiKeys, TokenService tokens, LoginLimits limits) {
        this.owners = owners;
        this.apiKeys = apiKeys;
        this.tokens = tokens;
        this.limits = limits;
    }

    @POST
    @Path("/register")
    @Operation(summary = "Register an owner", description = "No authentication. Answers the API key pair once.")
    public Response register(@Valid @NotNull(message = BODY_REQUIRED) UserDtos.RegisterRequest request) {
        OwnerService.Registration registration = owners.register(request);
        return Response.status(201).entity(new UserDtos.RegisterResponse("User registered successfully",
                registration.owner().id, registration.owner().username, registration.keys(),
                "API keys created automatically")).build();
    }

    @POST
    @Path("/login")
    @Operation(summary = "Log in with username and password", description = "No authentication. "
            + "Answers an access and a refresh token. 429 with Retry-After past the per-username or per-address "
            + "limit.")
    public UserDtos.TokenResponse login(UserDtos.LoginRequest request, @Context HttpServerRequest http) {
        if (request == null || blank(request.username()) || blank(request.password())) {
            throw new Invalid("Username and password are required");
        }
        if (request.username().length() > 150 || request.password().length() > 1024) {
            throw new Invalid("Username or password is too long");
        }
        limits.passwordLogin(ClientAddress.of(http), request.username());
        return tokens.issue(owners.authenticate(request.username(), request.password()), null);
    }

    @POST
    @Path("/token/refresh")
    @Operation(summary = "Exchange a refresh token for new tokens", description = "No authentication header; "
            + "the refresh token goes in the body as refresh_token (or refresh).")
    public UserDtos.TokenResponse refresh(UserDtos.RefreshRequest request) {
        if (request == null || blank(request.token())) {
            throw new Invalid("refresh_token is required");
        }
        return tokens.refresh(request.token());
    }

    @POST
    @Path("/api-key-login")
    @Operation(summary = "Log in with the API key pair", description = "No authentication header; "
            + "public_key and private_key in the body. Answers an access and a refresh token. 429 with Retry-After "
            + "past the per-key or per-address limit.")
    public UserDtos.TokenResponse apiKeyLogin(UserDtos.ApiKeyLoginRequest request, @Context HttpServerRequest http) {
        if (request == null || blank(request.publicKey()) || blank(request.privateKey())) {
            throw new Invalid("Public key and private key are required");
        }
        limits.keyPairLogin(ClientAddress.of(http), request.publicKey());
        Owner owner = apiKeys.ownerOfPair(request.publicKey(), request.privateKey())
                .orElseThrow(() -> new Unauthenticated(ApiKeyAuthentication.INVALID_KEY_PAIR));
        OwnerService.requireActive(owner);
        return tokens.issue(owner, "API key authentication successful");
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
