package io.gyrosentinel.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * What a user copies must be what is built: the README's Java example is examples/quickstart's source word for
 * word (scripts/test.sh compiles and runs that project against the installed artifacts), and the BOM pins the same
 * third-party versions as the build.
 */
class ReadmeAndBomTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @Test
    void theReadmesExampleIsTheQuickstartSourceAsPrinted() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int at = readme.indexOf("## The API on one page");
        assertTrue(at >= 0, "README section");
        Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(m.find(at), "a java block in the section");
        String source = Files.readString(ROOT.resolve("examples/quickstart/src/main/java/example/Quickstart.java"));
        assertEquals(source, m.group(1));
    }

    @Test
    void theBomPinsTheVersionsTheBuildUses() throws IOException {
        String parent = Files.readString(ROOT.resolve("pom.xml"));
        String bom = Files.readString(ROOT.resolve("gyrosentinel-bom/pom.xml"));
        for (String property : new String[] {"protobuf.version", "slf4j.version", "jna.version"}) {
            assertEquals(property(parent, property), property(bom, property), property);
        }
        assertTrue(parent.contains("<artifactId>commons-compress</artifactId><version>"
                + property(bom, "commons-compress.version") + "</version>"), "commons-compress");
        assertEquals(tag(parent, "version"), tag(bom, "version"), "the BOM's version is the SDK's");
    }

    private static String property(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
        assertTrue(m.find(), name);
        return m.group(1);
    }

    private static String tag(String pom, String name) {
        Matcher m = Pattern.compile("<artifactId>gyrosentinel-(?:parent|bom)</artifactId>\\s*<version>([^<]+)</")
                .matcher(pom);
        assertTrue(m.find(), name);
        return m.group(1);
    }
}
