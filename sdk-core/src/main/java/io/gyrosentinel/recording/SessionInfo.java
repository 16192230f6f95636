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
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} (field {@code channelScale}) if there is not
     *                               one scale per channel name
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

    public int channels() {
        return channelScale.length;
    }

    @Override
    public float[] channelScale() {
        return channelScale.clone();
    }

    public SessionInfo withLabel(SessionLabel l) {
        return new SessionInfo(l, machineId, tags, notes, channelNames, channelScale, unit, sampleRateHz, source);
    }

    public SessionInfo withMachineId(String m) {
        return new SessionInfo(label, m, tags, notes, channelNames, channelScale, unit, sampleRateHz, source);
    }

    public SessionInfo withTags(Map<String, String> t) {
        return new SessionInfo(label, machineId, t, notes, channelNames, channelScale, unit, sampleRateHz, source);
    }

    public SessionInfo withSource(String s) {
        return new SessionInfo(label, machineId, tags, notes, channelNames, channelScale, unit, sampleRateHz, s);
    }
}
