package org.hotspotbilling.provider.simulator;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import org.hotspotbilling.provider.ActiveCredential;
import org.hotspotbilling.provider.PaymentProvider;
import org.hotspotbilling.provider.ProviderName;
import org.hotspotbilling.provider.ProviderState;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * The sandbox without a network: a push is "sent" at once and stays awaiting the customer until the owner says
 * what the customer did, through {@code POST /payments/{uuid}/simulate-callback/} with a Daraja result code.
 * For an M-Pesa Daraja credential, the push gets a CheckoutRequestID, what the customer did is kept
 * ({@code simulator_outcome}) and sent to our own Daraja callback, and the STK Push Query answers it, so the whole
 * Daraja path runs (docs/daraja.md "Simulator").
 */
@ApplicationScoped
public class SimulatorProvider implements PaymentProvider {

    private final AgroalDataSource db;

    public SimulatorProvider(AgroalDataSource db) {
        this.db = db;
    }

    /** What the simulated customer did, as Daraja reports it. */
    public record Outcome(int resultCode, String resultDesc) {
    }

    @Override
    public PushResult startPush(ActiveCredential credential, PushRequest request) {
        if (credential.provider() == ProviderName.mpesa) {
            String digits = request.apiRef().toString().replace("-", "");
            return new PushResult("SIM-" + digits.substring(0, 12), checkoutRequestId(request.apiRef()),
                    ProviderState.PENDING, "PENDING", "Success. Request accepted for processing");
        }
        String invoice = invoiceFor(request.apiRef());
        return new PushResult(invoice, invoice, ProviderState.PENDING, "PENDING",
                "Simulated STK push sent; settle it with simulate-callback");
    }

    @Override
    public StatusResult status(ActiveCredential credential, StatusQuery query) {
        if (credential.provider() == ProviderName.mpesa) {
            // Like Daraja's STK Push Query: the result once the customer answered, else "still processing".
            return outcome(query.invoiceId()).map(o -> o.resultCode() == 0
                    ? new StatusResult(ProviderState.COMPLETE, "0", query.invoiceId(), null, null, null, null, "KES",
                            null, true)
                    : new StatusResult(ProviderState.FAILED, String.valueOf(o.resultCode()), query.invoiceId(),
                            String.valueOf(o.resultCode()), o.resultDesc(), null, null, null, null, true))
                    .orElse(new StatusResult(ProviderState.PENDING, "PENDING", query.invoiceId(), null, null, null,
                            null, null, null, true));
        }
        // The simulator's truth arrives only as a callback; until then the customer has not answered.
        return new StatusResult(ProviderState.PROCESSING, "PROCESSING", query.invoiceId(), null, null, null, null,
                null, null, false);
    }

    @Override
    public LinkResult createLink(ActiveCredential credential, PushRequest request) {
        String invoice = invoiceFor(request.apiRef());
        return new LinkResult(invoice, "https://simulator.invalid/pay/" + invoice, invoice, "PENDING", null);
    }

    /** Keeps what the simulated customer did with a Daraja-shaped prompt (the first answer counts, like M-Pesa). */
    public void record(String checkoutRequestId, Outcome outcome) {
        try (Connection c = db.getConnection(); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO simulator_outcome (checkout_request_id, result_code, result_desc) VALUES (?, ?, ?) "
                        + "ON CONFLICT (checkout_request_id) DO NOTHING")) {
            insert.setString(1, checkoutRequestId);
            insert.setInt(2, outcome.resultCode());
            insert.setString(3, outcome.resultDesc());
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Could not record a simulated outcome", e);
        }
    }

    private Optional<Outcome> outcome(String checkoutRequestId) {
        try (Connection c = db.getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT result_code, result_desc FROM simulator_outcome WHERE checkout_request_id = ?")) {
            select.setString(1, checkoutRequestId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(new Outcome(row.getInt(1), row.getString(2))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read a simulated outcome", e);
        }
    }

    /** The CheckoutRequestID of a simulated Daraja push: Daraja's shape ({@code ws_CO_…}). */
    public static String checkoutRequestId(UUID apiRef) {
        return "ws_CO_SIM" + apiRef.toString().replace("-", "").substring(0, 20).toUpperCase(Locale.ROOT);
    }

    private static String invoiceFor(UUID apiRef) {
        return "SIM" + apiRef.toString().replace("-", "").substring(0, 9).toUpperCase(Locale.ROOT);
    }
}
