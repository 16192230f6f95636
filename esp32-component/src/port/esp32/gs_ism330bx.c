/*
 * ISM330BX on ESP-IDF (>= 5.2): thin glue around the portable driver core (src/gs_ism330bx.c,
 * which does everything register-level and is tested on the host against a model of the part).
 * Here: the bus ops over the i2c_master driver or an SPI device, the INT1 watermark interrupt,
 * and a mutex, since the comms task configures/starts/stops while the sensor task reads.
 *
 * I2C: one write-then-read with a repeated start per register read (i2c_master_transmit_receive),
 * one transmit of [reg, data] per write; 50 ms timeouts.
 * SPI: mode 3 (CPOL = CPHA = 1, as ST's drivers for the family; DS-unverified for this part),
 * the register address in an 8-bit address phase with bit 0x80 set for reads, full duplex,
 * polling transactions. The bus is initialised without DMA when spi_init_bus is set: a
 * non-DMA transaction carries at most 64 bytes, so reads are split into pieces of 63 bytes (9
 * FIFO words); a piece of the FIFO window restarts at 0x78, which continues with the next word
 * since the address wraps 0x7E -> 0x78 (this is what keeps DMA out: with DMA, IDF copies any
 * buffer whose length is not a multiple of 4 through a heap-allocated bounce buffer).
 */
#include <string.h>
#include "gs_esp32.h"
#include "gs_ism330bx.h"
#include "driver/gpio.h"
#include "driver/i2c_master.h"
#include "driver/spi_master.h"
#include "esp_attr.h"
#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"
#include "freertos/task.h"

#define TAG "gs_ism330bx"
#define I2C_TIMEOUT_MS 50
#define WRITE_MAX 8u            /* the core writes one register at a time */
#define SPI_PIECE 63u           /* bytes per SPI transaction: 9 FIFO words, <= 64 without DMA */
#define SPI_DEFAULT_HZ 8000000u
#define REG_IF_CFG 0x03u        /* bit 0: I2C_I3C_DISABLE */
#define REG_FIFO_DATA_OUT_TAG 0x78u

typedef struct {
    gs_ism330bx_config_t cfg;
    gs_ism330bx_t core;          /* the portable driver's state (burst buffer included) */
    gs_sensor_t inner;           /* the core's ops, called under the lock */
    i2c_master_bus_handle_t i2c_bus;
    i2c_master_dev_handle_t i2c_dev;
    spi_device_handle_t spi_dev;
    SemaphoreHandle_t lock;
    TaskHandle_t waiter;
} ism_t;

static ism_t s_ism;
static const char *s_error = "";

/* ------------------------------------------------------------------ bus ops */

static gs_err_t i2c_read(void *ctx, uint8_t reg, uint8_t *buf, size_t n)
{
    ism_t *s = ctx;
    return i2c_master_transmit_receive(s->i2c_dev, &reg, 1, buf, n, I2C_TIMEOUT_MS) == ESP_OK
               ? GS_OK : GS_ERR_IO;
}

static gs_err_t i2c_write(void *ctx, uint8_t reg, const uint8_t *buf, size_t n)
{
    ism_t *s = ctx;
    uint8_t b[1 + WRITE_MAX];
    if (n > WRITE_MAX) {
        return GS_ERR_INVALID_ARG;
    }
    b[0] = reg;
    memcpy(&b[1], buf, n);
    return i2c_master_transmit(s->i2c_dev, b, n + 1, I2C_TIMEOUT_MS) == ESP_OK ? GS_OK : GS_ERR_IO;
}

static gs_err_t spi_xfer(ism_t *s, uint8_t addr, uint8_t *rx, const uint8_t *tx, size_t n)
{
    spi_transaction_t t;
    memset(&t, 0, sizeof t);
    t.addr = addr;        /* 8-bit address phase (address_bits = 8) */
    t.length = 8 * n;     /* bits; rxlength 0 = the same */
    t.rx_buffer = rx;
    t.tx_buffer = tx;     /* NULL: no MOSI data while reading */
    return spi_device_polling_transmit(s->spi_dev, &t) == ESP_OK ? GS_OK : GS_ERR_IO;
}

static gs_err_t spi_read(void *ctx, uint8_t reg, uint8_t *buf, size_t n)
{
    ism_t *s = ctx;
    while (n > 0) {
        const size_t k = n < SPI_PIECE ? n : SPI_PIECE;
        if (spi_xfer(s, (uint8_t)(reg | 0x80u), buf, NULL, k) != GS_OK) {
            return GS_ERR_IO;
        }
        buf += k;
        n -= k;
        if (reg < REG_FIFO_DATA_OUT_TAG) {
            reg = (uint8_t)(reg + k); /* elsewhere the next piece continues at reg + k */
        }
    }
    return GS_OK;
}

