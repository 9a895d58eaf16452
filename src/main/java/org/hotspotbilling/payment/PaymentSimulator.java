package org.hotspotbilling.payment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.hotspotbilling.payment.PaymentEvent.Source;
import org.hotspotbilling.provider.ActiveCredential;
import org.hotspotbilling.provider.CredentialService;
import org.hotspotbilling.provider.Environment;
import org.hotspotbilling.provider.ProviderName;
import org.hotspotbilling.provider.daraja.DarajaTime;
import org.hotspotbilling.provider.simulator.SimulatorProvider;
import org.hotspotbilling.web.Conflict;
import org.hotspotbilling.web.Invalid;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * What the simulated customer did with the prompt, told by the owner ({@code simulate-callback}). IntaSend-style
 * simulator payments settle at once. M-Pesa Daraja simulator payments go the whole Daraja way without a network:
 * the outcome is kept for the simulated STK Push Query, a Daraja-shaped callback is handed to our own callback
 * handler, and the query confirms it a moment later, as in the field (docs/daraja.md "Simulator").
 */
@ApplicationScoped
public class PaymentSimulator {

    private final PaymentService payments;
    private final PaymentSettlement settlement;
    private final CredentialService credentials;
    private final SimulatorProvider simulator;
    private final WebhookService webhooks;
    private final ObjectMapper json;

    public PaymentSimulator(PaymentService payments, PaymentSettlement settlement, CredentialService credentials,
            SimulatorProvider simulator, WebhookService webhooks, ObjectMapper json) {
        this.payments = payments;
        this.settlement = settlement;
        this.credentials = credentials;
        this.simulator = simulator;
        this.webhooks = webhooks;
        this.json = json;
    }

    public PaymentDtos.StatusAnswer simulateCallback(long ownerId, UUID id, PaymentDtos.SimulatedCallback callback) {
        // An IntaSend-style payment is read, settled and answered in one transaction; a Daraja one goes on after it.
        Checked checked = QuarkusTransaction.joiningExisting().call(() -> {
            Payment payment = payments.owned(ownerId, id);
            if (payment.providerMode != Environment.simulator) {
                throw new Conflict("Only simulator payments can be settled with simulate-callback");
            }
            if (callback == null || callback.resultCode() == null) {
                throw new Invalid("result_code is required (0 success, 1 insufficient funds, 1032 cancelled, "
                        + "1037 timeout, 2001 wrong PIN)", Map.of("result_code", "This field is required."));
            }
            if (ProviderName.mpesa.name().equals(payment.paymentProvider)) {
                return new Checked(payment, null);
            }
            String code = String.valueOf(callback.resultCode());
            Payment settled = callback.resultCode() == 0
                    ? settlement.complete(id, Source.simulator, code, describe(callback))
                    : settlement.fail(id, Source.simulator, code, describe(callback));
            return new Checked(null, payments.statusAnswer(settled));
        });
        return checked.answer() != null ? checked.answer() : viaDaraja(checked.daraja(), callback);
    }

    /** A simulated callback's answer, or the Daraja payment it is for (answered by {@link #viaDaraja}). */
    private record Checked(Payment daraja, PaymentDtos.StatusAnswer answer) {
    }

    private PaymentDtos.StatusAnswer viaDaraja(Payment payment, PaymentDtos.SimulatedCallback callback) {
        ActiveCredential credential = payment.credentialId == null ? null
                : credentials.byId(payment.credentialId).orElse(null);
        if (credential == null || payment.intasendInvoiceId == null) {
            throw new Conflict("This simulated M-Pesa payment has no prompt to answer");
        }
        simulator.record(payment.intasendInvoiceId, new SimulatorProvider.Outcome(callback.resultCode(),
                describe(callback)));
        webhooks.receiveDaraja(credential.callbackToken(), stkCallback(payment, callback));
        return payments.statusAnswer(payments.owned(payment.ownerId, payment.id));
    }

    /** The callback Daraja would post for this payment (docs/daraja.md "Callback"). */
    private ObjectNode stkCallback(Payment payment, PaymentDtos.SimulatedCallback callback) {
        ObjectNode stk = json.createObjectNode()
                .put("MerchantRequestID", payment.intasendPaymentId)
                .put("CheckoutRequestID", payment.intasendInvoiceId)
                .put("ResultCode", callback.resultCode())
                .put("ResultDesc", describe(callback));
        if (callback.resultCode() == 0) {
            ArrayNode items = stk.putObject("CallbackMetadata").putArray("Item");
            items.addObject().put("Name", "Amount").put("Value", payment.amount);
            items.addObject().put("Name", "MpesaReceiptNumber").put("Value", receipt(payment.id));
            items.addObject().put("Name", "Balance");
            items.addObject().put("Name", "TransactionDate").put("Value", Long.parseLong(
                    DarajaTime.timestamp(Instant.now())));
            items.addObject().put("Name", "PhoneNumber").put("Value", Long.parseLong(payment.phoneNumber));
        }
        ObjectNode body = json.createObjectNode();
        body.putObject("Body").set("stkCallback", stk);
        return body;
    }

    /** A receipt in M-Pesa's shape (ten capitals and digits), unique per payment. */
    static String receipt(UUID id) {
        return "SIM" + id.toString().replace("-", "").substring(0, 7).toUpperCase(java.util.Locale.ROOT);
    }

    static String describe(PaymentDtos.SimulatedCallback callback) {
        if (callback.resultDesc() != null && !callback.resultDesc().isBlank()) {
            return callback.resultDesc();
        }
        return switch (callback.resultCode()) {
            case 0 -> "The service request is processed successfully.";
            case 1 -> "The balance is insufficient for the transaction.";
            case 1032 -> "Request cancelled by user";
            case 1037 -> "DS timeout user cannot be reached";
            case 2001 -> "The initiator information is invalid.";
            default -> "Failed with result code " + callback.resultCode();
        };
    }
}
