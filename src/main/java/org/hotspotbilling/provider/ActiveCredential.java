package org.hotspotbilling.provider;

/**
 * A credential ready for a provider call, private key decrypted. Lives only in memory for the duration of a call;
 * {@link #toString()} never prints the key.
 */
public record ActiveCredential(long id, long ownerId, ProviderName provider, Environment environment,
        String publishableKey, String privateKey, DarajaAccount daraja, String callbackToken) {

    /**
     * What a Daraja STK push needs besides the consumer key and secret; null for other providers. The passkey is
     * a secret, decrypted for the call like the private key.
     */
    public record DarajaAccount(String shortCode, DarajaAccountType type, String partyB, String passkey) {

        @Override
        public String toString() {
            return "DarajaAccount[" + shortCode + ", " + type + "]";
        }
    }

    @Override
    public String toString() {
        return "ActiveCredential[" + id + ", " + provider + ", " + environment + "]";
    }
}
