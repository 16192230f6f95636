package io.gyrosentinel.training.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Build check (issue #15): sdk-training's {@code natives-*} profiles add, for each platform, exactly the native
 * jars {@link NativePlatform} names in its errors, with the parent pom's versions. Offline: it reads the poms.
 * {@code scripts/check-natives.sh} asks Maven itself (each platform's dependency graph, in this build and a
 * consumer's) and Maven Central (each jar exists).
 */
class NativeProfilesTest {
    private static final String TF = "tensorflow-core-native";
    private static final String TFLITE = "tflite-native-cpu";

    /** A natives-* profile: its OS activation and the classifier jars it adds. */
    record Profile(String id, boolean byDefault, String osName, String osFamily, String osArch,
            Map<String, Element> natives) {
        /** Maven's OS activation (3.9): name and arch compare ignoring case; families mac/windows by name. */
        boolean activatesOn(String name, String arch) {
            String n = name.toLowerCase(Locale.ROOT);
            boolean family = osFamily == null || switch (osFamily) {
                case "mac" -> n.contains("mac");
                case "windows" -> n.contains("windows");
                case "unix" -> !n.contains("windows");
                default -> throw new AssertionError("family " + osFamily + " not modelled here");
            };
            return (osName != null || osFamily != null || osArch != null) && family
                    && (osName == null || osName.equalsIgnoreCase(name)) && (osArch == null || osArch.equalsIgnoreCase(arch));
        }
    }

    private static List<Profile> profiles;
    private static Document pom;
    private static Document parent;

    @BeforeAll
    static void readPoms() throws Exception {
        // Surefire runs in the module's directory.
        pom = parse(Path.of("pom.xml"));
        parent = parse(Path.of("..", "pom.xml"));
        profiles = new ArrayList<>();
        for (Element p : children(child(pom.getDocumentElement(), "profiles"), "profile")) {
            String id = text(p, "id");
            if (!id.startsWith("natives-")) {
                continue;
            }
            Element act = child(p, "activation");
            Element os = act == null ? null : child(act, "os");
            Map<String, Element> natives = new LinkedHashMap<>();
            for (Element d : children(child(p, "dependencies"), "dependency")) {
                natives.put(text(d, "artifactId"), d);
            }
            profiles.add(new Profile(id, act != null && "true".equals(text(act, "activeByDefault")),
                    os == null ? null : text(os, "name"), os == null ? null : text(os, "family"),
                    os == null ? null : text(os, "arch"), natives));
        }
    }

    /** What the JVM reports on each platform upstream publishes natives for, and a platform it does not. */
    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource({"Linux, amd64", "Linux, aarch64", "Mac OS X, aarch64", "Mac OS X, x86_64", "Windows 11, amd64",
        "Windows 10, amd64", "Windows 11, aarch64", "FreeBSD, amd64", "Linux, ppc64le"})
    void eachPlatformGetsTheNativesNativePlatformNames(String osName, String osArch) {
        NativePlatform platform = NativePlatform.of(osName, osArch);
        List<Profile> active = profiles.stream().filter(p -> p.activatesOn(osName, osArch)).toList();
        assertTrue(active.size() <= 1, "several profiles activate on " + platform + ": " + active);
        Profile chosen = active.isEmpty()
                ? profiles.stream().filter(Profile::byDefault).findFirst().orElseThrow()
                : active.get(0);
        if (platform.tensorflowClassifier().isPresent() || platform.tfliteClassifier().isPresent()) {
            assertEquals("natives-" + platform.id(), chosen.id(), "profile for " + platform);
            assertEquals(platform.tensorflowClassifier(), classifier(chosen, TF), "TensorFlow on " + platform);
            assertEquals(platform.tfliteClassifier(), classifier(chosen, TFLITE), "TFLite on " + platform);
        } else {
            // Nothing published: the default (Linux x86-64) applies, and the run-time error says what exists.
            assertTrue(active.isEmpty(), platform + " activates " + active);
            assertEquals("natives-linux-x86_64", chosen.id());
        }
    }

    @Test
    void theProfilesUseTheParentsVersionsAndNativePlatformNamesThem() {
        Element props = child(parent.getDocumentElement(), "properties");
        assertEquals(NativePlatform.TENSORFLOW_VERSION, text(props, "tensorflow.version"));
        assertEquals(NativePlatform.TFLITE_NATIVE_VERSION, text(props, "djl-tflite-native.version"));
        assertEquals(5, profiles.size(), "natives-* profiles: " + profiles);
        for (Profile p : profiles) {
            for (Element d : p.natives().values()) {
                String a = text(d, "artifactId");
                assertEquals(a.equals(TF) ? "org.tensorflow" : "ai.djl.tflite", text(d, "groupId"), p.id());
                assertEquals(a.equals(TF) ? "${tensorflow.version}" : "${djl-tflite-native.version}",
                        text(d, "version"), p.id() + " " + a);
                assertEquals("runtime", text(d, "scope"), p.id() + " " + a);
            }
            assertTrue(p.natives().keySet().stream().allMatch(a -> a.equals(TF) || a.equals(TFLITE)), p.id());
        }
        assertEquals(1, profiles.stream().filter(Profile::byDefault).count(), "one default profile");
    }

    @Test
    void noNativeJarOutsideTheProfiles() {
        for (Element d : children(child(pom.getDocumentElement(), "dependencies"), "dependency")) {
            String a = text(d, "artifactId");
            assertFalse(a.equals(TF) && text(d, "classifier") != null || a.equals(TFLITE),
                    a + " with a fixed classifier would be added on every platform");
        }
        Element dm = child(child(parent.getDocumentElement(), "dependencyManagement"), "dependencies");
        for (Element d : children(dm, "dependency")) {
            String a = text(d, "artifactId");
            assertFalse(a.equals(TF) || a.equals(TFLITE), "the parent manages " + a + " for one platform");
        }
    }

    private static Optional<String> classifier(Profile p, String artifactId) {
        Element d = p.natives().get(artifactId);
        return d == null ? Optional.empty() : Optional.of(text(d, "classifier"));
    }

    private static Document parse(Path file) throws Exception {
        assertTrue(Files.isRegularFile(file), file.toAbsolutePath().toString());
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(file.toFile());
    }

    private static Element child(Element e, String name) {
        List<Element> l = children(e, name);
        return l.isEmpty() ? null : l.get(0);
    }

    private static List<Element> children(Element e, String name) {
        List<Element> l = new ArrayList<>();
        if (e != null) {
            for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element c && c.getTagName().equals(name)) {
                    l.add(c);
                }
            }
        }
        return l;
    }

    private static String text(Element e, String name) {
        Element c = child(e, name);
        return c == null ? null : c.getTextContent().trim();
    }
}
