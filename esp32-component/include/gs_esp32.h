/*
 * ESP32 glue (ESP-IDF >= 5.2 only; not part of the host build): the ISM330BX bus glue (I2C
 * or SPI, INT1, mutex) around the portable driver core gs_ism330bx.h,
 * the UART or MQTT transport (Kconfig choice GS_HOST_LINK) and the two tasks that run a
 * gs_device.
 *
 *     gs_esp32_config_t cfg = GS_ESP32_CONFIG_DEFAULT();   // values from Kconfig
 *     ESP_ERROR_CHECK(gs_esp32_start(&cfg) == GS_OK ? ESP_OK : ESP_FAIL);
 *
 * The sensor task waits for the FIFO watermark, drains the FIFO in one burst and pushes
 * the samples into the ring; the comms task reads UART bytes into the device and sends
 * batches. Types here are plain integers so this header does not pull in driver headers.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include "sdkconfig.h"   /* CONFIG_GS_* for GS_ESP32_CONFIG_DEFAULT() */
#include "gs_err.h"
#include "gs_sensor.h"
#include "gs_ism330bx.h"
#include "gs_scoring.h"
#include "gs_model_backend.h"
#include "gs_model_store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Bus of the ISM330BX (gs_ism330bx_config_t.bus). */
typedef enum {
    GS_ISM330BX_BUS_I2C = 0,   /**< default: i2c_port/sda/scl/i2c_hz/i2c_address */
    GS_ISM330BX_BUS_SPI = 1,   /**< 4-wire SPI, mode 3: spi_* fields */
} gs_ism330bx_bus_kind_t;

/*
 * The fields up to fifo_watermark are the original I2C configuration, in their original
 * order; the ones after it are new and zero means the previous behaviour (I2C, 64-word bursts,
 * a timestamp word every 8 samples), so existing initialisers keep compiling and working.
 */
typedef struct {
    int i2c_port;          /**< I2C controller number */
    int sda_gpio;
    int scl_gpio;
    uint32_t i2c_hz;       /**< bus clock; FIFO bursts at 3840 Hz need >= 350 kHz */
    uint8_t i2c_address;   /**< 7-bit: 0x6A (SA0 low) or 0x6B */
    int int1_gpio;         /**< FIFO watermark interrupt pin, -1 to poll */
    uint16_t fifo_watermark; /**< FIFO words (gyro + timestamp) per wake-up (1 .. 255) */
    gs_ism330bx_bus_kind_t bus; /**< GS_ISM330BX_BUS_I2C (0) or GS_ISM330BX_BUS_SPI */
    int spi_host;          /**< spi_host_device_t: 1 = SPI2_HOST, 2 = SPI3_HOST; 0 = SPI2_HOST
                                (SPI1 is the flash) */
    int spi_mosi_gpio;     /**< used when spi_init_bus */
    int spi_miso_gpio;
    int spi_sclk_gpio;
    int spi_cs_gpio;       /**< chip select (the part answers on SPI while CS is low) */
    uint32_t spi_hz;       /**< SCLK; 0 = 8 MHz (the family's 10 MHz maximum is unverified) */
    bool spi_init_bus;     /**< initialise the SPI bus here (no DMA); false: the application did */
    uint16_t burst_words;  /**< FIFO words per bus transaction, 1 .. 64; 0 = 64 */
    uint8_t ts_decimation; /**< one timestamp word per 1, 8 or 32 samples; 0 = 8 */
} gs_ism330bx_config_t;

/** Probe (WHO_AM_I 0x71), reset and bind the ISM330BX; fills *out with its ops table. Call
 *  once. On failure gs_ism330bx_create_error() says why ("WHO_AM_I 0x6C, expected 0x71"). */
gs_err_t gs_ism330bx_create(const gs_ism330bx_config_t *config, gs_sensor_t *out);

/** Why the last gs_ism330bx_create() failed; "" if it did not. */
const char *gs_ism330bx_create_error(void);

/** The driver's counters (overflows, lost samples, bus errors, ...; gs_ism330bx.h). */
gs_err_t gs_ism330bx_sensor_stats(const gs_sensor_t *sensor, gs_ism330bx_stats_t *out);

/** Sensor task helper: block until the FIFO watermark interrupt or timeout_ms (returns at
 *  once while INT1 is still high, i.e. the FIFO is still above the watermark). */
void gs_ism330bx_wait(const gs_sensor_t *sensor, uint32_t timeout_ms);

typedef struct {
    int uart_port;
    int tx_gpio;           /**< -1 keeps the default pin */
    int rx_gpio;
    uint32_t baud_rate;
} gs_uart_config_t;

gs_err_t gs_uart_open(const gs_uart_config_t *config);
/** gs_device_write_fn for the UART opened above; ctx is ignored. */
gs_err_t gs_uart_write(void *ctx, const uint8_t *frame, size_t len);
/** Read up to len bytes, waiting at most timeout_ms; returns the count (0 on timeout). */
size_t gs_uart_read(uint8_t *buf, size_t len, uint32_t timeout_ms);

/**
 * MQTT transport (esp-mqtt, src/port/esp32/gs_mqtt_transport.c; docs/protocol.md section 6):
 * one bare envelope per message, device -> host on gyrosentinel/v1/{device}/up, host -> device
 * on .../down, a retained JSON status on .../status with a Last Will
 * {"state":"offline","deviceId":...,"reason":"lost"}. Wi-Fi must be up before gs_mqtt_start().
 */
