package org.hotspotbilling.provider;

import jakarta.enterprise.context.ApplicationScoped;
import org.hotspotbilling.provider.daraja.DarajaProvider;
import org.hotspotbilling.provider.intasend.IntaSendProvider;
import org.hotspotbilling.provider.simulator.SimulatorProvider;

/** Picks the implementation a credential's payments go through. */
@ApplicationScoped
public class Providers {

    private final IntaSendProvider intaSend;
    private final DarajaProvider daraja;
    private final SimulatorProvider simulator;

    public Providers(IntaSendProvider intaSend, DarajaProvider daraja, SimulatorProvider simulator) {
        this.intaSend = intaSend;
        this.daraja = daraja;
        this.simulator = simulator;
    }

    public PaymentProvider forCredential(ActiveCredential credential) {
        if (credential.environment() == Environment.simulator) {
            return simulator;
        }
        return switch (credential.provider()) {
            case instasend -> intaSend;
            case mpesa -> daraja;
            case kopokopo -> throw new IllegalStateException("KopoKopo payments are not supported yet");
        };
    }
}
