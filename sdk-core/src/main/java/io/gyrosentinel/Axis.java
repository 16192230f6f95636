package io.gyrosentinel;

/** A gyroscope axis. Samples always carry the enabled axes in X, Y, Z order. */
public enum Axis {
    /** The X axis, mask bit 1. */
    X(1),
    /** The Y axis, mask bit 2. */
    Y(2),
    /** The Z axis, mask bit 4. */
    Z(4);

    private final int bit;

    Axis(int bit) {
        this.bit = bit;
    }

    /** {@return the bit of this axis in the protocol's {@code axes_mask}: X=1, Y=2, Z=4} */
    public int bit() {
        return bit;
    }
}
