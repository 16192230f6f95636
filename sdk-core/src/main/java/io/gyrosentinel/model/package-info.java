/**
 * Deployable models: {@link io.gyrosentinel.model.ModelBundle} (TFLite parts + manifest, signed
 * with {@link io.gyrosentinel.model.SigningKeys}), and the inference-engine SPI the simulated
 * device uses to run them ({@link io.gyrosentinel.model.InferenceEngineProvider}).
 */
package io.gyrosentinel.model;
