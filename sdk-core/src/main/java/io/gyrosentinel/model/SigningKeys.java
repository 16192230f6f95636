package io.gyrosentinel.model;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * ECDSA P-256 keys for signing model bundles, as PEM files: the private key in PKCS#8
 * ({@code -----BEGIN PRIVATE KEY-----}, what {@code openssl genpkey -algorithm EC -pkeyopt
 * ec_paramgen_curve:P-256} writes) and the public key in X.509 SubjectPublicKeyInfo
 * ({@code -----BEGIN PUBLIC KEY-----}), which the firmware is configured with.
 */
public final class SigningKeys {
    private SigningKeys() {
    }

    /** {@return a new random ECDSA P-256 key pair} */
    public static KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            // internal invariant: the JDK's SunEC provider always offers P-256; not caused by a caller
            throw new IllegalStateException("the JDK lacks EC P-256", e);
        }
    }

    /**
     * Writes both PEM files atomically; the private key is readable by its owner only.
     *
     * @param kp         the key pair
     * @param privatePem where to write the private key (PKCS#8 PEM)
     * @param publicPem  where to write the public key (X.509 PEM), for the firmware
     * @throws GyroSentinelException {@link ErrorCode#IO} when a file cannot be written
     */
    public static void write(KeyPair kp, Path privatePem, Path publicPem) {
        writePem(privatePem, "PRIVATE KEY", kp.getPrivate().getEncoded(), true);
        writePem(publicPem, "PUBLIC KEY", kp.getPublic().getEncoded(), false);
    }

    /**
     * A public key as PEM text ({@code -----BEGIN PUBLIC KEY-----}, lines of 64 characters).
     *
     * @param key the public key
     * @return the PEM text, ending with a newline
     */
    public static String toPem(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    /**
     * Reads a PKCS#8 PEM private key ({@code -----BEGIN PRIVATE KEY-----}).
     *
     * @param pem the PEM file
     * @return the EC private key
     * @throws GyroSentinelException {@link ErrorCode#IO} when the file is missing or unreadable, {@link
     *         ErrorCode#BAD_INPUT} when it holds no such block (an {@code EC PRIVATE KEY} block gets the openssl
     *         command converting it) or no EC key
     */
    public static PrivateKey readPrivateKey(Path pem) {
        byte[] der = readPem(pem, "PRIVATE KEY");
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "key " + pem + " is not an EC P-256 private key: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Reads an X.509 PEM public key ({@code -----BEGIN PUBLIC KEY-----}).
     *
     * @param pem the PEM file
     * @return the EC public key
     * @throws GyroSentinelException {@link ErrorCode#IO} when the file is missing or unreadable, {@link
     *         ErrorCode#BAD_INPUT} when it holds no such block or no EC key
     */
    public static PublicKey readPublicKey(Path pem) {
        byte[] der = readPem(pem, "PUBLIC KEY");
        try {
            return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "key " + pem + " is not an EC P-256 public key: "
                    + e.getMessage(), e);
        }
    }

    private static byte[] readPem(Path path, String type) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new GyroSentinelException(ErrorCode.IO, "key file " + path + " does not exist", e);
        } catch (IOException e) {
            throw new GyroSentinelException(ErrorCode.IO, "cannot read key " + path + ": " + e.getMessage(), e);
        }
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b < 0 || e < b) {
            String found = text.contains("-----BEGIN ") ? text.substring(text.indexOf("-----BEGIN "),
                    Math.min(text.length(), text.indexOf("-----BEGIN ") + 40)).split("\n")[0] : "no PEM block";
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "key " + path + " has no '" + begin + "' block (found: "
                    + found + ")" + (type.equals("PRIVATE KEY") && text.contains("EC PRIVATE KEY")
                    ? "; convert it with: openssl pkcs8 -topk8 -nocrypt -in " + path : ""));
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
        } catch (IllegalArgumentException ex) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "key " + path + " has invalid base64: " + ex.getMessage(), ex);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static void writePem(Path path, String type, byte[] der, boolean secret) {
        try {
            io.gyrosentinel.io.AtomicFiles.write(path, secret,
                    out -> out.write(pem(type, der).getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            throw new GyroSentinelException(ErrorCode.IO, "cannot write key " + path + ": " + e.getMessage(), e);
        }
    }
}
