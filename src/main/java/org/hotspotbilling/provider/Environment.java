package org.hotspotbilling.provider;

/** Where a credential's payments go: the provider's sandbox, its live system, or the built-in simulator. */
public enum Environment {
    sandbox,
    live,
    /** No network: outcomes come from POST /payments/{uuid}/simulate-callback/. */
    simulator
}
