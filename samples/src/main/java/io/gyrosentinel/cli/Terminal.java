package io.gyrosentinel.cli;

/** Text from devices and files made safe to print on a terminal. */
final class Terminal {
    private Terminal() {
    }

    /**
     * {@code s} with control characters (escape sequences start with ESC), bidi overrides and other invisible
     * formatting characters shown as {@code \\uXXXX}, so a device cannot move the cursor, recolour the screen or
     * reorder what a person reads. Null becomes the empty string.
     */
    static String safe(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int t = Character.getType(c);
            if (Character.isISOControl(c) || t == Character.FORMAT || t == Character.PRIVATE_USE
                    || t == Character.UNASSIGNED || t == Character.SURROGATE && !validPair(s, i)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean validPair(String s, int i) {
        char c = s.charAt(i);
        return Character.isHighSurrogate(c) ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                : i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
