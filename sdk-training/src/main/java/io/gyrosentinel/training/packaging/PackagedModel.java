package io.gyrosentinel.training.packaging;

import io.gyrosentinel.model.ModelBundle;
import java.nio.file.Path;

/**
 * A verified bundle and the report of its verification.
 *
 * @param bundle the signed (if a key was given) bundle: {@code model.tflite}, {@code report.json}, manifest
 * @param report verification numbers and cost cards
 */
public record PackagedModel(ModelBundle bundle, PackagingReport report) {

    /**
     * Writes the bundle atomically ({@link ModelBundle#write(Path)}).
     *
     * @param path the bundle file, replaced if it exists (conventionally ending in {@code .gsb})
     * @throws io.gyrosentinel.GyroSentinelException {@code IO} when it cannot be written
     */
    public void writeTo(Path path) {
        bundle.write(path);
    }
}
