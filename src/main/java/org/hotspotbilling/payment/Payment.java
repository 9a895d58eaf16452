package org.hotspotbilling.payment;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.DynamicUpdate;
import org.hotspotbilling.web.TimestampedEntity;
import org.hotspotbilling.provider.Environment;
import org.hotspotbilling.provider.PaymentProvider.StatusQuery;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * One purchase of a package by a phone for a device. The id is also the provider's {@code api_ref}. Status only
 * moves through {@link PaymentSettlement}, under a row lock.
 */
@Entity
@Table(name = "payment")
@DynamicUpdate // a settlement changes a few of some thirty columns: only those are written
public class Payment extends TimestampedEntity {

    @Id
    public UUID id;

    @Column(name = "owner_id", nullable = false)
    public long ownerId;

    @Column(name = "router_id", nullable = false)
    public long routerId;

    @Column(name = "plan_id")
    public Long planId;

    @Column(name = "package_name", nullable = false, length = 100)
    public String packageName;

    @Column(name = "duration_hours", nullable = false)
    public int durationHours;

    @Column(name = "download_speed_mbps", nullable = false)
    public BigDecimal downloadSpeedMbps;

    @Column(name = "upload_speed_mbps", nullable = false)
    public BigDecimal uploadSpeedMbps;

    @Column(name = "phone_number", nullable = false, length = 15)
    public String phoneNumber;

    @Column(nullable = false, precision = 10, scale = 2)
    public BigDecimal amount;

    @Column(nullable = false, length = 3)
    public String currency = "KES";

    @Enumerated(EnumType.STRING)
    @Column(name = "payment_method", nullable = false, length = 10)
    public PaymentMethod paymentMethod;

    @Column(name = "payment_provider", nullable = false, length = 20)
    public String paymentProvider;

    @Enumerated(EnumType.STRING)
    @Column(name = "provider_mode", nullable = false, length = 10)
    public Environment providerMode;

    @Column(name = "credential_id")
    public Long credentialId;

    @Column(nullable = false, length = 10)
    public String kind;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 10)
    public PaymentStatus status;

    @Column(name = "intasend_invoice_id", length = 100)
    public String intasendInvoiceId;

    @Column(name = "intasend_payment_id", length = 100)
    public String intasendPaymentId;

    @Column(name = "intasend_state", length = 50)
    public String intasendState;

    @Column(name = "payment_url", columnDefinition = "text")
    public String paymentUrl;

    @Column(name = "mac_address", length = 17)
    public String macAddress;

    @Column(name = "ip_address", length = 45)
    public String ipAddress;

    @Column(name = "package_expiry_time")
    public Instant packageExpiryTime;

    @Column(name = "completed_at")
    public Instant completedAt;

    /** The provider's result code of the failure (failed payments; null when it gave none), for the overview. */
    @Column(name = "failure_code", length = 40)
    public String failureCode;

    @Column(name = "error_message", nullable = false, columnDefinition = "text")
    public String errorMessage = "";

    @Column(name = "retry_count", nullable = false)
    public int retryCount;

    @Column(name = "next_check_at")
    public Instant nextCheckAt;

    @Column(name = "check_attempts", nullable = false)
    public int checkAttempts;

    @Column(name = "checkout_id", length = 100)
    public String checkoutId;

    @Column(name = "checkout_signature", columnDefinition = "text")
    public String checkoutSignature;

    @Column(name = "provider_checked_at")
    public Instant providerCheckedAt;

    @Column(name = "given_up_at")
    public Instant givenUpAt;

    /** The M-Pesa receipt the customer paid with (Daraja callbacks); one receipt pays one payment. */
    @Column(name = "mpesa_receipt", length = 20)
    public String mpesaReceipt;

    /** Why the payment cannot settle without the owner; null when nothing is wrong. */
    @Column(columnDefinition = "text")
    public String attention;

    /** What the provider can be asked about this payment with; null when we know nothing it would recognise. */
    public StatusQuery statusQuery() {
        if (intasendInvoiceId == null && checkoutId == null) {
            return null;
        }
        return new StatusQuery(intasendInvoiceId, checkoutId,
                checkoutSignature);
    }

    static final String STK_PUSH = "stk_push";
    static final String LINK = "link";

}
