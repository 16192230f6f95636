package io.gyrosentinel.integration.opcua.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.Set;

import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.security.CertificateManager;
import org.eclipse.milo.opcua.stack.core.security.CertificateValidator;
import org.eclipse.milo.opcua.stack.core.security.DefaultApplicationGroup;
import org.eclipse.milo.opcua.stack.core.security.DefaultCertificateManager;
import org.eclipse.milo.opcua.stack.core.security.DefaultServerCertificateValidator;
import org.eclipse.milo.opcua.stack.core.security.FileBasedCertificateQuarantine;
import org.eclipse.milo.opcua.stack.core.security.FileBasedTrustListManager;
import org.eclipse.milo.opcua.stack.core.security.KeyStoreCertificateStore;
import org.eclipse.milo.opcua.stack.core.security.RsaSha256CertificateFactory;
import org.eclipse.milo.opcua.stack.core.util.CertificateUtil;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's PKI directory: its own key and self-signed certificate ({@code own/server.pfx}, created on first use
 * and reused), the trust list ({@code trusted/certs}, {@code trusted/crl}, {@code issuer/certs}, {@code issuer/crl})
 * and the rejected client certificates ({@code rejected/certs}), which an administrator moves to {@code
 * trusted/certs} to trust them.
 */
public final class ServerPki implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerPki.class);
    /** The key store only protects the key from casual reads; the directory's permissions protect it. */
    private static final char[] KEYSTORE_PASSWORD = "gyrosentinel".toCharArray();

    private final Path dir;
    private final FileBasedTrustListManager trustList;
    private final KeyStoreCertificateStore store;
    private final CertificateManager certificateManager;
    private final X509Certificate certificate;
    private final String applicationUri;

    private ServerPki(Path dir, FileBasedTrustListManager trustList, KeyStoreCertificateStore store,
                      CertificateManager certificateManager, X509Certificate certificate, String applicationUri) {
        this.dir = dir;
        this.trustList = trustList;
        this.store = store;
        this.certificateManager = certificateManager;
        this.certificate = certificate;
        this.applicationUri = applicationUri;
    }

    /**
     * Opens (creating what is missing) a PKI directory.
     *
     * @param dir                the directory
     * @param acceptAllClients   trust every client certificate (demos only)
     * @param hostnames          DNS names and IP addresses to put in a newly created certificate
     * @param newApplicationUri  the application URI of a newly created certificate; an existing one keeps its own
     * @return the open PKI
     * @throws IllegalArgumentException naming the path when the directory cannot be used
     */
    public static ServerPki open(Path dir, boolean acceptAllClients, Set<String> hostnames,
                                 String newApplicationUri) {
        Path abs = dir.toAbsolutePath();
        try {
            Files.createDirectories(abs.resolve("own"));
            Files.createDirectories(abs.resolve("rejected").resolve("certs"));
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException("PKI directory " + abs + " cannot be created: " + e, e);
        }
        if (!Files.isDirectory(abs) || !Files.isReadable(abs) || !Files.isWritable(abs)
                || !Files.isWritable(abs.resolve("own"))) {
            throw new IllegalArgumentException("PKI directory " + abs + " is not a readable and writable directory");
        }
        Path keyStore = abs.resolve("own").resolve("server.pfx");
        boolean created = !Files.exists(keyStore);
        FileBasedTrustListManager trust = null;
        KeyStoreCertificateStore store = null;
        try {
            trust = FileBasedTrustListManager.createAndInitialize(abs);
            FileBasedCertificateQuarantine quarantine = FileBasedCertificateQuarantine.create(
                    abs.resolve("rejected").resolve("certs"));
            store = KeyStoreCertificateStore.createAndInitialize(new KeyStoreCertificateStore.Settings(keyStore,
                    KEYSTORE_PASSWORD::clone, alias -> KEYSTORE_PASSWORD.clone()));
            CertificateValidator validator = acceptAllClients
                    ? new CertificateValidator.InsecureCertificateValidator()
                    : new DefaultServerCertificateValidator(trust, quarantine);
            RsaSha256CertificateFactory factory = new RsaSha256CertificateFactory() {
                @Override
                protected X509Certificate[] createRsaSha256CertificateChain(KeyPair keyPair) throws Exception {
                    SelfSignedCertificateBuilder b = new SelfSignedCertificateBuilder(keyPair)
                            .setCommonName("GyroSentinel OPC UA server")
                            .setOrganization("GyroSentinel")
                            .setApplicationUri(newApplicationUri);
                    for (String h : hostnames) {
                        if (h.matches("[0-9.]+") || h.contains(":")) {
                            b.addIpAddress(h);
                        } else {
                            b.addDnsName(h);
                        }
                    }
                    return new X509Certificate[]{b.build()};
                }
            };
            DefaultApplicationGroup group = DefaultApplicationGroup.createAndInitialize(trust, store, factory,
                    validator);
            X509Certificate cert = group.getCertificateChain(NodeIds.RsaSha256ApplicationCertificateType)
                    .orElseThrow(() -> new IllegalStateException("no server certificate"))[0];
            String uri = CertificateUtil.getSanUri(cert).orElseThrow(() -> new IllegalArgumentException(
                    "the server certificate in " + keyStore + " has no application URI"));
            if (created) {
                restrict(keyStore);
                LOG.info("created a self-signed server certificate in {} (application URI {})", keyStore, uri);
            } else {
                LOG.info("using the server certificate in {} (application URI {})", keyStore, uri);
            }
            if (acceptAllClients) {
                LOG.warn("every client certificate is trusted (acceptAllClientCertificates): for demos only");
            }
            return new ServerPki(abs, trust, store, new DefaultCertificateManager(quarantine, group), cert, uri);
        } catch (IllegalArgumentException e) {
            closeQuietly(trust, store);
            throw e;
        } catch (Exception e) {
            closeQuietly(trust, store);
            throw new IllegalArgumentException("PKI directory " + abs + " cannot be used: " + e, e);
        }
    }

    private static void restrict(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException e) {
            LOG.debug("cannot restrict the permissions of {}", file, e);
        }
    }

    private static void closeQuietly(FileBasedTrustListManager trust, KeyStoreCertificateStore store) {
        try {
            if (trust != null) {
                trust.close();
            }
            if (store != null) {
                store.close();
            }
        } catch (IOException ignored) {
            // best effort after a failure
        }
    }

    /** {@return the PKI directory, absolute} */
    public Path dir() {
        return dir;
    }

    /** {@return the certificate manager for the server's configuration} */
    public CertificateManager certificateManager() {
        return certificateManager;
    }

    /** {@return the server's certificate} */
    public X509Certificate certificate() {
        return certificate;
    }

    /** {@return the application URI in the server's certificate} */
    public String applicationUri() {
        return applicationUri;
    }

    /** Stops watching the trust list and the key store. */
    @Override
    public void close() {
        closeQuietly(trustList, store);
    }
}
