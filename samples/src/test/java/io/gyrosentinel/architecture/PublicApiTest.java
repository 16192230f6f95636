package io.gyrosentinel.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/**
 * The public/internal split of the SDK, enforced on the compiled classes of every module (samples sees them all):
 * <ul>
 *   <li>a package named {@code internal} belongs to its module: another module, the CLI and the samples do not
 *   use it. Two documented exceptions, between modules released together: the MQTT transport implements the wire
 *   protocol for fleets and bridges, and uses sdk-core's protocol codec ({@code io.gyrosentinel.internal.wire});
 *   the Sparkplug B integration connects with the MQTT transport's broker settings and Paho helpers
 *   ({@code io.gyrosentinel.transport.mqtt.internal}), so its broker URIs are the devices'.</li>
 *   <li>the public API does not hand out internal types: no public or protected method, constructor or field of a
 *   public type outside {@code internal} has an internal type in its signature.</li>
 * </ul>
 */
class PublicApiTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // the modules' test jars (sdk-core's test-jar: contracts and test engines) are not API
            .withImportOption(location -> !location.contains("-tests.jar") && !location.contains("/test-classes/"))
            .importPackages("io.gyrosentinel");

    /** The module a package belongs to, by its name. */
    static String module(String pkg) {
        if (in(pkg, "io.gyrosentinel.transport.serial")) {
            return "sdk-transport-serial";
        }
        if (in(pkg, "io.gyrosentinel.transport.mqtt")) {
            return "sdk-transport-mqtt";
        }
        if (in(pkg, "io.gyrosentinel.integration")) {
            // io.gyrosentinel.integration.X is sdk-integration-X
            return "sdk-integration-" + pkg.split("\\.")[3];
        }
        if (in(pkg, "io.gyrosentinel.console")) {
            return "gyrosentinel-console";
        }
        if (in(pkg, "io.gyrosentinel.training")) {
            return "sdk-training";
        }
        if (in(pkg, "io.gyrosentinel.cli") || in(pkg, "io.gyrosentinel.samples")) {
            return "samples";
        }
        return "sdk-core";
    }

    private static boolean in(String pkg, String root) {
        return pkg.equals(root) || pkg.startsWith(root + ".");
    }

    private static boolean isInternal(String pkg) {
        return pkg.matches(".*\\.internal(\\..*)?");
    }

    private static boolean allowed(JavaClass from, JavaClass to) {
        String m = module(from.getPackageName());
        // released together: the MQTT transport uses the core's protocol codec, Sparkplug B the MQTT transport's
        // broker settings and Paho helpers (so its broker URIs are the devices')
        return m.equals("sdk-transport-mqtt") && to.getPackageName().startsWith("io.gyrosentinel.internal.wire")
                || m.equals("sdk-integration-sparkplug")
                && to.getPackageName().startsWith("io.gyrosentinel.transport.mqtt.internal");
    }

    @Test
    void theClassesOfEveryModuleAreImported() {
        Set<String> modules = new TreeSet<>();
        CLASSES.forEach(c -> modules.add(module(c.getPackageName())));
        assertEquals(Set.of("sdk-core", "sdk-transport-serial", "sdk-transport-mqtt", "sdk-training",
                "sdk-integration-prometheus", "sdk-integration-sparkplug", "sdk-integration-opcua", "gyrosentinel-console",
                "samples"), modules);
    }

    @Test
    void noModuleUsesAnotherModulesInternalPackages() {
        List<String> violations = new java.util.ArrayList<>();
        for (JavaClass c : CLASSES) {
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                JavaClass target = d.getTargetClass();
                String pkg = target.getPackageName();
                if (pkg.startsWith("io.gyrosentinel") && isInternal(pkg)
                        && !module(pkg).equals(module(c.getPackageName())) && !allowed(c, target)) {
                    violations.add(d.getDescription());
                }
            }
        }
        assertTrue(violations.isEmpty(), String.join("\n", new TreeSet<>(violations)));
    }

    @Test
    void thePublicApiHandsOutNoInternalType() {
        Set<String> violations = new TreeSet<>();
        for (JavaClass c : CLASSES) {
            if (isInternal(c.getPackageName()) || !c.getModifiers().contains(JavaModifier.PUBLIC)
                    || module(c.getPackageName()).equals("samples")) {
                continue;
            }
            for (JavaCodeUnit m : c.getCodeUnits()) {
                boolean visible = m.getModifiers().contains(JavaModifier.PUBLIC)
                        || m.getModifiers().contains(JavaModifier.PROTECTED);
                if (!visible) {
                    continue;
                }
                Set<JavaClass> types = new java.util.HashSet<>(m.getRawParameterTypes());
                types.add(m.getRawReturnType());
                types.addAll(m.getThrowsClause().getTypes());
                for (JavaClass t : types) {
                    if (t.getPackageName().startsWith("io.gyrosentinel") && isInternal(t.getPackageName())) {
                        violations.add(m.getFullName() + " uses " + t.getName());
                    }
                }
            }
            c.getFields().stream()
                    .filter(f -> f.getModifiers().contains(JavaModifier.PUBLIC)
                            || f.getModifiers().contains(JavaModifier.PROTECTED))
                    .filter(f -> isInternal(f.getRawType().getPackageName())
                            && f.getRawType().getPackageName().startsWith("io.gyrosentinel"))
                    .forEach(f -> violations.add(f.getFullName() + " is " + f.getRawType().getName()));
        }
        assertTrue(violations.isEmpty(), String.join("\n", violations));
    }
}
