package org.hotspotbilling.boot;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/**
 * Settings of the embedded dev mode. The launcher reads them before Quarkus starts (from system properties or
 * environment variables); this mapping documents them and lets the running app know which mode it is in.
 */
@ConfigMapping(prefix = "hotspot.embedded")
public interface EmbeddedConfig {

    /** Where the embedded database and the generated dev keys live. */
    @WithDefault("data")
    String dataDir();

    /** Port of the embedded PostgreSQL. */
    @WithDefault("54329")
    int dbPort();

    /**
     * More PostgreSQL server settings for the embedded database, {@code name=value,...}, applied after the app's
     * own; the durability settings are refused (read and checked by {@link EmbeddedDevEnvironment}).
     */
    Optional<String> dbSettings();

    /** Set by the launcher when it started the embedded database; not meant to be set by hand. */
    @WithDefault("false")
    boolean active();
}
