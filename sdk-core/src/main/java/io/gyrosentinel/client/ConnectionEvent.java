package io.gyrosentinel.client;

/**
 * A change of the link's state.
 *
 * @param type        what happened
 * @param description the transport's description of the link (e.g. the port or broker)
 * @param cause       why the link went down, or {@code null}
 */
public record ConnectionEvent(Type type, String description, Throwable cause) {
    /** Kinds of link state change. */
    public enum Type {
        /** The client connected and completed the handshake. */
        CONNECTED,
        /** The link dropped; pending requests failed with {@code CONNECTION_CLOSED}, the transport may reconnect. */
        LINK_LOST,
        /** The link came back and the session (handshake, configuration, stream) was resumed. */
        RECONNECTED,
        /** The client was closed. */
        CLOSED
    }
}
