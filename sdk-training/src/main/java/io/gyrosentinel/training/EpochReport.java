package io.gyrosentinel.training;

import java.time.Duration;

/**
 * Progress after one epoch.
 *
 * @param epoch          1-based epoch number
 * @param maxEpochs      configured maximum
 * @param trainLoss      mean training MSE over the epoch (weights changing during the epoch)
 * @param validationLoss validation MSE with the weights at the end of the epoch
 * @param learningRate   learning rate used in this epoch
 * @param epochTime      wall time of this epoch
 * @param elapsed        wall time since training started
 * @param eta            estimated remaining time if training runs to {@code maxEpochs} (an upper bound: early
 *                       stopping usually ends sooner)
 * @param improved       whether the validation loss improved on the best so far
 */
public record EpochReport(int epoch, int maxEpochs, double trainLoss, double validationLoss, double learningRate,
        Duration epochTime, Duration elapsed, Duration eta, boolean improved) {}
