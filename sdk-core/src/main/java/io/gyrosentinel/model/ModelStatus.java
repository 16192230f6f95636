package io.gyrosentinel.model;

import io.gyrosentinel.ModelSlotInfo;

import java.util.List;
import java.util.Optional;

/**
 * A device's model store: its slots (A/B), which one runs inference, and the state of a model
 * transfer. Returned by {@link io.gyrosentinel.client.DeviceClient#modelStatus()} and the model
 * management calls.
 *
 * @param transferState state of the pending transfer
 * @param nextOffset    where the next chunk of a {@link TransferState#RECEIVING receiving} transfer starts
 * @param slots         every slot, valid or not
 * @param activeSlot    the active slot, -1 when none
 * @param runsInference the active model is loaded and scores windows; false when there is none, and when the
 *                      device keeps models but has no inference runtime (a {@code sim:} device on a host without
 *                      an inference engine: add {@code io.gyrosentinel:sdk-training}), so the model never runs
 */
public record ModelStatus(TransferState transferState, long nextOffset, List<ModelSlotInfo> slots, int activeSlot,
                          boolean runsInference) {

    /** State of the device's model transfer. */
    public enum TransferState {
        /** No transfer since the device started, or one was aborted. */
        IDLE,
        /** A transfer is pending; it resumes at {@link ModelStatus#nextOffset()}. */
        RECEIVING,
        /** The last transfer was verified and written to its slot. */
        COMMITTED
    }

    /**
     * Copies {@code slots} into an unmodifiable list.
     *
     * @param transferState state of the pending transfer
     * @param nextOffset    where the next chunk starts, bytes
     * @param slots         every slot
     * @param activeSlot    the active slot, -1 when none
     * @param runsInference whether the active model is loaded and scores windows
     */
    public ModelStatus {
        slots = List.copyOf(slots);
    }

    /**
     * A status from a device that does not say whether it runs inference ({@code runsInference} false).
     *
     * @param transferState state of the pending transfer
     * @param nextOffset    where the next chunk starts, bytes
     * @param slots         every slot
     * @param activeSlot    the active slot, -1 when none
     */
    public ModelStatus(TransferState transferState, long nextOffset, List<ModelSlotInfo> slots, int activeSlot) {
        this(transferState, nextOffset, slots, activeSlot, false);
    }

    /** {@return the active slot, or empty when none is active (see {@link #runsInference()} for whether it runs)} */
    public Optional<ModelSlotInfo> active() {
        return activeSlot < 0 ? Optional.empty() : slot(activeSlot);
    }

    /**
     * Slot {@code n}, if the device has it.
     *
     * @param n the slot number, 0 or 1
     * @return the slot, or empty when the device has no slot {@code n}
     */
    public Optional<ModelSlotInfo> slot(int n) {
        return slots.stream().filter(s -> s.slot() == n).findFirst();
    }

    /**
     * The valid slot holding the model whose payload has this SHA-256; the active one when both do.
     *
     * @param sha256Hex hex SHA-256 of the payload, either case
     * @return the slot, or empty when no valid slot holds that payload
     */
    public Optional<ModelSlotInfo> slotWithSha256(String sha256Hex) {
        return slots.stream().filter(s -> s.valid() && s.sha256().equalsIgnoreCase(sha256Hex))
                .min((a, b) -> Boolean.compare(b.active(), a.active()));
    }
}
