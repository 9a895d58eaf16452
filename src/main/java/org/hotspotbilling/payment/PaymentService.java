package org.hotspotbilling.payment;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.hotspotbilling.access.AccessGrants;
import org.hotspotbilling.payment.PaymentDtos.PaymentView;
import org.hotspotbilling.payment.PaymentDtos.PortalAnswer;
import org.hotspotbilling.payment.PaymentDtos.PurchaseRequest;
import org.hotspotbilling.payment.PaymentEvent.Source;
import org.hotspotbilling.plan.Plan;
import org.hotspotbilling.plan.PlanService;
import org.hotspotbilling.provider.ActiveCredential;
import org.hotspotbilling.provider.CredentialService;
import org.hotspotbilling.provider.Environment;
import org.hotspotbilling.provider.PaymentProvider;
import org.hotspotbilling.provider.PaymentProvider.PushRequest;
import org.hotspotbilling.provider.ProviderException;
import org.hotspotbilling.provider.ProviderName;
import org.hotspotbilling.provider.Providers;
import org.hotspotbilling.web.Choices;
import org.hotspotbilling.web.Conflict;
import org.hotspotbilling.web.Invalid;
import org.hotspotbilling.web.NotFound;
import org.hotspotbilling.web.RateLimiter;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The portal's purchase flow and the status checks. The payment row is committed before the provider is called,
 * no transaction or connection is held while the provider answers, and what the answer means is applied by
 * {@link PaymentSettlement} under the row lock.
 */
@ApplicationScoped
public class PaymentService {

    static final String NOT_FOUND = "Payment not found or access denied";
    static final String NO_CREDENTIALS =
            "No active IntaSend credentials found. Please add your IntaSend API credentials first.";
    static final String NO_CREDENTIALS_ANY = "No active payment credentials found. Please add your IntaSend or "
            + "M-Pesa (Daraja) credentials first.";
    static final String PER_TENANT = "payment-per-public-key";
    static final String PER_PHONE = "payment-per-phone";
    static final String PER_MAC = "payment-per-mac";
    static final String PER_ADDRESS = "payment-per-ip";
    private static final Logger LOG = Logger.getLogger(PaymentService.class);

    private final PlanService plans;
    private final CredentialService credentials;
    private final Providers providers;
    private final PaymentSettlement settlement;
    private final PaymentConfig config;
    private final RateLimiter rateLimiter;
    private final AccessGrants grants;
    private final ProviderConfirmation confirmation;
    private final IdempotencyKeys idempotency;
    private final EntityManager em;

    public PaymentService(PlanService plans, CredentialService credentials, Providers providers,
            PaymentSettlement settlement, PaymentConfig config, RateLimiter rateLimiter, AccessGrants grants,
            ProviderConfirmation confirmation, IdempotencyKeys idempotency, EntityManager em) {
        this.plans = plans;
        this.credentials = credentials;
        this.providers = providers;
        this.settlement = settlement;
        this.config = config;
        this.rateLimiter = rateLimiter;
        this.grants = grants;
        this.confirmation = confirmation;
        this.idempotency = idempotency;
        this.em = em;
    }

    /**
     * A validated purchase: the payment to write, the credential to charge it with, and for M-Pesa Daraja the URL
     * Daraja posts the result to.
     */
    record Purchase(Payment payment, ActiveCredential credential, String callbackUrl) {
    }

    /**
     * Where a purchase comes in: the message when the owner has no active credential (the IntaSend paths keep the
     * reference's), and this service's public address, which Daraja's callback URL is built on.
     */
    public record Channel(String noCredentials, String publicBase) {
    }

    /**
     * Who asks for a purchase: the owner it is for, whether through the captive portal's public key (rather than
     * the owner's own token or key pair), and from which address ({@link org.hotspotbilling.web.ClientAddress}).
     */
    public record Caller(long ownerId, boolean portal, String address) {
    }

    /**
     * Opens a purchase: checks its every rule, takes its rate-limit tokens and writes the payment (with the
     * Idempotency-Key's claim, or null), all in one transaction, the first of an initiate's two (the second records
     * the provider's answer). A refusal writes no payment; a refusal by a rate limit still commits the tokens taken
     * before it, as a check of its own would have.
     */
    public Purchase open(Caller caller, PurchaseRequest request, String kind, Channel channel,
            IdempotencyKeys.Claim claim) {
        // Joins the transaction that claimed the request's Idempotency-Key, if any (IdempotencyKeys.run).
        return QuarkusTransaction.joiningExisting()
                .exceptionHandler(RateLimiter::keepTokensOnRefusal)
                .call(() -> {
                    Purchase purchase = validate(caller, request, kind, channel);
                    takeTokens(caller, purchase.payment());
                    settlement.created(purchase.payment(), Source.portal, claim);
                    return purchase;
                });
    }

