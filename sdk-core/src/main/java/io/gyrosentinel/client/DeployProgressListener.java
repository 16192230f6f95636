package io.gyrosentinel.client;

/**
 * Follows a model deployment. Called on the client's callback executor, in order, never on the
 * I/O thread; it should return quickly.
 */
@FunctionalInterface
public interface DeployProgressListener {
    /**
     * Called each time the device confirms a chunk.
     *
     * @param bytesOnDevice bytes of the payload the device holds so far (a resumed transfer
     *                      starts above zero)
     * @param totalBytes    size of the payload
     */
    void onProgress(long bytesOnDevice, long totalBytes);
}
