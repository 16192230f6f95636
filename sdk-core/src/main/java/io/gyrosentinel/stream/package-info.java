/**
 * Sample streams: {@link io.gyrosentinel.stream.GyroStream}, sliding
 * {@link io.gyrosentinel.stream.Window}s and the {@link io.gyrosentinel.stream.WindowAssembler}.
 */
package io.gyrosentinel.stream;
