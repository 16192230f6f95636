import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Build step of sdk-core (generate-sources, run as a single-file program by the JDK that runs Maven): turns the
 * device contract table (proto/gyrosentinel/v1/device_contract.txt) into io.gyrosentinel.DeviceLimits (limits and
 * defaults, public API) and io.gyrosentinel.internal.DeviceMessages (error messages). The firmware gets the same
 * table as gs_contract.h from esp32-component/cmake/gs_contract.cmake.
 *
 * <p>Usage: {@code java GenerateDeviceContract.java <table> <output source root>}
 */
public final class GenerateDeviceContract {
    private static final Pattern LINE = Pattern.compile("^([a-z]+)\\s+([A-Z][A-Z0-9_]*)\\s+(.+)$");
    private static final Pattern REF = Pattern.compile("\\$\\{([A-Z0-9_]+)}");
    private static final Pattern NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?");
    private static final Pattern INT = Pattern.compile("-?[0-9]+");

    private GenerateDeviceContract() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: GenerateDeviceContract <table> <output source root>");
        }
        Path table = Path.of(args[0]);
        Path root = Path.of(args[1]);
        Map<String, String> raw = new LinkedHashMap<>();
        StringBuilder limits = new StringBuilder();
        StringBuilder messages = new StringBuilder();
        List<String> lines = Files.readAllLines(table, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = table.getFileName() + ":" + (i + 1);
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                throw new IllegalArgumentException(where + ": expected '<kind> <NAME> <value>', got: " + line);
            }
            String kind = m.group(1);
            String name = m.group(2);
            String value = m.group(3).strip();
            String doc = "    /** {@code " + value.replace("*/", "* /").replace("@", "&#64;") + "} (" + where + "). */\n";
            raw.put(name, value);
            switch (kind) {
                case "int" -> {
                    require(INT.matcher(value).matches(), where, name + ": not an integer: " + value);
                    limits.append(doc).append("    public static final int ").append(name).append(" = ")
                            .append(value).append(";\n\n");
                }
                case "float" -> {
                    require(NUMBER.matcher(value).matches(), where, name + ": not a decimal number: " + value);
                    limits.append(doc).append("    public static final double ").append(name).append(" = ")
                            .append(value.contains(".") ? value : value + ".0").append(";\n\n");
                }
                case "floats", "ints" -> {
                    boolean floats = kind.equals("floats");
                    List<String> items = new ArrayList<>();
                    for (String item : value.split(",")) {
                        String it = item.strip();
                        require((floats ? NUMBER : INT).matcher(it).matches(), where, name + ": bad item " + it);
                        items.add(floats && !it.contains(".") ? it + ".0" : it);
                    }
                    String type = floats ? "double" : "int";
                    String method = camel(name);
                    limits.append("    private static final ").append(type).append("[] ").append(name)
                            .append(" = {").append(String.join(", ", items)).append("};\n\n")
                            .append(doc.replace("/** ", "/** {@return a copy of ").replace("} (", "}} (")).append("    public static ").append(type)
                            .append("[] ").append(method).append("() {\n        return ").append(name)
                            .append(".clone();\n    }\n\n");
                }
                case "text" -> {
                    require(value.length() >= 2 && value.startsWith("\"") && value.endsWith("\""), where,
                            name + ": a text value is a quoted string literal");
                    Matcher r = REF.matcher(value);
                    StringBuilder expanded = new StringBuilder();
                    while (r.find()) {
                        String v = raw.get(r.group(1));
                        require(v != null, where, name + ": ${" + r.group(1) + "} is not defined above");
                        r.appendReplacement(expanded, Matcher.quoteReplacement(v));
                    }
                    r.appendTail(expanded);
                    // C's unsigned conversions read as Java's %d; everything else is the same in both.
                    String java = expanded.toString().replace("%lu", "%d").replace("%u", "%d");
                    messages.append("    /** {@code ").append(value.replace("*/", "* /").replace("@", "&#64;"))
                            .append("} (").append(where).append("). */\n    public static final String ")
                            .append(name.startsWith("MSG_") ? name.substring(4) : name).append(" = ").append(java)
                            .append(";\n\n");
                }
                default -> throw new IllegalArgumentException(where + ": unknown kind '" + kind
                        + "' (int, float, floats, ints, text)");
            }
        }
        String header = "// Generated by sdk-core/src/codegen/GenerateDeviceContract.java from " + table.getFileName()
                + ": do not edit.\n";
        write(root.resolve("io/gyrosentinel/DeviceLimits.java"), header + "package io.gyrosentinel;\n\n"
                + "/**\n * The device contract's limits and defaults, shared with the firmware (gs_contract.h): one table,\n"
                + " * proto/gyrosentinel/v1/device_contract.txt, generates both. docs/protocol.md §2.1 explains them.\n */\n"
                + "public final class DeviceLimits {\n    private DeviceLimits() {\n    }\n\n" + limits + "}\n");
        write(root.resolve("io/gyrosentinel/internal/DeviceMessages.java"), header
                + "package io.gyrosentinel.internal;\n\n"
                + "/**\n * Error messages of the device contract, word for word the firmware's (gs_contract.h). Messages with\n"
                + " * conversions are filled with {@link #format(String, Object...)}.\n */\n"
                + "public final class DeviceMessages {\n    private DeviceMessages() {\n    }\n\n"
                + "    /** {@code String.format} in the root locale (the firmware's printf writes '.' decimals). */\n"
                + "    public static String format(String message, Object... args) {\n"
                + "        return String.format(java.util.Locale.ROOT, message, args);\n    }\n\n" + messages + "}\n");
    }

    private static String camel(String name) {
        StringBuilder b = new StringBuilder();
        boolean up = false;
        for (char c : name.toLowerCase(java.util.Locale.ROOT).toCharArray()) {
            if (c == '_') {
                up = true;
            } else {
                b.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return b.toString();
    }

    private static void require(boolean ok, String where, String what) {
        if (!ok) {
            throw new IllegalArgumentException(where + ": " + what);
        }
    }

    /** Writes atomically and only when the text changed (no needless recompiles). */
    private static void write(Path file, String text) throws IOException {
        if (Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).equals(text)) {
            return;
        }
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
