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

    /** The device id of {@code gyrosentinel/v1/{device}/...}, or {@code null}. */
    public static String deviceOf(String topic) {
        if (!topic.startsWith(ROOT)) {
            return null;
        }
        int end = topic.indexOf('/', ROOT.length());
        return end < 0 ? null : topic.substring(ROOT.length(), end);
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
