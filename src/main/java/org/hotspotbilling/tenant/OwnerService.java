package org.hotspotbilling.tenant;

import io.quarkus.elytron.security.common.BcryptUtil;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import org.hotspotbilling.web.DatabaseErrors;
import org.hotspotbilling.web.Invalid;
import org.hotspotbilling.web.NotFound;
import org.hotspotbilling.web.Unauthenticated;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/** Owner accounts: registration, password login and the profile. */
@ApplicationScoped
public class OwnerService {

    static final String USERNAME_TAKEN = "A user with that username already exists.";
    static final String EMAIL_TAKEN = "A user with that email already exists.";
    static final String DISABLED = "User account is disabled. Please contact support to reactivate your account.";
    /** bcrypt reads at most 72 bytes; longer passwords would be silently truncated, so they are refused. */
    static final int MAX_PASSWORD_BYTES = 72;

    private final ApiKeyService apiKeys;
    private final int bcryptCost;
    /** A hash to check against when the username is unknown, so both failures take the same time. */
    private final String decoyHash;

    public OwnerService(ApiKeyService apiKeys, TenantConfig config) {
        this.apiKeys = apiKeys;
        this.bcryptCost = config.bcryptCost();
        this.decoyHash = BcryptUtil.bcryptHash("decoy-password-for-timing", bcryptCost);
    }

    public record Registration(Owner owner, ApiKeyService.IssuedKeys keys) {
    }

    @Transactional
    public Registration register(UserDtos.RegisterRequest request) {
        if (request.password().getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            throw new Invalid("Invalid input: password: Password must be at most 72 bytes.",
                    Map.of("password", "Password must be at most 72 bytes."));
        }
        if (Owner.usernameTaken(request.username())) {
            throw new Invalid(USERNAME_TAKEN, Map.of("username", USERNAME_TAKEN));
        }
        if (Owner.emailTaken(request.email(), null)) {
            throw new Invalid(EMAIL_TAKEN, Map.of("email", EMAIL_TAKEN));
        }
        Owner owner = new Owner();
        owner.username = request.username();
        owner.email = request.email();
        owner.passwordHash = BcryptUtil.bcryptHash(request.password(), bcryptCost);
        persistUnique(owner);
        return new Registration(owner, apiKeys.issueNewPair(owner.id));
    }

    /** The active owner with these credentials; the same answer, in about the same time, for every failure. */
    @Transactional
    public Owner authenticate(String username, String password) {
        Owner owner = Owner.findByUsername(username).orElse(null);
        boolean matches = BcryptUtil.matches(password, owner == null ? decoyHash : owner.passwordHash);
        if (owner == null || !matches) {
            throw new Unauthenticated("Invalid credentials");
        }
        requireActive(owner);
        return owner;
    }

    @Transactional
    public Owner activeOwner(long ownerId) {
        Owner owner = Owner.findById(ownerId);
        if (owner == null) {
            throw new Unauthenticated("User not found");
        }
        requireActive(owner);
        return owner;
    }

    /** Whether the owner with this id is active; empty when there is no such owner. */
    @Transactional
    public Optional<Boolean> activeState(long ownerId) {
        return Owner.<Owner>findByIdOptional(ownerId).map(owner -> owner.active);
    }

    @Transactional
    public Owner profile(long ownerId) {
        Owner owner = Owner.findById(ownerId);
        if (owner == null) {
            throw new NotFound("User not found");
        }
        return owner;
    }

    @Transactional
    public Owner updateProfile(long ownerId, UserDtos.ProfileUpdate update) {
        Owner owner = profile(ownerId);
        if (update.email() != null && !update.email().equalsIgnoreCase(owner.email)) {
            if (Owner.emailTaken(update.email(), ownerId)) {
                throw new Invalid(EMAIL_TAKEN, Map.of("email", EMAIL_TAKEN));
            }
            owner.email = update.email();
        }
        if (update.bio() != null) {
            owner.bio = update.bio();
        }
        if (update.website() != null) {
            owner.website = update.website();
        }
        persistUnique(owner);
        return owner;
    }

    static void requireActive(Owner owner) {
        if (!owner.active) {
            throw new Unauthenticated(DISABLED);
        }
    }

    private static void persistUnique(Owner owner) {
        try {
            owner.persistAndFlush();
        } catch (PersistenceException e) {
            if (DatabaseErrors.isUniqueViolation(e)) {
                // Lost a race with a concurrent registration or profile change; the unique indexes decide.
                throw new Invalid("A user with that username or email already exists.");
            }
            throw e;
        }
    }
}
