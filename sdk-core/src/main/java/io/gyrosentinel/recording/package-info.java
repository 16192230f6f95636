/**
 * Sessions on disk: {@link io.gyrosentinel.recording.RecordingWriter} (atomic, also a collector),
 * {@link io.gyrosentinel.recording.Recording} (reader), CSV import and export. The file format is
 * described in docs/recording-format.md.
 */
package io.gyrosentinel.recording;
