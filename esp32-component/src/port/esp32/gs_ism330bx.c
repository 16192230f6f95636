/*
 * ISM330BX gyroscope through its FIFO (ESP-IDF i2c_master driver, IDF >= 5.2).
 *
 * Why the FIFO: a single-register read costs ~420 µs on I2C, so reading sample by sample
 * cannot keep up above ~2 kHz; one burst of N FIFO words (7 bytes each: tag + X/Y/Z) costs
 * about N x 7 bytes on the bus and carries ~5,500 words/s at 350 kHz.
 * Register addresses and codes: ST ISM330BX datasheet / ism330bx-pid register map.
 * Timestamps: the sensor task stamps each burst with esp_timer at the watermark interrupt
 * and spaces the samples backwards by the ODR period (the FIFO timestamp words would be
 * more exact; CAPABILITY_SENSOR_TIMESTAMPS covers both).
 */
#include <string.h>
#include "gs_esp32.h"
#include "driver/i2c_master.h"
#include "driver/gpio.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"
#include "freertos/task.h"

#define REG_FIFO_CTRL1 0x07   /* watermark, low 8 bits */
#define REG_FIFO_CTRL3 0x09   /* BDR_GY[7:4] | BDR_XL[3:0] */
#define REG_FIFO_CTRL4 0x0A   /* FIFO_MODE[2:0] */
#define REG_INT1_CTRL 0x0D    /* bit 3: INT1_FIFO_TH */
#define REG_WHO_AM_I 0x0F
#define REG_CTRL2 0x11        /* ODR_G[3:0], OP_MODE_G[6:4] */
#define REG_CTRL3 0x12        /* BDU bit 6, IF_INC bit 2, SW_RESET bit 0 */
#define REG_CTRL6 0x15        /* FS_G[3:0] */
#define REG_FIFO_STATUS1 0x1B /* DIFF_FIFO[7:0] */
#define REG_FIFO_STATUS2 0x1C /* DIFF_FIFO[8] bit 0, FIFO_OVR_IA bit 6 */
#define REG_FIFO_DATA_OUT_TAG 0x78
#define WHO_AM_I_VALUE 0x71
#define FIFO_MODE_CONTINUOUS 0x6
#define TAG_GYRO_NC 0x01
#define FIFO_WORD 7
#define BURST_WORDS 64

typedef struct {
    gs_ism330bx_config_t cfg;
    i2c_master_bus_handle_t bus;
    i2c_master_dev_handle_t dev;
    SemaphoreHandle_t lock;      /* comms task configures while the sensor task reads */
    TaskHandle_t waiter;
    uint8_t odr_code;
    float odr_hz;
    uint8_t fs_code;
    uint64_t last_ts_us;
    uint8_t burst[BURST_WORDS * FIFO_WORD];
} ism_t;

static ism_t s_ism;

static const struct { float hz; uint8_t code; } k_odr[] = {
    {7.5f, 0x2}, {15, 0x3}, {30, 0x4}, {60, 0x5}, {120, 0x6},
    {240, 0x7}, {480, 0x8}, {960, 0x9}, {1920, 0xA}, {3840, 0xB},
};

static gs_err_t wr(ism_t *s, uint8_t reg, uint8_t val)
{
    uint8_t b[2] = {reg, val};
    return i2c_master_transmit(s->dev, b, 2, 50) == ESP_OK ? GS_OK : GS_ERR_SENSOR;
}

static gs_err_t rd(ism_t *s, uint8_t reg, uint8_t *out, size_t n)
{
    return i2c_master_transmit_receive(s->dev, &reg, 1, out, n, 50) == ESP_OK ? GS_OK
                                                                           : GS_ERR_SENSOR;
}

