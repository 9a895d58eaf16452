package org.hotspotbilling.web;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeIn;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.security.SecuritySchemes;

/** The OpenAPI document's title and the four ways to authenticate that operations refer to by name. */
@OpenAPIDefinition(info = @Info(title = "hotspot-billing API", version = "1",
        description = "Multi-tenant WiFi hotspot billing: owners, routers, packages, M-Pesa payments, access. "
                + "Errors are always {\"error\": \"...\"}."))
@SecuritySchemes({
        @SecurityScheme(securitySchemeName = ApiDocumentation.JWT, type = SecuritySchemeType.HTTP, scheme = "bearer",
                bearerFormat = "JWT", description = "Access token from /users/login/ or /users/api-key-login/"),
        @SecurityScheme(securitySchemeName = ApiDocumentation.API_KEY, type = SecuritySchemeType.APIKEY,
                in = SecuritySchemeIn.HEADER, apiKeyName = "X-API-Key",
                description = "Owner's public key; always sent together with X-Private-Key"),
        @SecurityScheme(securitySchemeName = ApiDocumentation.PRIVATE_KEY, type = SecuritySchemeType.APIKEY,
                in = SecuritySchemeIn.HEADER, apiKeyName = "X-Private-Key",
                description = "Owner's private key; always sent together with X-API-Key"),
        @SecurityScheme(securitySchemeName = ApiDocumentation.PUBLIC_KEY, type = SecuritySchemeType.APIKEY,
                in = SecuritySchemeIn.HEADER, apiKeyName = "X-Public-Key",
                description = "Owner's 32-hex public key, as embedded in the captive portal (portal endpoints only)")
})
public class ApiDocumentation extends Application {

    public static final String JWT = "jwt";
    public static final String API_KEY = "apiKey";
    public static final String PRIVATE_KEY = "privateKey";
    public static final String PUBLIC_KEY = "publicKey";
}
