package io.gyrosentinel.transport.mqtt.internal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The retained status message: a flat JSON object, chosen over protobuf so that
 * {@code mosquitto_sub -v -t 'gyrosentinel/v1/+/status'} is readable and firmware can write it
 * with {@code snprintf}. Example: {@code {"state":"online","deviceId":"pump-7",
 * "firmware":"1.2.0","protocol":1,"ts":1732560000000}}; offline adds {@code "reason"}
 * ({@code "shutdown"} for a clean stop, {@code "lost"} for the Last Will).
 */
public final class StatusJson {
    /** Largest status payload read; a longer one is not a status (the firmware writes about 120 bytes). */
    public static final int MAX_PAYLOAD = 4096;
    /** Longest value kept; longer ones are cut (a firmware version is a few dozen characters). */
    public static final int MAX_VALUE = 128;
    private static final int MAX_FIELDS = 32;

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

    /**
     * Reads the flat fields; unknown or malformed content yields what could be read. One linear pass with no
     * recursion and bounded output (network input: a regex with alternation overflowed the stack on a 5000-character
     * value and stopped the fleet): payloads over {@link #MAX_PAYLOAD} bytes yield nothing, values are cut at
     * {@link #MAX_VALUE} characters, at most 32 fields are kept.
     */
    public static Map<String, String> parse(byte[] payload) {
        Map<String, String> m = new LinkedHashMap<>();
        if (payload == null || payload.length > MAX_PAYLOAD) {
            return m;
        }
        String s = new String(payload, StandardCharsets.UTF_8);
        int n = s.length();
        int i = 0;
        while (i < n && m.size() < MAX_FIELDS) {
            // next key: "name" made of [A-Za-z0-9_]
            int q = s.indexOf('"', i);
            if (q < 0) {
                break;
            }
            int k = q + 1;
            while (k < n && isKeyChar(s.charAt(k))) {
                k++;
            }
            if (k >= n || s.charAt(k) != '"' || k == q + 1) {
                i = q + 1;
                continue;
            }
            String key = s.substring(q + 1, k);
            int j = skipSpaces(s, k + 1);
            if (j >= n || s.charAt(j) != ':') {
                i = k + 1;
                continue;
            }
            j = skipSpaces(s, j + 1);
            if (j < n && s.charAt(j) == '"') {
                StringBuilder v = new StringBuilder();
                int e = j + 1;
                while (e < n && s.charAt(e) != '"') {
                    char c = s.charAt(e);
                    if (c == '\\' && e + 1 < n) {
                        c = s.charAt(++e);
                        c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
                    }
                    if (v.length() < MAX_VALUE) {
                        v.append(c);
                    }
                    e++;
                }
                m.put(key, v.toString());
                i = e + 1;
            } else {
                int e = j;
                while (e < n && "-+.0123456789eEtruefalsn".indexOf(s.charAt(e)) >= 0) {
                    e++;
                }
                if (e > j) {
                    m.put(key, s.substring(j, Math.min(e, j + MAX_VALUE)));
                }
                i = Math.max(e, j + 1);
            }
        }
        return m;
    }

    private static boolean isKeyChar(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_';
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static String esc(String s) {
        return s == null ? "" : s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