    /** Checks every rule of a purchase (docs/payments-rules.md "Purchases"), in order; nothing is written. */
    Purchase validate(Caller caller, PurchaseRequest request, String kind, Channel channel) {
        long ownerId = caller.ownerId();
        if (request == null || request.routerId() == null || request.packageId() == null
                || request.phoneNumber() == null || request.phoneNumber().isBlank() || request.amount() == null) {
            throw new Invalid("router_id, package_id, phone_number, and amount are required");
        }
        return QuarkusTransaction.joiningExisting().call(() -> {
            Plan plan = plans.purchasable(ownerId, request.routerId(), request.packageId());
            if (request.amount().compareTo(plan.price) != 0) {
                throw new Invalid("Amount must match package price: " + plan.price.toPlainString() + " KES",
                        Map.of("amount", "Must be " + plan.price.toPlainString() + "."));
            }
            String phone = CustomerInput.phone(request.phoneNumber())
                    .orElseThrow(() -> new Invalid("Invalid phone number format",
                            Map.of("phone_number", "Use 07XXXXXXXX, 01XXXXXXXX or 254XXXXXXXXX.")));
            if (caller.portal() && blank(request.macAddress())) {
                // Without the device the money would buy nothing (docs/payments-rules.md, "Purchases").
                throw new Invalid("mac_address is required: it is the device the package is for",
                        Map.of("mac_address", "This field is required."));
            }
            String mac = blank(request.macAddress()) ? null : CustomerInput.mac(request.macAddress())
                    .orElseThrow(() -> new Invalid("Invalid MAC address format",
                            Map.of("mac_address", "Use AA:BB:CC:DD:EE:FF.")));
            String ip = blank(request.ipAddress()) ? null : CustomerInput.ip(request.ipAddress())
                    .orElseThrow(() -> new Invalid("Invalid IP address format",
                            Map.of("ip_address", "Use an IPv4 or IPv6 address.")));
            PaymentMethod method = method(request.paymentMethod());
            ActiveCredential credential = credentials.forPortal(ownerId)
                    .orElseThrow(() -> new NotFound(channel.noCredentials()));
            boolean daraja = credential.provider() == ProviderName.mpesa;
            if (daraja && Payment.LINK.equals(kind)) {
                throw new Invalid("M-Pesa Daraja has no payment links: use initiate for an STK push");
            }
            if (daraja && plan.price.stripTrailingZeros().scale() > 0) {
                throw new Invalid("M-Pesa takes whole shillings only: this package costs " + plan.price.toPlainString()
                        + " KES", Map.of("package_id", "Set a whole-shilling price to sell it through M-Pesa."));
            }

            Payment payment = new Payment();
            payment.id = UUID.randomUUID();
            payment.ownerId = ownerId;
            payment.routerId = plan.routerId;
            payment.planId = plan.id;
            payment.packageName = plan.name;
            payment.durationHours = plan.durationHours;
            payment.downloadSpeedMbps = plan.downloadSpeedMbps;
            payment.uploadSpeedMbps = plan.uploadSpeedMbps;
            payment.phoneNumber = phone;
            payment.amount = plan.price;
            payment.paymentMethod = method;
            payment.paymentProvider = credential.provider().name();
            payment.providerMode = credential.environment();
            payment.credentialId = credential.id();
            payment.kind = kind;
            payment.status = PaymentStatus.pending;
            payment.macAddress = mac;
            payment.ipAddress = ip;
            payment.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            payment.nextCheckAt = payment.createdAt.plus(config.reconcile().firstCheckAfter());
            return new Purchase(payment, credential, daraja ? channel.publicBase() + "/payments/webhook/mpesa/"
                    + credential.callbackToken() + "/" : null);
        });
    }

