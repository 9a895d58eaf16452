package org.hotspotbilling.payment;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirementsSet;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.hotspotbilling.tenant.CurrentOwner;
import org.hotspotbilling.tenant.Roles;
import org.hotspotbilling.web.ApiDocumentation;

import java.util.UUID;

/** The built-in simulator's callback: what the customer did with the (simulated) M-Pesa prompt. */
@Path("/payments/{id: [0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}}/simulate-callback")
@Tag(name = "Payments")
// Owner only: the public key sits in every captive page, and settling a payment grants access.
@RolesAllowed(Roles.OWNER)
@SecurityRequirementsSet(@SecurityRequirement(name = ApiDocumentation.JWT))
@SecurityRequirementsSet({ @SecurityRequirement(name = ApiDocumentation.API_KEY),
        @SecurityRequirement(name = ApiDocumentation.PRIVATE_KEY) })
public class SimulatorResource {

    private final PaymentSimulator simulator;
    private final CurrentOwner current;

    public SimulatorResource(PaymentSimulator simulator, CurrentOwner current) {
        this.simulator = simulator;
        this.current = current;
    }

    @POST
    @Operation(summary = "Settle a simulator payment", description = "Owner only, simulator credentials only "
            + "(409 otherwise). {\"result_code\": 0|1|1032|1037|2001, \"result_desc\": \"…\"}: 0 completes, "
            + "anything else fails with that Daraja code.")
    public PaymentDtos.StatusAnswer simulate(@PathParam("id") UUID id, PaymentDtos.SimulatedCallback callback) {
        return simulator.simulateCallback(current.id(), id, callback);
    }
}
