/*
 * The two tasks of the device: a high-priority sensor task (FIFO -> ring, the only
 * producer) and a comms task (host link -> requests, ring -> batches -> host link). They
 * share nothing but the lock-free ring and the device's atomic streaming/calibrating flags.
 * The host link is the UART (framed) or MQTT (one envelope per message): Kconfig choice
 * GS_HOST_LINK.
 */
#include <stdio.h>
#include "gs_esp32.h"
#include "gs_device.h"
#include "gs_frame.h"
#include "gs_model_tflm.h"
#include "esp_log.h"
#include "esp_mac.h"
#include "esp_system.h"
#include "esp_heap_caps.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

static gs_device_handle_t s_dev;
static gs_sensor_t s_sensor;
static char s_device_id[24];

/* The TFLM backend's log lines (arena used at load, measured invoke time every 1000 windows). */
static void tflm_log(void *ctx, const char *line)
{
    (void)ctx;
    ESP_LOGI("gs_tflm", "%s", line);
}

/* Every 5 s, a warning when the driver saw FIFO overflows or bus errors since the last one
 * (the lost samples also show as gaps in the batches). */
static void log_sensor_losses(void)
{
    static gs_ism330bx_stats_t last;
    static TickType_t last_tick;
    const TickType_t now = xTaskGetTickCount();
    if (now - last_tick < pdMS_TO_TICKS(5000)) {
        return;
    }
    last_tick = now;
    gs_ism330bx_stats_t st;
    if (gs_ism330bx_sensor_stats(&s_sensor, &st) != GS_OK) {
        return;
    }
    if (st.overflows != last.overflows || st.bus_errors != last.bus_errors) {
        ESP_LOGW("gs", "ISM330BX: %llu FIFO overflows (%llu samples lost), %llu bus errors so far",
                 (unsigned long long)st.overflows, (unsigned long long)st.lost_samples,
                 (unsigned long long)st.bus_errors);
    }
    last = st;
}

static void sensor_task(void *arg)
{
    (void)arg;
    for (;;) {
        if (gs_device_is_sampling(s_dev)) { /* streaming, or collecting for Calibrate */
            gs_ism330bx_wait(&s_sensor, 20);
            (void)gs_device_sensor_step(s_dev);
            log_sensor_losses();
        } else {
            vTaskDelay(pdMS_TO_TICKS(20));
        }
    }
}

static void comms_task(void *arg)
{
    (void)arg;
    for (;;) {
        /* Short timeout: batches must leave promptly even when the host is silent. */
#if CONFIG_GS_HOST_LINK_MQTT
        static uint8_t env[GS_MAX_ENVELOPE];
        size_t n = gs_mqtt_read(env, sizeof(env), 5);
        if (n) {
            (void)gs_device_handle_envelope(s_dev, env, n);
        }
#else
        static uint8_t buf[256];
        size_t n = gs_uart_read(buf, sizeof(buf), 5);
        if (n) {
            (void)gs_device_receive(s_dev, buf, n);
        }
#endif
        (void)gs_device_comms_step(s_dev);
    }
}

static void system_stats(void *ctx, gs_system_stats_t *out)
{
    (void)ctx;
    out->free_heap = (uint32_t)esp_get_free_heap_size();
    out->min_free_heap = (uint32_t)esp_get_minimum_free_heap_size();
}

gs_err_t gs_esp32_start(const gs_esp32_config_t *c)
{
    if (!c) {
        return GS_ERR_INVALID_ARG;
    }
    gs_err_t err = gs_ism330bx_create(&c->sensor, &s_sensor);
    if (err != GS_OK) {
        ESP_LOGE("gs", "ISM330BX: %s", gs_ism330bx_create_error());
        return err;
    }
    const char *id = c->device_id;
#if CONFIG_GS_HOST_LINK_MQTT
    if (!id && CONFIG_GS_MQTT_DEVICE_ID[0]) {
        id = CONFIG_GS_MQTT_DEVICE_ID;
    }
#endif
    if (!id) {
        uint8_t mac[6] = {0};
        esp_read_mac(mac, ESP_MAC_WIFI_STA);
        snprintf(s_device_id, sizeof(s_device_id), "gs-%02x%02x%02x%02x%02x%02x", mac[0],
                 mac[1], mac[2], mac[3], mac[4], mac[5]);
        id = s_device_id;
    }
#if CONFIG_GS_HOST_LINK_MQTT
    gs_mqtt_config_t mq = c->mqtt;
#if CONFIG_GS_MQTT_CA_CERT_EMBED
    extern const char gs_mqtt_ca_pem_start[] asm("_binary_mqtt_ca_pem_start");
    if (!mq.ca_cert_pem) {
        mq.ca_cert_pem = gs_mqtt_ca_pem_start;
    }
#endif
    if (!mq.firmware_version) {
        mq.firmware_version = "0.1.0";
    }
    if ((err = gs_mqtt_start(&mq, id)) != GS_OK) {
        return err;
    }
#else
    if ((err = gs_uart_open(&c->uart)) != GS_OK) {
        return err;
    }
#endif
    gs_device_config_t dc = GS_DEVICE_CONFIG_DEFAULT();
    dc.sensor = s_sensor;
    dc.clock = gs_esp32_clock();
#if CONFIG_GS_HOST_LINK_MQTT
    dc.write = gs_mqtt_write;
    dc.message_link = true;
#else
    dc.write = gs_uart_write;
#endif
    dc.system_stats = system_stats;
    dc.device_id = id;
    dc.chip = "esp32s3";
    dc.ring_capacity = CONFIG_GS_RING_CAPACITY;
    dc.odr_hz = (float)CONFIG_GS_DEFAULT_ODR_HZ;
    dc.batch_size = CONFIG_GS_DEFAULT_BATCH_SIZE;
    /* Model store + TFLite Micro runtime, when the partition table has the model slots. */
    static gs_storage_t storage;
    static gs_model_store_handle_t store;
    static gs_model_runtime_handle_t runtime;
    if (gs_storage_partition_create("gs_model_a", "gs_model_b", "gs_meta", &storage) == GS_OK) {
        gs_model_store_config_t msc = {.storage = storage, .public_key = c->model_public_key,
                                       .public_key_len = c->model_public_key_len,
                                       .require_signature = c->model_public_key != NULL};
        gs_model_runtime_config_t rc = GS_MODEL_RUNTIME_CONFIG_DEFAULT();
        rc.clock = gs_esp32_clock();
        const gs_model_tflm_config_t tc = {.clock = gs_esp32_clock(), .log = tflm_log};
        if ((err = gs_model_store_create(&msc, &store)) != GS_OK ||
            (rc.store = store, err = gs_model_tflm_backend(&tc, &rc.backend)) != GS_OK ||
            (err = gs_model_runtime_create(&rc, &runtime)) != GS_OK) {
            return err;
        }
        dc.model_store = store;
        dc.model_runtime = runtime; /* payload_buf NULL: slots are memory-mapped */
    }
    if ((err = gs_device_create(&dc, &s_dev)) != GS_OK) {
        return err;
    }
    if (xTaskCreatePinnedToCore(sensor_task, "gs_sensor", 4096, NULL, c->sensor_task_priority,
                                NULL, c->sensor_task_core) != pdPASS ||
        xTaskCreatePinnedToCore(comms_task, "gs_comms", 8192, NULL, c->comms_task_priority,
                                NULL, c->comms_task_core) != pdPASS) {
        return GS_ERR_NO_MEM;
    }
    return GS_OK;
}
