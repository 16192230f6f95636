package io.gyrosentinel.transport.mqtt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A throw-away CA and a server certificate for localhost/127.0.0.1, made with openssl. */
public record TestPki(Path dir, Path caFile, Path serverCert, Path serverKey) {

    public static TestPki generate() {
        try {
            Path d = Files.createTempDirectory("gs-pki-");
            Path caKey = d.resolve("ca.key");
            Path ca = d.resolve("ca.pem");
            Path key = d.resolve("server.key");
            Path csr = d.resolve("server.csr");
            Path crt = d.resolve("server.pem");
            Path ext = d.resolve("ext.cnf");
            Files.writeString(ext, "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n");
            String curve = "ec_paramgen_curve:prime256v1";
            MosquittoBroker.run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", curve, "-nodes", "-keyout",
                    caKey.toString(), "-out", ca.toString(), "-days", "2", "-subj", "/CN=GyroSentinel Test CA");
            MosquittoBroker.run("openssl", "req", "-newkey", "ec", "-pkeyopt", curve, "-nodes", "-keyout", key.toString(),
                    "-out", csr.toString(), "-subj", "/CN=localhost");
            MosquittoBroker.run("openssl", "x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey",
                    caKey.toString(), "-CAcreateserial", "-out", crt.toString(), "-days", "2", "-extfile", ext.toString());
            return new TestPki(d, ca, crt, key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
