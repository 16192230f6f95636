package io.gyrosentinel.transport.mqtt.internal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The retained status message: a flat JSON object, chosen over protobuf so that
 * {@code mosquitto_sub -v -t 'gyrosentinel/v1/+/status'} is readable and firmware can write it
 * with {@code snprintf}. Example: {@code {"state":"online","deviceId":"pump-7",
 * "firmware":"1.2.0","protocol":1,"ts":1732560000000}}; offline adds {@code "reason"}
 * ({@code "shutdown"} for a clean stop, {@code "lost"} for the Last Will).
 */
public final class StatusJson {
    private static final Pattern FIELD = Pattern.compile(
            "\"([A-Za-z0-9_]+)\"\\s*:\\s*(\"((?:[^\"\\\\]|\\\\.)*)\"|-?[0-9.eE+-]+|true|false|null)");

    private StatusJson() {
    }

    public static byte[] online(String deviceId, String firmware, int protocol, long tsMillis) {
        return ("{\"state\":\"online\",\"deviceId\":\"" + esc(deviceId) + "\",\"firmware\":\"" + esc(firmware)
                + "\",\"protocol\":" + protocol + ",\"ts\":" + tsMillis + "}").getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] offline(String deviceId, String reason, long tsMillis) {
        return ("{\"state\":\"offline\",\"deviceId\":\"" + esc(deviceId) + "\",\"reason\":\"" + esc(reason)
                + "\"" + (tsMillis > 0 ? ",\"ts\":" + tsMillis : "") + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** Reads the flat fields; unknown or malformed content yields what could be read. */
    public static Map<String, String> parse(byte[] payload) {
        Map<String, String> m = new LinkedHashMap<>();
        String s = new String(payload, StandardCharsets.UTF_8);
        Matcher x = FIELD.matcher(s);
        while (x.find()) {
            String v = x.group(3) != null ? x.group(3).replace("\\\"", "\"").replace("\\\\", "\\") : x.group(2);
            m.put(x.group(1), v);
        }
        return m;
    }

    private static String esc(String s) {
        return s == null ? "" : s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
