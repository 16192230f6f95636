package io.gyrosentinel.client;

/**
 * A change of the link's state.
 *
 * @param cause why the link went down, or {@code null}
 */
public record ConnectionEvent(Type type, String description, Throwable cause) {
    public enum Type { CONNECTED, LINK_LOST, RECONNECTED, CLOSED }
}
