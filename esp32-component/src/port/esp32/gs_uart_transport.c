/*
 * UART byte transport for the framed protocol (uart driver of ESP-IDF 5.x). Frames are
 * written whole; the driver's TX ring absorbs bursts so the comms task rarely blocks.
 */
#include "gs_esp32.h"
#include "driver/uart.h"
#include "freertos/FreeRTOS.h"

#define GS_UART_RX_BUF 4096
#define GS_UART_TX_BUF 8192

static int s_port = -1;

gs_err_t gs_uart_open(const gs_uart_config_t *c)
{
    if (!c) {
        return GS_ERR_INVALID_ARG;
    }
    uart_config_t uc = {
        .baud_rate = (int)c->baud_rate,
        .data_bits = UART_DATA_8_BITS,
        .parity = UART_PARITY_DISABLE,
        .stop_bits = UART_STOP_BITS_1,
        .flow_ctrl = UART_HW_FLOWCTRL_DISABLE,
        .source_clk = UART_SCLK_DEFAULT,
    };
    if (uart_driver_install(c->uart_port, GS_UART_RX_BUF, GS_UART_TX_BUF, 0, NULL, 0) != ESP_OK ||
        uart_param_config(c->uart_port, &uc) != ESP_OK ||
        uart_set_pin(c->uart_port, c->tx_gpio, c->rx_gpio, UART_PIN_NO_CHANGE,
                     UART_PIN_NO_CHANGE) != ESP_OK) {
        return GS_ERR_IO;
    }
    s_port = c->uart_port;
    return GS_OK;
}

gs_err_t gs_uart_write(void *ctx, const uint8_t *frame, size_t len)
{
    (void)ctx;
    if (s_port < 0) {
        return GS_ERR_INVALID_STATE;
    }
    int n = uart_write_bytes(s_port, frame, len);
    return n == (int)len ? GS_OK : GS_ERR_IO;
}

size_t gs_uart_read(uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    if (s_port < 0) {
        return 0;
    }
    int n = uart_read_bytes(s_port, buf, len, pdMS_TO_TICKS(timeout_ms));
    return n > 0 ? (size_t)n : 0;
}
