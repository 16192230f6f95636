/**
 * Training, calibration, evaluation and storage of LSTM autoencoders for vibration anomaly detection.
 *
 * <p>Entry points: {@link io.gyrosentinel.training.AutoencoderTrainer} (builder; trains on normal
 * {@link io.gyrosentinel.training.TimeSeries}) and {@link io.gyrosentinel.training.TrainedModel} (scores windows
 * with a pure-Java forward pass, evaluates on labelled series, saves/loads a model directory). Everything in
 * {@code io.gyrosentinel.training.internal} is implementation and may change without notice.
 *
 * <pre>{@code
 * TrainedModel model = AutoencoderTrainer.builder().seed(42).build().train(normalSeries);
 * EvaluationReport report = model.evaluate(labelledSeries);
 * System.out.println(report);                 // ROC-AUC, PR-AUC, precision, recall, F1, FAR, MAR
 * report.writeCsv(Path.of("scores.csv"));
 * model.save(Path.of("models/pump-7"));
 * }</pre>
 */
package io.gyrosentinel.training;
