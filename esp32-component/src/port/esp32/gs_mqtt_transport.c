/*
 * MQTT transport on esp-mqtt (ESP-IDF 5.x), docs/protocol.md section 6. UNBUILT in this
 * repository's CI (no ESP-IDF here): written against esp-mqtt's documented API.
 *
 *   gyrosentinel/v1/{device}/up      device -> host, one bare Envelope per message
 *   gyrosentinel/v1/{device}/down    host -> device, subscribed at QoS 1
 *   gyrosentinel/v1/{device}/status  retained JSON, {"state":"online",...} on connect; the Last
 *                                    Will {"state":"offline","deviceId":...,"reason":"lost"}
 *                                    (the format of sdk-transport-mqtt's StatusJson)
 *
 * QoS 1 for everything except SampleBatch (CONFIG_GS_MQTT_SAMPLE_QOS, default 0: gaps are
 * visible in the batch sequence). Received envelopes are copied into a message buffer by the
 * esp-mqtt task and handled on the comms task (gs_device is not thread-safe).
 */
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include "gs_esp32.h"
#include "gs_frame.h"
#include "esp_log.h"
#include "mqtt_client.h"
#include "freertos/FreeRTOS.h"
#include "freertos/message_buffer.h"

#define GS_MQTT_RX_BYTES (3 * (GS_MAX_ENVELOPE + 4))
#define GS_TOPIC_MAX 96

static const char *TAG = "gs_mqtt";

static esp_mqtt_client_handle_t s_client;
static volatile bool s_connected;
static int s_sample_qos;
static const char *s_firmware;
static char s_device[48];
static char s_up[GS_TOPIC_MAX], s_down[GS_TOPIC_MAX], s_status[GS_TOPIC_MAX];
static char s_will[160];
static uint8_t s_rx_storage[GS_MQTT_RX_BYTES + 1];
static StaticMessageBuffer_t s_rx_struct;
static MessageBufferHandle_t s_rx;
static uint8_t s_assembly[GS_MAX_ENVELOPE]; /* an envelope split over several DATA events */
static size_t s_assembly_len;

/* Top-level field number of the envelope's body (3 = sample_batch), 0 if none: walks the
 * protobuf wire format past protocol_version (1) and request_id (2). */
static uint32_t body_field(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint64_t key = 0;
        for (int shift = 0; i < n && shift < 64; shift += 7) {
            uint8_t b = p[i++];
            key |= (uint64_t)(b & 0x7Fu) << shift;
            if (!(b & 0x80u)) {
                break;
            }
        }
        uint32_t field = (uint32_t)(key >> 3);
        if (field >= 3) {
            return field;
        }
        switch (key & 7u) {
        case 0:
            while (i < n && (p[i++] & 0x80u)) {
            }
            break;
        case 1: i += 8; break;
        case 5: i += 4; break;
        default: return 0; /* fields 1 and 2 are varints */
        }
    }
    return 0;
}

static uint64_t wall_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    /* Before SNTP the clock starts at 1970: report 0 ("unknown") rather than a wrong time. */
    return tv.tv_sec > 1600000000 ? (uint64_t)tv.tv_sec * 1000u + (uint64_t)tv.tv_usec / 1000u : 0;
}

static void publish_status_online(void)
{
    char json[192];
    int n = snprintf(json, sizeof(json),
                     "{\"state\":\"online\",\"deviceId\":\"%s\",\"firmware\":\"%s\",\"protocol\":%u,"
                     "\"ts\":%llu}",
                     s_device, s_firmware ? s_firmware : "", 1u, (unsigned long long)wall_ms());
    (void)esp_mqtt_client_publish(s_client, s_status, json, n, 1, 1);
}

static void on_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    (void)base;
    esp_mqtt_event_handle_t ev = data;
    switch ((esp_mqtt_event_id_t)id) {
    case MQTT_EVENT_CONNECTED:
        s_connected = true;
        (void)esp_mqtt_client_subscribe(s_client, s_down, 1);
        publish_status_online();
        ESP_LOGI(TAG, "connected; device %s", s_device);
        break;
    case MQTT_EVENT_DISCONNECTED:
        s_connected = false; /* esp-mqtt reconnects by itself */
        s_assembly_len = 0;
        break;
    case MQTT_EVENT_DATA:
        /* A long message arrives in pieces: current_data_offset / total_data_len. */
        if (ev->total_data_len <= 0 || ev->total_data_len > (int)sizeof(s_assembly)) {
            ESP_LOGW(TAG, "dropping a %d-byte message (max %u)", ev->total_data_len,
                     (unsigned)sizeof(s_assembly));
            break;
        }
        if (ev->current_data_offset == 0) {
            s_assembly_len = 0;
        }
        if (ev->current_data_offset != (int)s_assembly_len ||
            s_assembly_len + (size_t)ev->data_len > sizeof(s_assembly)) {
            s_assembly_len = 0;
            break;
        }
        memcpy(&s_assembly[s_assembly_len], ev->data, (size_t)ev->data_len);
        s_assembly_len += (size_t)ev->data_len;
        if (s_assembly_len == (size_t)ev->total_data_len) {
            if (xMessageBufferSend(s_rx, s_assembly, s_assembly_len, 0) == 0) {
                ESP_LOGW(TAG, "request dropped: the comms task is behind");
            }
            s_assembly_len = 0;
        }
        break;
    case MQTT_EVENT_ERROR:
        ESP_LOGW(TAG, "MQTT error (type %d)", ev->error_handle ? (int)ev->error_handle->error_type : -1);
        break;
    default:
        break;
    }
}