static gs_err_t spi_write(void *ctx, uint8_t reg, const uint8_t *buf, size_t n)
{
    ism_t *s = ctx;
    if (n > SPI_PIECE) {
        return GS_ERR_INVALID_ARG;
    }
    return spi_xfer(s, (uint8_t)(reg & 0x7Fu), NULL, buf, n);
}

static void bus_delay_ms(void *ctx, uint32_t ms)
{
    (void)ctx;
    TickType_t t = pdMS_TO_TICKS(ms);
    vTaskDelay(t > 0 ? t : 1); /* at a 100 Hz tick, pdMS_TO_TICKS(1) is 0 */
}

/* ------------------------------------------------------------------ locked sensor ops */

static gs_err_t locked_configure(void *ctx, const gs_sensor_settings_t *st, float *actual)
{
    ism_t *s = ctx;
    xSemaphoreTake(s->lock, portMAX_DELAY);
    gs_err_t err = s->inner.ops->configure(s->inner.ctx, st, actual);
    xSemaphoreGive(s->lock);
    return err;
}

static gs_err_t locked_start(void *ctx)
{
    ism_t *s = ctx;
    xSemaphoreTake(s->lock, portMAX_DELAY);
    gs_err_t err = s->inner.ops->start(s->inner.ctx);
    xSemaphoreGive(s->lock);
    return err;
}

static gs_err_t locked_stop(void *ctx)
{
    ism_t *s = ctx;
    xSemaphoreTake(s->lock, portMAX_DELAY);
    gs_err_t err = s->inner.ops->stop(s->inner.ctx);
    xSemaphoreGive(s->lock);
    return err;
}

static gs_err_t locked_read(void *ctx, gs_sample_t *out, size_t max, size_t *n)
{
    ism_t *s = ctx;
    xSemaphoreTake(s->lock, portMAX_DELAY);
    gs_err_t err = s->inner.ops->read(s->inner.ctx, out, max, n);
    xSemaphoreGive(s->lock);
    return err;
}

static const gs_sensor_ops_t s_ops = {
    .model = "ISM330BX",
    .configure = locked_configure,
    .start = locked_start,
    .stop = locked_stop,
    .read = locked_read,
};

/* ------------------------------------------------------------------ INT1 */

static void IRAM_ATTR on_int1(void *arg)
{
    ism_t *s = arg;
    BaseType_t woken = pdFALSE;
    if (s->waiter) {
        vTaskNotifyGiveFromISR(s->waiter, &woken);
    }
    portYIELD_FROM_ISR(woken);
}

void gs_ism330bx_wait(const gs_sensor_t *sensor, uint32_t timeout_ms)
{
    ism_t *s = sensor->ctx;
    s->waiter = xTaskGetCurrentTaskHandle();
    /* The interrupt is on the rising edge: if the FIFO is still above the watermark (more
     * arrived while the last read ran), INT1 stays high and no new edge would come. */
    if (s->cfg.int1_gpio >= 0 && gpio_get_level((gpio_num_t)s->cfg.int1_gpio)) {
        (void)ulTaskNotifyTake(pdTRUE, 0);
        return;
    }
    (void)ulTaskNotifyTake(pdTRUE, pdMS_TO_TICKS(timeout_ms));
}

/* ------------------------------------------------------------------ create */

static gs_err_t open_i2c(ism_t *s, gs_ism330bx_bus_t *bus)
{
    const gs_ism330bx_config_t *c = &s->cfg;
    i2c_master_bus_config_t bc = {
        .i2c_port = c->i2c_port, .sda_io_num = c->sda_gpio, .scl_io_num = c->scl_gpio,
        .clk_source = I2C_CLK_SRC_DEFAULT, .glitch_ignore_cnt = 7,
        .flags.enable_internal_pullup = true, /* too weak for 400 kHz: fit external pull-ups */
    };
    i2c_device_config_t dc = {
        .dev_addr_length = I2C_ADDR_BIT_LEN_7, .device_address = c->i2c_address,
        .scl_speed_hz = c->i2c_hz,
    };
    if (i2c_new_master_bus(&bc, &s->i2c_bus) != ESP_OK ||
        i2c_master_bus_add_device(s->i2c_bus, &dc, &s->i2c_dev) != ESP_OK) {
        s_error = "I2C bus or device could not be created";
        return GS_ERR_SENSOR;
    }
    bus->read = i2c_read;
    bus->write = i2c_write;
    return GS_OK;
}