static gs_err_t ism_configure(void *ctx, const gs_sensor_settings_t *st, float *actual)
{
    ism_t *s = ctx;
    size_t best = 0;
    for (size_t i = 1; i < sizeof(k_odr) / sizeof(k_odr[0]); i++) {
        float d_best = st->odr_hz - k_odr[best].hz, d = st->odr_hz - k_odr[i].hz;
        if ((d < 0 ? -d : d) < (d_best < 0 ? -d_best : d_best)) {
            best = i;
        }
    }
    uint8_t fs;
    switch (st->full_scale_dps) {
    case 125: fs = 0x0; break;
    case 250: fs = 0x1; break;
    case 500: fs = 0x2; break;
    case 1000: fs = 0x3; break;
    case 2000: fs = 0x4; break;
    case 4000: fs = 0xC; break;
    default: return GS_ERR_INVALID_ARG;
    }
    xSemaphoreTake(s->lock, portMAX_DELAY);
    s->odr_code = k_odr[best].code;
    s->odr_hz = k_odr[best].hz;
    s->fs_code = fs;
    gs_err_t err = wr(s, REG_CTRL6, fs);
    xSemaphoreGive(s->lock);
    *actual = s->odr_hz;
    return err;
}

static gs_err_t ism_start(void *ctx)
{
    ism_t *s = ctx;
    xSemaphoreTake(s->lock, portMAX_DELAY);
    /* Bypass mode empties the FIFO; then continuous mode batching the gyro at its ODR. */
    gs_err_t err = wr(s, REG_FIFO_CTRL4, 0x0);
    if (err == GS_OK) err = wr(s, REG_FIFO_CTRL1, (uint8_t)s->cfg.fifo_watermark);
    if (err == GS_OK) err = wr(s, REG_FIFO_CTRL3, (uint8_t)(s->odr_code << 4));
    if (err == GS_OK) err = wr(s, REG_CTRL2, s->odr_code);           /* high-performance */
    if (err == GS_OK) err = wr(s, REG_FIFO_CTRL4, FIFO_MODE_CONTINUOUS);
    if (err == GS_OK && s->cfg.int1_gpio >= 0) err = wr(s, REG_INT1_CTRL, 1u << 3);
    s->last_ts_us = 0;
    xSemaphoreGive(s->lock);
    return err;
}

static gs_err_t ism_stop(void *ctx)
{
    ism_t *s = ctx;
    xSemaphoreTake(s->lock, portMAX_DELAY);
    gs_err_t err = wr(s, REG_CTRL2, 0x0);
    if (err == GS_OK) err = wr(s, REG_FIFO_CTRL4, 0x0);
    xSemaphoreGive(s->lock);
    return err;
}

static gs_err_t ism_read(void *ctx, gs_sample_t *out, size_t max, size_t *n)
{
    ism_t *s = ctx;
    *n = 0;
    xSemaphoreTake(s->lock, portMAX_DELAY);
    uint8_t st[2];
    gs_err_t err = rd(s, REG_FIFO_STATUS1, st, 2);
    size_t words = ((size_t)(st[1] & 1u) << 8) | st[0];
    if (words > max) words = max;
    if (words > BURST_WORDS) words = BURST_WORDS;
    if (err == GS_OK && words > 0) {
        /* One burst for all words relies on the FIFO output registers (0x78..0x7E) wrapping
         * back to the tag with IF_INC, as on the LSM6DSV family: TO VERIFY ON HARDWARE.
         * The fallback is one 7-byte read per word, which is too slow at 3840 Hz. */
        err = rd(s, REG_FIFO_DATA_OUT_TAG, s->burst, words * FIFO_WORD);
    }
    xSemaphoreGive(s->lock);
    if (err != GS_OK || words == 0) {
        return err;
    }
    uint64_t now = (uint64_t)esp_timer_get_time();
    uint64_t period_us = (uint64_t)(1e6f / s->odr_hz);
    size_t gyro = 0;
    for (size_t i = 0; i < words; i++) {
        if ((s->burst[i * FIFO_WORD] >> 3) == TAG_GYRO_NC) gyro++;
    }
    /* The newest sample was taken at most one period ago; space the others backwards, but
     * never before the previous burst's last sample. */
    uint64_t t = now - (gyro ? (gyro - 1) * period_us : 0);
    if (s->last_ts_us && t <= s->last_ts_us) t = s->last_ts_us + period_us;
    for (size_t i = 0; i < words; i++) {
        const uint8_t *w = &s->burst[i * FIFO_WORD];
        if ((w[0] >> 3) != TAG_GYRO_NC) continue;
        gs_sample_t *o = &out[(*n)++];
        o->timestamp_us = t;
        o->xyz[0] = (int16_t)(w[1] | (w[2] << 8));
        o->xyz[1] = (int16_t)(w[3] | (w[4] << 8));
        o->xyz[2] = (int16_t)(w[5] | (w[6] << 8));
        s->last_ts_us = t;
        t += period_us;
    }
    return GS_OK;
}

