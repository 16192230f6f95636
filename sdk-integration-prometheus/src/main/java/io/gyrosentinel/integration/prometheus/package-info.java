/**
 * Prometheus for GyroSentinel devices: {@link io.gyrosentinel.integration.prometheus.DeviceMetrics} keeps one
 * device's metrics in a Micrometer registry, {@link io.gyrosentinel.integration.prometheus.PrometheusEndpoint}
 * serves them at {@code /metrics}. docs/integrations.md has the metric list and a Grafana dashboard.
 */
package io.gyrosentinel.integration.prometheus;