    /**
     * The purchase's rate-limit tokens, in the caller's transaction. The public key is public: without these limits
     * anyone could flood a stranger's phone with prompts. Only valid purchases count, after every rule held, before
     * anything is written or sent. The caller's address goes first, so one flooding address is stopped before it
     * drains the buckets of the phones and devices it names; owner callers (a server relaying every customer) have
     * no address limit. Sizes and reasons: docs/payments-rules.md, "Rate limits".
     */
    private void takeTokens(Caller caller, Payment payment) {
        List<RateLimiter.Token> tokens = new ArrayList<>(4);
        if (caller.portal()) {
            tokens.add(new RateLimiter.Token(PER_ADDRESS, caller.address()));
        }
        tokens.add(new RateLimiter.Token(PER_TENANT, "owner:" + payment.ownerId));
        if (payment.macAddress != null) {
            tokens.add(new RateLimiter.Token(PER_MAC, payment.macAddress));
        }
        tokens.add(new RateLimiter.Token(PER_PHONE, payment.phoneNumber));
        rateLimiter.consumeInTransaction(tokens);
    }

    /**
     * Sends the STK push for the payment {@link #open} wrote, and answers as docs/payments.md "Provider outcomes"
     * says.
     */
    public PortalAnswer initiate(Purchase purchase, IdempotencyKeys.Claim claim) {
        Payment payment = purchase.payment();
        PaymentProvider provider = providers.forCredential(purchase.credential());
        PaymentProvider.PushResult pushed;
        try {
            pushed = provider.startPush(purchase.credential(), pushRequest(payment, purchase.callbackUrl()));
        } catch (ProviderException e) {
            return providerFailure(payment.id, claim, e, "Failed to initiate STK push: ");
        }
        return answered(claim, () -> {
            Payment sent = settlement.sent(payment.id, Source.portal, pushed.paymentId(), pushed.invoiceId(),
                    pushed.rawState(), null, PaymentEvent.Type.push_sent);
            return new PortalAnswer(201, new PaymentDtos.Initiated("STK push initiated successfully",
                    PaymentView.of(sent), new PaymentDtos.PushInfo(pushed.paymentId(), pushed.invoiceId(),
                    pushed.rawState(), pushed.message())));
        });
    }

    /** Asks the provider for the checkout link the customer opens, for the payment {@link #open} wrote. */
    public PortalAnswer createLink(Purchase purchase, IdempotencyKeys.Claim claim) {
        Payment payment = purchase.payment();
        PaymentProvider provider = providers.forCredential(purchase.credential());
        PaymentProvider.LinkResult link;
        try {
            link = provider.createLink(purchase.credential(), pushRequest(payment, null));
        } catch (ProviderException e) {
            return providerFailure(payment.id, claim, e, "Failed to create payment link: ");
        }
        return answered(claim, () -> {
            Payment sent = settlement.linkCreated(payment.id, link);
            return new PortalAnswer(201, new PaymentDtos.LinkCreated("Payment link created successfully",
                    PaymentView.of(sent), new PaymentDtos.LinkInfo(link.url(), link.invoiceId(), link.rawState())));
        });
    }

    /**
     * Applies the provider's answer and stores the request's own answer on its Idempotency-Key (claim null: none)
     * in one transaction, the second of a purchase's two: {@code apply} is a settlement step and what it answers.
     */
    private PortalAnswer answered(IdempotencyKeys.Claim claim, Supplier<PortalAnswer> apply) {
        return QuarkusTransaction.requiringNew().call(() -> {
            PortalAnswer answer = apply.get();
            idempotency.answerWithin(claim, answer);
            return answer;
        });
    }

    /**
     * The portal's poll. A settled payment answers from the database at once (its expiry never moves); an open one
     * is checked with the provider first, at most once per {@code hotspot.payments.status-min-interval} however
     * often the portal polls (the rest answer from the database).
     */
    public PaymentDtos.StatusAnswer checkStatus(long ownerId, UUID id) {
        Instant now = Instant.now();
        // Two transactions at most, neither held while the provider answers: one reads the payment (and answers it
        // when the provider need not be asked, or prepares the question), one applies the answer.
        Polled polled = QuarkusTransaction.joiningExisting().call(() -> {
            Payment payment = owned(ownerId, id);
            if (!payment.status.open() || !providerCheckDue(id, now)) {
                return new Polled(null, statusAnswer(payment));
            }
            ProviderConfirmation.Prepared prepared = confirmation.prepare(payment, Source.check_status);
            return prepared.ready() ? new Polled(prepared, null) : new Polled(null, statusAnswer(prepared.payment()));
        });
        if (polled.answer() != null) {
            return polled.answer();
        }
        return statusAnswer(confirmation.ask(polled.prepared(), Source.check_status).payment());
    }

