package io.gyrosentinel;

/** A gyroscope axis. Samples always carry the enabled axes in X, Y, Z order. */
public enum Axis {
    X(1), Y(2), Z(4);

    private final int bit;

    Axis(int bit) {
        this.bit = bit;
    }

    /** The bit of this axis in the protocol's {@code axes_mask}. */
    public int bit() {
        return bit;
    }
}
