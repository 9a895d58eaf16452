package org.hotspotbilling.provider.simulator;

import jakarta.enterprise.context.ApplicationScoped;
import org.hotspotbilling.provider.ActiveCredential;
import org.hotspotbilling.provider.PaymentProvider;
import org.hotspotbilling.provider.ProviderState;

import java.util.Locale;
import java.util.UUID;

/**
 * The sandbox without a network: a push is "sent" at once and stays awaiting the customer until the owner says
 * what the customer did, through {@code POST /payments/{uuid}/simulate-callback/} with a Daraja result code.
 */
@ApplicationScoped
public class SimulatorProvider implements PaymentProvider {

    @Override
    public PushResult startPush(ActiveCredential credential, PushRequest request) {
        String invoice = invoiceFor(request.apiRef());
        return new PushResult(invoice, invoice, ProviderState.PENDING, "PENDING",
                "Simulated STK push sent; settle it with simulate-callback");
    }

    @Override
    public StatusResult status(ActiveCredential credential, StatusQuery query) {
        // The simulator's truth arrives only as a callback; until then the customer has not answered.
        return new StatusResult(ProviderState.PROCESSING, "PROCESSING", query.invoiceId(), null, null, null, null,
                null, null);
    }

    @Override
    public LinkResult createLink(ActiveCredential credential, PushRequest request) {
        String invoice = invoiceFor(request.apiRef());
        return new LinkResult(invoice, "https://simulator.invalid/pay/" + invoice, invoice, "PENDING", null);
    }

    private static String invoiceFor(UUID apiRef) {
        return "SIM" + apiRef.toString().replace("-", "").substring(0, 9).toUpperCase(Locale.ROOT);
    }
}
