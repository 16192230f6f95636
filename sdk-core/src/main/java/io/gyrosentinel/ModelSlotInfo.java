package io.gyrosentinel;

/**
 * One of the device's model slots (A/B).
 *
 * @param sha256 hex SHA-256 of the stored model, empty when the slot is empty
 */
public record ModelSlotInfo(int slot, boolean active, boolean valid, String modelId, long size, String sha256) {
}
