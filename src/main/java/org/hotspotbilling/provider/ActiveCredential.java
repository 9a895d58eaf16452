package org.hotspotbilling.provider;

/**
 * A credential ready for a provider call, private key decrypted. Lives only in memory for the duration of a call;
 * {@link #toString()} never prints the key.
 */
public record ActiveCredential(long id, long ownerId, ProviderName provider, Environment environment,
        String publishableKey, String privateKey) {

    @Override
    public String toString() {
        return "ActiveCredential[" + id + ", " + provider + ", " + environment + "]";
    }
}