    /** A payment as read for a poll: the answer when the database alone gives it, else the question to ask. */
    private record Polled(ProviderConfirmation.Prepared prepared, PaymentDtos.StatusAnswer answer) {
    }

    /**
     * Claims the right to ask the provider about an open payment now: true at most once per status-min-interval
     * for a payment, across all instances (the claim is a conditional update of its row).
     */
    private boolean providerCheckDue(UUID id, Instant now) {
        return em.createNativeQuery("UPDATE payment SET provider_checked_at = ?1 WHERE id = ?2 AND "
                        + "(provider_checked_at IS NULL OR provider_checked_at <= ?3)")
                .setParameter(1, now).setParameter(2, id).setParameter(3, now.minus(config.statusMinInterval()))
                .executeUpdate() == 1;
    }

    @Transactional
    public Payment owned(long ownerId, UUID id) {
        Payment payment = Payment.findById(id);
        if (payment == null || payment.ownerId != ownerId) {
            throw new NotFound(NOT_FOUND);
        }
        return payment;
    }

    public PaymentDtos.StatusAnswer statusAnswer(Payment payment) {
        String message = switch (payment.status) {
            case completed -> "Payment completed successfully!";
            case failed, cancelled -> "Payment " + payment.status + ": " + payment.errorMessage;
            default -> "Payment status checked successfully";
        };
        String hint = payment.status == PaymentStatus.failed ? latestHint(payment.id) : null;
        PaymentDtos.Access access = payment.status == PaymentStatus.completed && payment.macAddress != null
                ? grants.stateOf(payment.routerId, payment.macAddress)
                        .map(a -> new PaymentDtos.Access(a.state(), a.expiresAt())).orElse(null)
                : null;
        return new PaymentDtos.StatusAnswer(message, PaymentView.of(payment), payment.status, payment.intasendState,
                payment.packageExpiryTime, hint, access);
    }

    private PortalAnswer providerFailure(UUID id, IdempotencyKeys.Claim claim, ProviderException e, String prefix) {
        if (e.outcome() == ProviderException.Outcome.REJECTED) {
            return answered(claim, () -> {
                settlement.fail(id, Source.portal, e.status() == 0 ? null : String.valueOf(e.status()),
                        e.getMessage());
                return new PortalAnswer(502, new PaymentDtos.Failed(prefix + e.getMessage(), id));
            });
        }
        return answered(claim, () -> unknownOutcome(id, e.getMessage()));
    }

    /**
     * The answer for a payment whose purchase request never finished (an Idempotency-Key retry after the lock
     * timeout): the push may or may not have been sent, so it is an unknown outcome like a provider timeout.
     */
    public PortalAnswer unfinished(UUID id) {
        return unknownOutcome(id, "The request that created this payment did not finish (the service stopped or "
                + "lost its database); a retry with the same Idempotency-Key took over");
    }

    private PortalAnswer unknownOutcome(UUID id, String why) {
        Payment open = settlement.requiresRecovery(id, Source.portal, why);
        // A page written for the reference needs a truthy intasend.payment_id to start polling: give it ours.
        return new PortalAnswer(202, new PaymentDtos.Initiated("The payment provider did not confirm the request in "
                + "time. The customer may still get the M-Pesa prompt: keep checking status.", PaymentView.of(open),
                new PaymentDtos.PushInfo(id.toString(), null, "UNKNOWN", RecoveryHints.UNKNOWN_OUTCOME)));
    }

    private static PushRequest pushRequest(Payment payment, String callbackUrl) {
        return new PushRequest(payment.id, payment.phoneNumber, payment.amount, payment.currency,
                "WiFi " + payment.packageName, callbackUrl);
    }

    @Transactional
    String latestHint(UUID id) {
        return PaymentEvent.timeline(id).stream().map(e -> e.recoveryHint).filter(h -> h != null)
                .reduce((first, second) -> second).orElse(null);
    }

    static PaymentMethod method(String raw) {
        if (blank(raw)) {
            return PaymentMethod.mpesa;
        }
        return Choices.parse(PaymentMethod.values(), raw.trim().toLowerCase(Locale.ROOT), "payment method",
                "payment_method");
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
