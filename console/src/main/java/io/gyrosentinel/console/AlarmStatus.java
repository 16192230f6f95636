package io.gyrosentinel.console;

/**
 * Where people are with an alarm. OPEN → ACKNOWLEDGED (someone is on it) → CONFIRMED (a real fault) or DISMISSED
 * (a false alarm); CONFIRMED and DISMISSED are final and become labels for training and evaluation.
 */
public enum AlarmStatus {
    /** Nobody has looked at it yet. */
    OPEN,
    /** Someone has seen it and is on it. */
    ACKNOWLEDGED,
    /** It was a real fault. */
    CONFIRMED,
    /** It was a false alarm. */
    DISMISSED;

    /**
     * {@return whether an alarm in this state may move to {@code next}}
     *
     * @param next the requested state
     */
    public boolean canMoveTo(AlarmStatus next) {
        return switch (this) {
            case OPEN -> next != OPEN;
            case ACKNOWLEDGED -> next == CONFIRMED || next == DISMISSED;
            case CONFIRMED, DISMISSED -> false;
        };
    }
}