static const gs_sensor_ops_t s_ops = {
    .model = "ISM330BX",
    .configure = ism_configure,
    .start = ism_start,
    .stop = ism_stop,
    .read = ism_read,
};

static void IRAM_ATTR on_int1(void *arg)
{
    ism_t *s = arg;
    BaseType_t woken = pdFALSE;
    if (s->waiter) vTaskNotifyGiveFromISR(s->waiter, &woken);
    portYIELD_FROM_ISR(woken);
}

void gs_ism330bx_wait(const gs_sensor_t *sensor, uint32_t timeout_ms)
{
    ism_t *s = sensor->ctx;
    s->waiter = xTaskGetCurrentTaskHandle();
    (void)ulTaskNotifyTake(pdTRUE, pdMS_TO_TICKS(timeout_ms));
}

gs_err_t gs_ism330bx_create(const gs_ism330bx_config_t *c, gs_sensor_t *out)
{
    if (!c || !out || c->fifo_watermark == 0 || c->fifo_watermark > 255) {
        return GS_ERR_INVALID_ARG;
    }
    ism_t *s = &s_ism;
    memset(s, 0, sizeof(*s));
    s->cfg = *c;
    s->lock = xSemaphoreCreateMutex();
    i2c_master_bus_config_t bc = {
        .i2c_port = c->i2c_port, .sda_io_num = c->sda_gpio, .scl_io_num = c->scl_gpio,
        .clk_source = I2C_CLK_SRC_DEFAULT, .glitch_ignore_cnt = 7,
        .flags.enable_internal_pullup = true,
    };
    i2c_device_config_t dc = {
        .dev_addr_length = I2C_ADDR_BIT_LEN_7, .device_address = c->i2c_address,
        .scl_speed_hz = c->i2c_hz,
    };
    if (!s->lock || i2c_new_master_bus(&bc, &s->bus) != ESP_OK ||
        i2c_master_bus_add_device(s->bus, &dc, &s->dev) != ESP_OK) {
        return GS_ERR_SENSOR;
    }
    uint8_t id = 0;
    if (rd(s, REG_WHO_AM_I, &id, 1) != GS_OK || id != WHO_AM_I_VALUE) {
        return GS_ERR_SENSOR;
    }
    if (wr(s, REG_CTRL3, 0x01) != GS_OK) { /* software reset */
        return GS_ERR_SENSOR;
    }
    vTaskDelay(pdMS_TO_TICKS(10));
    if (wr(s, REG_CTRL3, (1u << 6) | (1u << 2)) != GS_OK) { /* BDU + auto-increment */
        return GS_ERR_SENSOR;
    }
    if (c->int1_gpio >= 0) {
        gpio_config_t io = {.pin_bit_mask = 1ULL << c->int1_gpio, .mode = GPIO_MODE_INPUT,
                            .intr_type = GPIO_INTR_POSEDGE};
        gpio_config(&io);
        gpio_install_isr_service(0);
        gpio_isr_handler_add(c->int1_gpio, on_int1, s);
    }
    s->odr_hz = 960.0f;
    s->odr_code = 0x9;
    out->ops = &s_ops;
    out->ctx = s;
    return GS_OK;
}
