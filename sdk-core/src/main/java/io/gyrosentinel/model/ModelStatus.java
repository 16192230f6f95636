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
 * @param activeSlot    the slot running inference, -1 when none
 */
public record ModelStatus(TransferState transferState, long nextOffset, List<ModelSlotInfo> slots, int activeSlot) {

    /** State of the device's model transfer. */
    public enum TransferState {
        /** No transfer since the device started, or one was aborted. */
        IDLE,
        /** A transfer is pending; it resumes at {@link ModelStatus#nextOffset()}. */
        RECEIVING,
        /** The last transfer was verified and written to its slot. */
        COMMITTED
    }

    public ModelStatus {
        slots = List.copyOf(slots);
    }

    /** The slot running inference, if any. */
    public Optional<ModelSlotInfo> active() {
        return activeSlot < 0 ? Optional.empty() : slot(activeSlot);
    }

    /** Slot {@code n}, if the device has it. */
    public Optional<ModelSlotInfo> slot(int n) {
        return slots.stream().filter(s -> s.slot() == n).findFirst();
    }

    /** The valid slot holding the model whose payload has this hex SHA-256, if any. */
    public Optional<ModelSlotInfo> slotWithSha256(String sha256Hex) {
        return slots.stream().filter(s -> s.valid() && s.sha256().equalsIgnoreCase(sha256Hex))
                .min((a, b) -> Boolean.compare(b.active(), a.active()));
    }
}
