package io.gyrosentinel.transport.mqtt.internal;

/**
 * Finds the body field number of an encoded {@code Envelope} without parsing it: the device
 * bridge picks the QoS of every message this way (sample batches are field 3).
 */
public final class EnvelopePeek {
    public static final int SAMPLE_BATCH = 3;

    private EnvelopePeek() {
    }

    /** The field number of the first length-delimited field (the oneof body), or 0. */
    public static int bodyField(byte[] b) {
        int i = 0;
        while (i < b.length) {
            long tag = 0;
            int shift = 0;
            while (i < b.length) {
                int x = b[i++] & 0xff;
                tag |= (long) (x & 0x7f) << shift;
                shift += 7;
                if ((x & 0x80) == 0) {
                    break;
                }
            }
            int wire = (int) (tag & 7);
            int field = (int) (tag >>> 3);
            switch (wire) {
                case 0 -> {
                    while (i < b.length && (b[i++] & 0x80) != 0) {
                        // skip varint
                    }
                }
                case 2 -> {
                    return field;
                }
                case 1 -> i += 8;
                case 5 -> i += 4;
                default -> {
                    return 0;
                }
            }
        }
        return 0;
    }
}
