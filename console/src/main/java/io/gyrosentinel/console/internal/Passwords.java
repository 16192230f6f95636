package io.gyrosentinel.console.internal;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashes: PBKDF2-HMAC-SHA256 (the JDK's), 600 000 iterations (OWASP's figure for it), 16-byte random salt,
 * stored as {@code pbkdf2-sha256$ITERATIONS$SALT$HASH} (Base64). Compared in constant time.
 */
public final class Passwords {
    static final int ITERATIONS = 600_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Passwords() {
    }

    /**
     * {@return the stored form of a password}
     *
     * @param password the password; at least 8 characters
     * @throws IllegalArgumentException when it is shorter
     */
    public static String hash(char[] password) {
        if (password.length < 8) {
            throw new IllegalArgumentException("a console password needs at least 8 characters");
        }
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return "pbkdf2-sha256$" + ITERATIONS + "$" + Base64.getEncoder().encodeToString(salt) + "$"
                + Base64.getEncoder().encodeToString(derive(password, salt, ITERATIONS));
    }

    /**
     * {@return whether a password matches a stored hash}
     *
     * @param password the password given
     * @param stored   what {@link #hash} returned
     */
    public static boolean matches(char[] password, String stored) {
        String[] p = stored.split("\\$");
        if (p.length != 4 || !p[0].equals("pbkdf2-sha256")) {
            return false;
        }
        byte[] salt = Base64.getDecoder().decode(p[2]);
        byte[] want = Base64.getDecoder().decode(p[3]);
        return MessageDigest.isEqual(want, derive(password, salt, Integer.parseInt(p[1])));
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
            try {
                return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            } finally {
                spec.clearPassword();
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this JDK", e);
        }
    }

    /** {@return a random token of 32 bytes, URL-safe Base64} */
    public static String randomToken() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
