package io.gyrosentinel.console;

import java.time.OffsetDateTime;

/**
 * One anomaly episode of one device, as the console stores it, with what people said of it.
 *
 * @param id            the console's id of the alarm
 * @param deviceId      the device that raised it
 * @param eventId       the device's id of the episode
 * @param modelId       the model that scored it
 * @param startedAt     host time the episode opened
 * @param endedAt       host time it closed, null while it is open on the device
 * @param deviceStartUs device time of its first window, µs since the device booted
 * @param deviceEndUs   device time of its last window, null while open
 * @param peakScore     the largest score of the episode so far
 * @param threshold     the model's threshold
 * @param status        where people are with it
 * @param note          what the last person to change it wrote, may be null
 * @param updatedBy     who changed the status last, null when nobody did
 * @param updatedAt     when, null when nobody did
 * @param clip          the recording of the episode (from 10 s before it to its end), null when none was kept
 */
public record Alarm(long id, String deviceId, long eventId, String modelId, OffsetDateTime startedAt,
                    OffsetDateTime endedAt, long deviceStartUs, Long deviceEndUs, double peakScore, double threshold,
                    AlarmStatus status, String note, String updatedBy, OffsetDateTime updatedAt, String clip) {
    /** {@return whether the episode is still going on at the device} */
    public boolean active() {
        return endedAt == null;
    }
}
