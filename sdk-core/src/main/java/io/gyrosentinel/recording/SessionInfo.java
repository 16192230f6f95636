package io.gyrosentinel.recording;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What is known about a recorded session: its label, the machine, free tags, and how to turn
 * raw values into physical units.
 *
 * @param label         what the session is known to be (normal, anomalous, unlabelled)
 * @param machineId     the machine recorded, empty when unknown
 * @param tags          free key/value tags, e.g. {@code speed=high}
 * @param notes         free text, empty when none
 * @param channelNames  one name per channel, e.g. x, y, z
 * @param channelScale  physical units per LSB, per channel
 * @param unit          the physical unit, e.g. dps
 * @param sampleRateHz  nominal sample rate
 * @param source        where the data came from, e.g. {@code device:sim:} or {@code csv:fan.csv}
 */
public record SessionInfo(SessionLabel label, String machineId, Map<String, String> tags, String notes,
                          List<String> channelNames, float[] channelScale, String unit, double sampleRateHz,
                          String source) {
    /**
     * @param label        what the session is known to be, not {@code null}
     * @param machineId    the machine, {@code null} reads as empty
     * @param tags         free tags, copied
     * @param notes        free text, {@code null} reads as empty
     * @param channelNames one name per channel, copied
     * @param channelScale physical units per LSB, one per channel, copied
     * @param unit         the physical unit, {@code null} reads as empty
     * @param sampleRateHz nominal sample rate, Hz
     * @param source       where the data came from, {@code null} reads as empty
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} (field {@code channelScale}) if there is not
     *                               one scale per channel name
     * @throws NullPointerException when {@code label} is {@code null}
     */
    public SessionInfo {
        Objects.requireNonNull(label, "label");
        machineId = machineId == null ? "" : machineId;
        tags = Map.copyOf(tags);
        notes = notes == null ? "" : notes;
        channelNames = List.copyOf(channelNames);
        channelScale = channelScale.clone();
        unit = unit == null ? "" : unit;
        source = source == null ? "" : source;
        if (channelNames.size() != channelScale.length) {
            throw new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, channelNames.size() + " channel names but "
                    + channelScale.length + " scales", "channelScale", null);
        }
    }

    /** {@return the number of channels} */
    public int channels() {
        return channelScale.length;
    }

    /** {@return a copy of the physical units per LSB, per channel} */
    @Override
    public float[] channelScale() {
        return channelScale.clone();
    }

    /**
     * A copy with another label.
     *
     * @param l the label
     * @return the new info
     */
    public SessionInfo withLabel(SessionLabel l) {
        return new SessionInfo(l, machineId, tags, notes, channelNames, channelScale, unit, sampleRateHz, source);
    }

    /**
     * A copy with another machine id.
     *
     * @param m the machine id, or {@code null} for none
     * @return the new info
     */
    public SessionInfo withMachineId(String m) {
        return new SessionInfo(label, m, tags, notes, channelNames, channelScale, unit, sampleRateHz, source);
    }

    /**
     * A copy with other tags (replacing, not adding to, these).
     *
     * @param t the tags
     * @return the new info
     */
    public SessionInfo withTags(Map<String, String> t) {
        return new SessionInfo(label, machineId, t, notes, channelNames, channelScale, unit, sampleRateHz, source);
    }

    /**
     * A copy with another source.
     *
     * @param s where the data came from, or {@code null}
     * @return the new info
     */
    public SessionInfo withSource(String s) {
        return new SessionInfo(label, machineId, tags, notes, channelNames, channelScale, unit, sampleRateHz, s);
    }
}