gs_err_t gs_mqtt_start(const gs_mqtt_config_t *c, const char *device_id)
{
    if (!c || !c->broker_uri || !device_id || !device_id[0] ||
        strlen(device_id) >= sizeof(s_device) || s_client) {
        return GS_ERR_INVALID_ARG;
    }
    snprintf(s_device, sizeof(s_device), "%s", device_id);
    snprintf(s_up, sizeof(s_up), "gyrosentinel/v1/%s/up", s_device);
    snprintf(s_down, sizeof(s_down), "gyrosentinel/v1/%s/down", s_device);
    snprintf(s_status, sizeof(s_status), "gyrosentinel/v1/%s/status", s_device);
    int will_len = snprintf(s_will, sizeof(s_will),
                            "{\"state\":\"offline\",\"deviceId\":\"%s\",\"reason\":\"lost\"}", s_device);
    s_sample_qos = c->sample_qos == 1 ? 1 : 0;
    s_firmware = c->firmware_version;
    s_rx = xMessageBufferCreateStatic(sizeof(s_rx_storage) - 1, s_rx_storage, &s_rx_struct);

    esp_mqtt_client_config_t mc = {
        .broker.address.uri = c->broker_uri,
        .broker.verification.certificate = c->ca_cert_pem,
        .credentials.client_id = s_device,
        .credentials.username = (c->username && c->username[0]) ? c->username : NULL,
        .credentials.authentication.password = (c->password && c->password[0]) ? c->password : NULL,
        .session.keepalive = c->keepalive_s > 0 ? c->keepalive_s : 30,
        .session.last_will = {.topic = s_status, .msg = s_will, .msg_len = will_len, .qos = 1,
                              .retain = 1},
        .session.protocol_ver = c->protocol_v5 ? MQTT_PROTOCOL_V_5 : MQTT_PROTOCOL_V_3_1_1,
        .buffer.size = GS_MAX_ENVELOPE + 256,
    };
    s_client = esp_mqtt_client_init(&mc);
    if (!s_client) {
        return GS_ERR_NO_MEM;
    }
    if (esp_mqtt_client_register_event(s_client, ESP_EVENT_ANY_ID, on_event, NULL) != ESP_OK ||
        esp_mqtt_client_start(s_client) != ESP_OK) {
        esp_mqtt_client_destroy(s_client);
        s_client = NULL;
        return GS_ERR_IO;
    }
    return GS_OK;
}

gs_err_t gs_mqtt_write(void *ctx, const uint8_t *env, size_t len)
{
    (void)ctx;
    if (!s_client || !s_connected) {
        return GS_ERR_IO;
    }
    int qos = body_field(env, len) == 3u ? s_sample_qos : 1;
    int id = esp_mqtt_client_publish(s_client, s_up, (const char *)env, (int)len, qos, 0);
    return id < 0 ? GS_ERR_IO : GS_OK;
}

size_t gs_mqtt_read(uint8_t *buf, size_t cap, uint32_t timeout_ms)
{
    if (!s_rx || cap < GS_MAX_ENVELOPE) {
        return 0;
    }
    return xMessageBufferReceive(s_rx, buf, cap, pdMS_TO_TICKS(timeout_ms));
}

void gs_mqtt_stop(void)
{
    if (!s_client) {
        return;
    }
    if (s_connected) {
        char json[160];
        int n = snprintf(json, sizeof(json),
                         "{\"state\":\"offline\",\"deviceId\":\"%s\",\"reason\":\"shutdown\"}", s_device);
        (void)esp_mqtt_client_publish(s_client, s_status, json, n, 1, 1);
    }
    esp_mqtt_client_stop(s_client);
    esp_mqtt_client_destroy(s_client);
    s_client = NULL;
    s_connected = false;
}