typedef struct {
    const char *broker_uri;     /**< mqtt://, mqtts://, ws://, wss:// */
    const char *username;       /**< NULL or "": none */
    const char *password;       /**< NULL or "": none */
    const char *ca_cert_pem;    /**< NUL-terminated PEM; NULL: the server is not verified */
    const char *firmware_version; /**< reported in the online status */
    int sample_qos;             /**< QoS of SampleBatch envelopes (0 or 1); others use 1 */
    int keepalive_s;
    int protocol_v5;            /**< non-zero: MQTT 5 (needs CONFIG_MQTT_PROTOCOL_5) */
} gs_mqtt_config_t;

/** Connects (and reconnects) in the background; `device_id` names the topics. */
gs_err_t gs_mqtt_start(const gs_mqtt_config_t *config, const char *device_id);
/** gs_device_write_fn for a message link (gs_device_config_t.message_link): publishes one
 *  envelope on .../up; GS_ERR_IO while disconnected. ctx is ignored. */
gs_err_t gs_mqtt_write(void *ctx, const uint8_t *envelope, size_t len);
/** Comms task: the next envelope received on .../down, waiting at most timeout_ms; returns
 *  its length (0 on timeout). `cap` must be >= GS_MAX_ENVELOPE. */
size_t gs_mqtt_read(uint8_t *buf, size_t cap, uint32_t timeout_ms);
/** Publishes the retained {"state":"offline","reason":"shutdown"} and disconnects. */
void gs_mqtt_stop(void);

/* The TensorFlow Lite Micro model backend is portable: gs_model_tflm.h. */

/**
 * Model store backend on flash partitions (esp_partition): slots `slot_a`/`slot_b`, metadata in
 * `meta` (>= 8 KiB). Slots are memory-mapped so models run in place. GS_ERR_NO_MODEL when the
 * partition table lacks them (see examples/fan_monitor/partitions.csv).
 */
gs_err_t gs_storage_partition_create(const char *slot_a, const char *slot_b, const char *meta,
                                     gs_storage_t *out);

/** gs_clock_t backed by esp_timer (µs since boot). */
gs_clock_t gs_esp32_clock(void);

typedef struct {
    gs_ism330bx_config_t sensor;
    gs_uart_config_t uart;     /**< CONFIG_GS_HOST_LINK_UART */
    gs_mqtt_config_t mqtt;     /**< CONFIG_GS_HOST_LINK_MQTT */
    const char *device_id;     /**< NULL: derived from the factory MAC */
    uint32_t sensor_task_priority;
    uint32_t comms_task_priority;
    int sensor_task_core;
    int comms_task_core;
    /** Trusted model signer (SubjectPublicKeyInfo PEM incl. NUL, or DER); NULL accepts only
     *  unsigned models. Model transfer is enabled when the partitions gs_model_a, gs_model_b
     *  and gs_meta exist. */
    const uint8_t *model_public_key;
    size_t model_public_key_len;
} gs_esp32_config_t;

#if CONFIG_GS_HOST_LINK_MQTT
#ifdef CONFIG_GS_MQTT_PROTOCOL_V5
#define GS_ESP32_MQTT_V5_ 1
#else
#define GS_ESP32_MQTT_V5_ 0
#endif
#define GS_ESP32_MQTT_DEFAULT_                                                        \
        .mqtt = { .broker_uri = CONFIG_GS_MQTT_BROKER_URI,                              \
                  .username = CONFIG_GS_MQTT_USERNAME, .password = CONFIG_GS_MQTT_PASSWORD, \
                  .sample_qos = CONFIG_GS_MQTT_SAMPLE_QOS,                              \
                  .keepalive_s = CONFIG_GS_MQTT_KEEPALIVE_S,                            \
                  .protocol_v5 = GS_ESP32_MQTT_V5_ },
#else
#define GS_ESP32_MQTT_DEFAULT_
#endif

/** Defaults from Kconfig (menu "GyroSentinel"); only usable in an ESP-IDF build. The MQTT CA
 *  certificate (CONFIG_GS_MQTT_CA_CERT_EMBED) is filled in by gs_esp32_start(). */
#define GS_ESP32_CONFIG_DEFAULT() {                                                   \
        .sensor = { .i2c_port = CONFIG_GS_I2C_PORT, .sda_gpio = CONFIG_GS_I2C_SDA_GPIO,  \
                    .scl_gpio = CONFIG_GS_I2C_SCL_GPIO, .i2c_hz = CONFIG_GS_I2C_HZ,    \
                    .i2c_address = CONFIG_GS_ISM330BX_ADDR,                            \
                    .int1_gpio = CONFIG_GS_ISM330BX_INT1_GPIO,                         \
                    .fifo_watermark = CONFIG_GS_FIFO_WATERMARK,                        \
                    .bus = GS_ISM330BX_BUS_I2C },                                      \
        .uart = { .uart_port = CONFIG_GS_UART_PORT, .tx_gpio = CONFIG_GS_UART_TX_GPIO,  \
                  .rx_gpio = CONFIG_GS_UART_RX_GPIO, .baud_rate = CONFIG_GS_UART_BAUD }, \
        GS_ESP32_MQTT_DEFAULT_                                                         \
        .device_id = NULL, .sensor_task_priority = CONFIG_GS_SENSOR_TASK_PRIORITY,     \
        .comms_task_priority = CONFIG_GS_COMMS_TASK_PRIORITY,                          \
        .sensor_task_core = 1, .comms_task_core = 0 }

/** Create sensor, transport and device and start both tasks. */
gs_err_t gs_esp32_start(const gs_esp32_config_t *config);

#ifdef __cplusplus
}
#endif
