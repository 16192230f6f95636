#include "gs_esp32.h"
#include "esp_timer.h"

static uint64_t now_us(void *ctx)
{
    (void)ctx;
    return (uint64_t)esp_timer_get_time();
}

gs_clock_t gs_esp32_clock(void)
{
    gs_clock_t c = {.now_us = now_us, .ctx = NULL};
    return c;
}
