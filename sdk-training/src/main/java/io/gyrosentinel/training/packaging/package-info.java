/**
 * Packaging trained models for the device: {@link io.gyrosentinel.training.packaging.ModelPackager} writes
 * TFLite FlatBuffers (int16x8, float32 and full-integer int8) from the trained weights, verifies them in a real TFLite runtime against
 * the trainer's reference, estimates their ESP32-S3 cost and returns a signed {@link
 * io.gyrosentinel.model.ModelBundle}; {@link io.gyrosentinel.training.packaging.CExport} emits C sources;
 * {@link io.gyrosentinel.training.packaging.BundleVerifier} repeats the device's checks. A TFLite-backed
 * {@link io.gyrosentinel.model.InferenceEngineProvider} ("tflite") is registered for the VirtualDevice.
 */
package io.gyrosentinel.training.packaging;
