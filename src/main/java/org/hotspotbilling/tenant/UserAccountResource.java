package org.hotspotbilling.tenant;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirementsSet;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.hotspotbilling.web.ApiDocumentation;

import static org.hotspotbilling.tenant.UserResource.BODY_REQUIRED;

/** The caller's own account: profile and API keys. Owner only: a JWT access token or the key pair. */
@Path("/users")
@Tag(name = "Users")
@RolesAllowed(Roles.OWNER)
@SecurityRequirementsSet(@SecurityRequirement(name = ApiDocumentation.JWT))
@SecurityRequirementsSet({ @SecurityRequirement(name = ApiDocumentation.API_KEY),
        @SecurityRequirement(name = ApiDocumentation.PRIVATE_KEY) })
public class UserAccountResource {

    private final OwnerService owners;
    private final ApiKeyService apiKeys;
    private final CurrentOwner current;

    public UserAccountResource(OwnerService owners, ApiKeyService apiKeys, CurrentOwner current) {
        this.owners = owners;
        this.apiKeys = apiKeys;
        this.current = current;
    }

    @GET
    @Path("/profile")
    @Operation(summary = "The caller's profile", description = "Owner: JWT or X-API-Key + X-Private-Key.")
    public UserDtos.Profile profile() {
        return UserDtos.Profile.of(owners.profile(current.id()));
    }

    @PATCH
    @Path("/profile")
    @Operation(summary = "Change email, bio or website", description = "Owner: JWT or X-API-Key + X-Private-Key. "
            + "Fields left out keep their value.")
    public UserDtos.ProfileUpdated updateProfile(
            @Valid @NotNull(message = BODY_REQUIRED) UserDtos.ProfileUpdate update) {
        return new UserDtos.ProfileUpdated("Profile updated successfully",
                UserDtos.Profile.of(owners.updateProfile(current.id(), update)));
    }

    @PUT
    @Path("/profile")
    @Operation(summary = "Same as PATCH (the reference's verb)", description = "Owner: JWT or key pair.")
    public UserDtos.ProfileUpdated replaceProfile(
            @Valid @NotNull(message = BODY_REQUIRED) UserDtos.ProfileUpdate update) {
        return updateProfile(update);
    }

    @GET
    @Path("/api-keys")
    @Operation(summary = "The caller's public key", description = "Owner. The private key is never shown again.")
    public UserDtos.PublicKeyView apiKeys() {
        ApiKey key = apiKeys.current(current.id());
        return new UserDtos.PublicKeyView(key.publicKey, key.createdAt);
    }

    @POST
    @Path("/generate-api-key")
    @Operation(summary = "Generate a new key pair", description = "Owner. The old pair stops working at once.")
    public Response generateApiKey() {
        return Response.status(201).entity(new UserDtos.GeneratedKeys("New API key generated successfully",
                apiKeys.issueNewPair(current.id()))).build();
    }

    @POST
    @Path("/rotate-api-keys")
    @Operation(summary = "Rotate the key pair", description = "Owner. The old pair stops working at once.")
    public Response rotateApiKeys() {
        ApiKeyService.IssuedKeys keys = apiKeys.issueNewPair(current.id());
        return Response.status(201).entity(new UserDtos.RotatedKeys(
                "New API keys generated. Store your private key securely — it won't be shown again.",
                keys.publicKey(), keys.privateKey())).build();
    }

    @POST
    @Path("/set-custom-api-keys")
    @Operation(summary = "Set a key pair of your choice", description = "Owner. public_key: 32 hex, "
            + "private_key: 64 hex; the public key must not be in use by another account.")
    public Response setCustomApiKeys(@NotNull(message = BODY_REQUIRED) UserDtos.CustomKeysRequest request) {
        String publicKey = apiKeys.setCustomPair(current.id(), request.publicKey(), request.privateKey());
        return Response.status(201).entity(new UserDtos.CustomKeysSet("Custom API keys set successfully",
                publicKey, "Your custom API keys are now active")).build();
    }
}
