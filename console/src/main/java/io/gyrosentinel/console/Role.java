package io.gyrosentinel.console;

/** What a console user may do; each role may do what the ones before it may. */
public enum Role {
    /** Sees pages and the API. */
    VIEWER,
    /** Also acknowledges, confirms and dismisses alarms and starts recordings. */
    OPERATOR,
    /** Also deploys and rolls back models and calibrates devices. */
    ADMIN;

    /**
     * {@return whether this role includes {@code needed}}
     *
     * @param needed the role an action needs
     */
    public boolean allows(Role needed) {
        return compareTo(needed) >= 0;
    }
}
