/*
 * ESP32 build of gs_crc32_update(): the ROM routine, which computes the same
 * CRC-32/IEEE as zlib when called with the running value (esp_rom_crc32_le inverts the
 * value on entry and exit, matching zlib's chaining convention).
 */
#include "gs_crc32.h"
#include "esp_rom_crc.h"

uint32_t gs_crc32_update(uint32_t crc, const void *data, size_t len)
{
    return esp_rom_crc32_le(crc, (const uint8_t *)data, (uint32_t)len);
}
