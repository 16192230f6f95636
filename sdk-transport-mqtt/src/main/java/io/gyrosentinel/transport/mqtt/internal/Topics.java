package io.gyrosentinel.transport.mqtt.internal;

/** Topic names of docs/protocol.md §6. */
public final class Topics {
    public static final String ROOT = "gyrosentinel/v1/";
    public static final String ALL_UP = ROOT + "+/up";
    public static final String ALL_STATUS = ROOT + "+/status";

    private Topics() {
    }

    public static String up(String device) {
        return ROOT + device + "/up";
    }

    public static String down(String device) {
        return ROOT + device + "/down";
    }

    public static String status(String device) {
        return ROOT + device + "/status";
    }

    /** Longest device id (the firmware's is at most 32 characters). */
    public static final int MAX_DEVICE_ID = 64;

    /** The device id of {@code gyrosentinel/v1/{device}/...}, or {@code null} when there is none or it is not valid. */
    public static String deviceOf(String topic) {
        if (!topic.startsWith(ROOT)) {
            return null;
        }
        int end = topic.indexOf('/', ROOT.length());
        String id = end < 0 ? null : topic.substring(ROOT.length(), end);
        return id != null && isValidDeviceId(id) ? id : null;
    }

    /**
     * A device id is 1..{@value #MAX_DEVICE_ID} characters of {@code [A-Za-z0-9._-]}, starts with a letter or digit
     * and is not {@code .} or {@code ..}: no MQTT wildcards or {@code $} topics, no spaces, control or bidi characters
     * that could disguise it in a terminal or a log.
     */
    public static boolean isValidDeviceId(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_DEVICE_ID || !Character.isLetterOrDigit(id.charAt(0))) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                    || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** {@code s} with control, bidi and other invisible characters shown as {@code \\uXXXX}, cut to 200 characters. */
    public static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 200; i++) {
            char c = s.charAt(i);
            int t = Character.getType(c);
            if (c < 0x20 || c == 0x7f || t == Character.FORMAT || t == Character.CONTROL || t == Character.SURROGATE
                    || t == Character.PRIVATE_USE || t == Character.UNASSIGNED) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    public static boolean isUp(String topic) {
        return topic.endsWith("/up");
    }

    public static boolean isStatus(String topic) {
        return topic.endsWith("/status");
    }

    public static String shared(String group, String filter) {
        return "$share/" + group + "/" + filter;
    }
}
