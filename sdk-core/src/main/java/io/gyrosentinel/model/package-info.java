/**
 * Deployable models: {@link io.gyrosentinel.model.ModelBundle} (TFLite parts + manifest, signed
 * with {@link io.gyrosentinel.model.SigningKeys}), and the inference-engine SPI the simulated
 * device uses to run them ({@link io.gyrosentinel.model.InferenceEngineProvider}), and a device's
 * model store as {@link io.gyrosentinel.model.ModelStatus}. Models reach a device with
 * {@link io.gyrosentinel.client.DeviceClient#deploy(io.gyrosentinel.model.ModelBundle,
 * io.gyrosentinel.client.DeployOptions)}.
 */
package io.gyrosentinel.model;
