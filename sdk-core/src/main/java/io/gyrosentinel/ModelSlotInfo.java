package io.gyrosentinel;

/**
 * One of the device's model slots (A/B).
 *
 * @param slot    slot number, 0 or 1
 * @param active  whether this slot's model is running
 * @param valid   whether the slot holds a complete, verified model
 * @param modelId id of the stored model, empty when the slot is empty
 * @param size    size of the stored bundle, bytes
 * @param sha256  hex SHA-256 of the stored model, empty when the slot is empty
 */
public record ModelSlotInfo(int slot, boolean active, boolean valid, String modelId, long size, String sha256) {
}
