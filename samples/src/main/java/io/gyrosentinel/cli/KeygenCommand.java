package io.gyrosentinel.cli;

import io.gyrosentinel.model.SigningKeys;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Create an ECDSA P-256 key pair for signing model bundles (private key PKCS#8 PEM, public key PEM "
                + "for the device's configuration).")
final class KeygenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, description = "Private key file to write; the public key goes to <name>.pub.pem")
    Path out;

    @Option(names = "--force", description = "Overwrite existing key files")
    boolean force;

    @Override
    public Integer call() {
        String name = out.getFileName().toString();
        Path pub = out.resolveSibling((name.endsWith(".pem") ? name.substring(0, name.length() - 4) : name) + ".pub.pem");
        if (!force && (Files.exists(out) || Files.exists(pub))) {
            throw new CommandLine.ParameterException(spec.commandLine(), out + " or " + pub
                    + " already exists; use --force to replace it (bundles signed with the old key will no longer be "
                    + "accepted by devices configured with the new one)");
        }
        SigningKeys.write(SigningKeys.generate(), out, pub);
        var pw = spec.commandLine().getOut();
        pw.printf("private key: %s (keep it secret; sign with: gyrosentinel package --sign-key %s)%n", out, out);
        pw.printf("public key:  %s (devices trust it through gs_esp32_config_t.model_public_key, docs/hardware.md; gs_virtual_device --public-key)%n", pub);
        return 0;
    }
}
