package org.hotspotbilling.payment;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * What an M-Pesa Daraja STK callback says (docs/daraja.md "Callback"): {@code Body.stkCallback} with the request's
 * ids, a ResultCode (a number, sometimes a string) and its description, and on success the CallbackMetadata items,
 * looked up by name (their order and number vary; a Balance item may come without a value).
 */
public record DarajaCallback(String merchantRequestId, String checkoutRequestId, int resultCode, String resultDesc,
        String receipt, BigDecimal amount, String phoneNumber, String transactionDate) {

    public boolean succeeded() {
        return resultCode == 0;
    }

    /** The shape Daraja expects back; it is the same whatever became of the callback. */
    public record Ack(@JsonProperty("ResultCode") int resultCode, @JsonProperty("ResultDesc") String resultDesc) {
        static final Ack ACCEPTED = new Ack(0, "Accepted");
    }

    static Optional<DarajaCallback> parse(JsonNode body) {
        JsonNode callback = body == null ? null : body.path("Body").path("stkCallback");
        if (callback == null || !callback.isObject()) {
            return Optional.empty();
        }
        String checkout = text(callback.get("CheckoutRequestID"));
        Integer code = integer(callback.get("ResultCode"));
        if (checkout == null || code == null) {
            return Optional.empty();
        }
        String receipt = null;
        BigDecimal amount = null;
        String phone = null;
        String date = null;
        for (JsonNode item : callback.path("CallbackMetadata").path("Item")) {
            JsonNode value = item.get("Value");
            switch (item.path("Name").asText("")) {
                case "MpesaReceiptNumber" -> receipt = text(value);
                case "Amount" -> amount = decimal(value);
                case "PhoneNumber" -> phone = text(value);
                case "TransactionDate" -> date = text(value);
                default -> {
                    // Balance and anything Daraja adds later: not ours to use.
                }
            }
        }
        return Optional.of(new DarajaCallback(text(callback.get("MerchantRequestID")), checkout, code,
                text(callback.get("ResultDesc")), receipt, amount, phone, date));
    }

    /** The metadata as the timeline shows it. */
    String describe() {
        StringBuilder text = new StringBuilder("ResultCode ").append(resultCode);
        if (resultDesc != null) {
            text.append(": ").append(resultDesc);
        }
        if (receipt != null) {
            text.append("; receipt ").append(receipt);
        }
        if (amount != null) {
            text.append(", amount ").append(amount.toPlainString());
        }
        if (phoneNumber != null) {
            text.append(", phone ").append(phoneNumber);
        }
        if (transactionDate != null) {
            text.append(", at ").append(transactionDate);
        }
        return text.toString();
    }

    private static String text(JsonNode value) {
        if (value == null || value.isNull() || value.isContainerNode()) {
            return null;
        }
        // Numbers such as 254708374149 or 20191219102115 must not turn into 2.54708374149E11.
        return value.isNumber() ? value.decimalValue().toPlainString()
                : WebhookService.storable(value.asText()).trim();
    }

    private static Integer integer(JsonNode value) {
        String text = text(value);
        try {
            return text == null ? null : Integer.valueOf(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static BigDecimal decimal(JsonNode value) {
        String text = text(value);
        try {
            return text == null ? null : new BigDecimal(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
