package io.gyrosentinel.integration.sparkplug.internal;

/**
 * Sparkplug 3.0 rules for Group, Edge Node and Device ids: each is one MQTT topic level, so it must be non-empty
 * UTF-8 without the reserved characters {@code +}, {@code /} and {@code #}.
 */
public final class SparkplugIds {
    private SparkplugIds() {
    }

    /**
     * Checks one id.
     *
     * @param field what the id is (for the message), e.g. "groupId"
     * @param value the id
     * @return the id
     * @throws IllegalArgumentException naming the field when the id breaks a rule
     */
    public static String check(String field, String value) {
        if (value == null) {
            throw new IllegalArgumentException("Sparkplug " + field + " is not set");
        }
        if (value.isEmpty()) {
            throw new IllegalArgumentException("Sparkplug " + field + " must not be empty");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '+' || c == '/' || c == '#') {
                throw new IllegalArgumentException("Sparkplug " + field + " '" + value + "' contains '" + c
                        + "': ids are MQTT topic levels and must not contain '+', '/' or '#'");
            }
            if (Character.isISOControl(c)) {
                throw new IllegalArgumentException("Sparkplug " + field + " '" + value.replaceAll("\\p{Cntrl}", "?")
                        + "' contains a control character");
            }
            if (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) && !(Character.isLowSurrogate(c) && i > 0
                    && Character.isHighSurrogate(value.charAt(i - 1)))) {
                throw new IllegalArgumentException("Sparkplug " + field + " is not valid UTF-8 (lone surrogate)");
            }
        }
        return value;
    }
}
