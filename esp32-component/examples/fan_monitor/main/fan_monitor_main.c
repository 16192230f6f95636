/*
 * fan_monitor: an ESP32-S3 with an ISM330BX on a fan housing. Everything (sensor, UART,
 * tasks) comes from Kconfig (idf.py menuconfig -> GyroSentinel); the host side is
 *     gyrosentinel record --device serial:/dev/ttyUSB0 ...   (or monitor, deploy; docs/hardware.md)
 */
#include "esp_log.h"
#include "gs_esp32.h"

static const char *TAG = "fan_monitor";

void app_main(void)
{
    gs_esp32_config_t cfg = GS_ESP32_CONFIG_DEFAULT();
    gs_err_t err = gs_esp32_start(&cfg);
    if (err != GS_OK) {
        ESP_LOGE(TAG, "GyroSentinel did not start: %s (check wiring and menuconfig)",
                 gs_err_to_name(err));
        return;
    }
    ESP_LOGI(TAG, "streaming service running; waiting for a host on UART%d", CONFIG_GS_UART_PORT);
}
