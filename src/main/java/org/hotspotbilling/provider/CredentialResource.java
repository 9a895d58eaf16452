package org.hotspotbilling.provider;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirementsSet;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.hotspotbilling.provider.CredentialDtos.CredentialRequest;
import org.hotspotbilling.provider.CredentialDtos.CredentialView;
import org.hotspotbilling.tenant.CurrentOwner;
import org.hotspotbilling.tenant.Roles;
import org.hotspotbilling.web.ApiDocumentation;
import org.hotspotbilling.web.Choices;
import org.hotspotbilling.web.ErrorBody;

import java.util.List;

/** Payment-provider credentials at the reference's {@code /payments/credentials/...} paths. */
@Path("/payments/credentials")
@Tag(name = "Payment credentials", description = "Provider API keys; the private key is write-only")
@RolesAllowed(Roles.OWNER)
@SecurityRequirementsSet(@SecurityRequirement(name = ApiDocumentation.JWT))
@SecurityRequirementsSet({ @SecurityRequirement(name = ApiDocumentation.API_KEY),
        @SecurityRequirement(name = ApiDocumentation.PRIVATE_KEY) })
public class CredentialResource {

    static final String BODY_REQUIRED = "A JSON request body is required.";

    private final CredentialService credentials;
    private final CurrentOwner current;

    public CredentialResource(CredentialService credentials, CurrentOwner current) {
        this.credentials = credentials;
        this.current = current;
    }

    @GET
    @Operation(summary = "The caller's credentials", description = "Owner. Never includes the private key.")
    public List<CredentialView> list() {
        return credentials.list(current.id());
    }

    @POST
    @Operation(summary = "Add credentials for a provider", description = "Owner. One per provider. environment: "
            + "sandbox (default), live or simulator. IntaSend (provider instasend): api_key and private_key, which "
            + "must match the environment (ISPubKey_test_… on sandbox, ISPubKey_live_… on live). M-Pesa Daraja "
            + "(provider mpesa): consumer_key, consumer_secret, passkey, short_code, account_type (paybill or till) "
            + "and, for a till, till_number. Secrets are write-only.")
    public Response create(@Valid @NotNull(message = BODY_REQUIRED) CredentialRequest request) {
        return Response.status(201).entity(credentials.create(current.id(), request)).build();
    }

    @GET
    @Path("/{id: \\d+}")
    @Operation(summary = "One credential", description = "Owner.")
    public CredentialView get(@PathParam("id") long id) {
        return credentials.get(current.id(), id);
    }

    @PUT
    @Path("/{id: \\d+}")
    @Operation(summary = "Change api_key, environment, is_active or private_key", description = "Owner. Partial, "
            + "as in the reference.")
    public CredentialView replace(@PathParam("id") long id, @Valid @NotNull(message = BODY_REQUIRED) CredentialRequest request) {
        return credentials.update(current.id(), id, request);
    }

    @PATCH
    @Path("/{id: \\d+}")
    @Operation(summary = "Same as PUT", description = "Owner.")
    public CredentialView patch(@PathParam("id") long id, @Valid @NotNull(message = BODY_REQUIRED) CredentialRequest request) {
        return credentials.update(current.id(), id, request);
    }

    @DELETE
    @Path("/{id: \\d+}")
    @Operation(summary = "Delete a credential", description = "Owner.")
    public CredentialDtos.Deleted delete(@PathParam("id") long id) {
        return new CredentialDtos.Deleted("Payment credentials for " + credentials.delete(current.id(), id)
                + " have been successfully deleted");
    }

    @POST
    @Path("/{id: \\d+}/update-private-key")
    @Operation(summary = "Replace the private key", description = "Owner.")
    public CredentialDtos.WithMessage updatePrivateKey(@PathParam("id") long id,
            @NotNull(message = BODY_REQUIRED) CredentialDtos.PrivateKeyRequest request) {
        return new CredentialDtos.WithMessage("Private key updated successfully",
                credentials.updatePrivateKey(current.id(), id, request.privateKey()));
    }

    @POST
    @Path("/{id: \\d+}/verify")
    @Operation(summary = "Check a private key against the stored one", description = "Owner. Compares hashes.")
    public CredentialDtos.Verification verify(@PathParam("id") long id,
            @NotNull(message = BODY_REQUIRED) CredentialDtos.PrivateKeyRequest request) {
        return credentials.verify(current.id(), id, request.privateKey());
    }

    @POST
    @Path("/{id: \\d+}/toggle")
    @Operation(summary = "Activate or deactivate", description = "Owner.")
    public CredentialDtos.WithMessage toggle(@PathParam("id") long id) {
        CredentialView view = credentials.toggle(current.id(), id);
        return new CredentialDtos.WithMessage("Payment credentials for " + view.providerDisplay() + " have been "
                + (view.isActive() ? "activated" : "deactivated"), view);
    }

    @POST
    @Path("/{id: \\d+}/use-for-portal")
    @Operation(summary = "Let the captive portal pay through this credential", description = "Owner. With more "
            + "than one active credential (IntaSend and M-Pesa Daraja), the portal's payments go through the one "
            + "chosen here; `used_by_portal` in the answer says which is used now.")
    public CredentialView useForPortal(@PathParam("id") long id) {
        return credentials.useForPortal(current.id(), id);
    }

    @POST
    @Path("/{id: \\d+}/webhook-secret")
    @Operation(summary = "Set or rotate the webhook challenge", description = "Owner. Body {\"challenge\": \"…\"} "
            + "(16+ characters) or empty to generate one. Answers the challenge once, with the webhook URL.")
    public CredentialDtos.WebhookSecretSet webhookSecret(@PathParam("id") long id,
            @Valid CredentialDtos.WebhookSecretRequest request) {
        return credentials.setWebhookSecret(current.id(), id, request == null ? null : request.challenge());
    }

    @GET
    @Path("/{id: \\d+}/get-private-key")
    @Operation(summary = "Gone: the private key is never returned", description = "The reference returned the "
            + "secret in plaintext; this answers 410. Use verify to check a key.")
    public Response getPrivateKey(@PathParam("id") long id) {
        credentials.get(current.id(), id); // 404 for another owner's id, like every other verb
        return Response.status(410).entity(ErrorBody.of("The private key is never returned. Use "
                + "/payments/credentials/" + id + "/verify/ to check a key, or update-private-key to replace it."))
                .build();
    }

    @GET
    @Path("/provider/{provider}")
    @Operation(summary = "The caller's credential for one provider", description = "Owner. 400 for an unknown "
            + "provider, 404 when none is set.")
    public CredentialView byProvider(@PathParam("provider") String provider) {
        return credentials.byProvider(current.id(), Choices.parse(ProviderName.values(), provider, "provider", null));
    }
}