static gs_err_t open_spi(ism_t *s, gs_ism330bx_bus_t *bus)
{
    const gs_ism330bx_config_t *c = &s->cfg;
    const spi_host_device_t host = c->spi_host > 0 ? (spi_host_device_t)c->spi_host : SPI2_HOST;
    if (c->spi_init_bus) {
        spi_bus_config_t bc = {
            .mosi_io_num = c->spi_mosi_gpio, .miso_io_num = c->spi_miso_gpio,
            .sclk_io_num = c->spi_sclk_gpio, .quadwp_io_num = -1, .quadhd_io_num = -1,
            .max_transfer_sz = 64,
        };
        if (spi_bus_initialize(host, &bc, SPI_DMA_DISABLED) != ESP_OK) {
            s_error = "SPI bus could not be initialised";
            return GS_ERR_SENSOR;
        }
    }
    spi_device_interface_config_t dc = {
        .address_bits = 8, .mode = 3,
        .clock_speed_hz = (int)(c->spi_hz ? c->spi_hz : SPI_DEFAULT_HZ),
        .spics_io_num = c->spi_cs_gpio, .queue_size = 1,
    };
    if (spi_bus_add_device(host, &dc, &s->spi_dev) != ESP_OK) {
        s_error = "SPI device could not be added";
        return GS_ERR_SENSOR;
    }
    bus->read = spi_read;
    bus->write = spi_write;
    return GS_OK;
}

gs_err_t gs_ism330bx_create(const gs_ism330bx_config_t *c, gs_sensor_t *out)
{
    if (!c || !out || c->fifo_watermark == 0 || c->fifo_watermark > 255) {
        return GS_ERR_INVALID_ARG;
    }
    ism_t *s = &s_ism;
    if (s->lock) {
        return GS_ERR_INVALID_STATE; /* one sensor, created once */
    }
    memset(s, 0, sizeof(*s));
    s->cfg = *c;
    s_error = "";
    s->lock = xSemaphoreCreateMutex();
    if (!s->lock) {
        s_error = "no memory for the mutex";
        return GS_ERR_NO_MEM;
    }
    gs_ism330bx_bus_t bus = {.delay_ms = bus_delay_ms, .ctx = s};
    gs_err_t err = c->bus == GS_ISM330BX_BUS_SPI ? open_spi(s, &bus) : open_i2c(s, &bus);
    if (err != GS_OK) {
        ESP_LOGE(TAG, "%s", s_error);
        return err;
    }
    gs_ism330bx_options_t opt = GS_ISM330BX_OPTIONS_DEFAULT();
    opt.fifo_watermark = c->fifo_watermark;
    opt.burst_words = c->burst_words;
    opt.ts_decimation = c->ts_decimation;
    opt.int1_fifo_th = c->int1_gpio >= 0;
    opt.clock = gs_esp32_clock(); /* sample times on esp_timer's clock, re-anchored at each start */
    err = gs_ism330bx_init(&s->core, &bus, &opt);
    if (err != GS_OK) {
        s_error = err == GS_ERR_INVALID_ARG ? "invalid burst_words or ts_decimation"
                                            : gs_ism330bx_last_error(&s->core);
        ESP_LOGE(TAG, "%s", s_error);
        return err;
    }
    if (c->bus == GS_ISM330BX_BUS_SPI) {
        /* On SPI, switch the I2C/I3C interface off so SPI traffic on SDA/SCL is never taken
         * for an I2C transfer (IF_CFG bit 0; DS-unverified, as ST recommends for the family). */
        uint8_t v = 0;
        if (bus.read(s, REG_IF_CFG, &v, 1) != GS_OK) {
            s_error = "bus error writing IF_CFG";
            return GS_ERR_SENSOR;
        }
        v |= 0x01u;
        if (bus.write(s, REG_IF_CFG, &v, 1) != GS_OK) {
            s_error = "bus error writing IF_CFG";
            return GS_ERR_SENSOR;
        }
    }
    gs_ism330bx_sensor(&s->core, &s->inner);
    if (c->int1_gpio >= 0) {
        gpio_config_t io = {.pin_bit_mask = 1ULL << c->int1_gpio, .mode = GPIO_MODE_INPUT,
                            .intr_type = GPIO_INTR_POSEDGE};
        gpio_config(&io);
        (void)gpio_install_isr_service(0); /* ESP_ERR_INVALID_STATE: already installed, fine */
        gpio_isr_handler_add((gpio_num_t)c->int1_gpio, on_int1, s);
    }
    out->ops = &s_ops;
    out->ctx = s;
    return GS_OK;
}

const char *gs_ism330bx_create_error(void)
{
    return s_error;
}

gs_err_t gs_ism330bx_sensor_stats(const gs_sensor_t *sensor, gs_ism330bx_stats_t *out)
{
    if (!sensor || !out || sensor->ops != &s_ops) {
        return GS_ERR_INVALID_ARG;
    }
    ism_t *s = sensor->ctx;
    xSemaphoreTake(s->lock, portMAX_DELAY);
    gs_ism330bx_get_stats(&s->core, out);
    xSemaphoreGive(s->lock);
    return GS_OK;
}
