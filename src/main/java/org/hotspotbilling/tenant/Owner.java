package org.hotspotbilling.tenant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hotspotbilling.web.TimestampedEntity;

import java.util.Optional;

/** An ISP owner: the tenant. Every router, package, credential and payment belongs to exactly one owner. */
@Entity
@Table(name = "owner_account")
public class Owner extends TimestampedEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false, length = 150)
    public String username;

    @Column(nullable = false, length = 254)
    public String email;

    @Column(name = "password_hash", nullable = false, length = 100)
    public String passwordHash;

    @Column(nullable = false, columnDefinition = "text")
    public String bio = "";

    @Column(nullable = false, length = 200)
    public String website = "";

    @Column(name = "is_active", nullable = false)
    public boolean active = true;

    public static Optional<Owner> findByUsername(String username) {
        return find("lower(username) = lower(?1)", username).firstResultOptional();
    }

    public static boolean usernameTaken(String username) {
        return count("lower(username) = lower(?1)", username) > 0;
    }

    public static boolean emailTaken(String email, Long exceptOwnerId) {
        return count("lower(email) = lower(?1) and id <> ?2", email, exceptOwnerId == null ? -1L : exceptOwnerId) > 0;
    }
}
