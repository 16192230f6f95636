/*
 * Portable CRC-32/IEEE, slice-by-8. On the ESP32 the ROM implementation is used instead
 * (src/port/esp32/gs_crc32_rom.c) so these 8 KB of tables never reach the device; both give
 * zlib's value.
 *
 * Slice-by-8 folds 8 input bytes per step with 8 table look-ups (about 2.5 instructions per
 * byte on x86-64 against 7-8 for the byte-at-a-time table). The tables are computed once, on
 * first use, from the reflected polynomial 0xEDB88320:
 *   T[0][n] = n shifted through 8 rounds of  c = (c >> 1) ^ (c & 1 ? 0xEDB88320 : 0)
 *   T[k][n] = (T[k-1][n] >> 8) ^ T[0][T[k-1][n] & 0xFF]   (CRC of byte n followed by k zero bytes)
 * test_frame checks the result against zlib's check value and the byte-wise definition.
 */
#include <threads.h>
#include "gs_crc32.h"

static uint32_t s_table[8][256];
static once_flag s_table_once = ONCE_FLAG_INIT;

static void build_tables(void)
{
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) {
            c = (c >> 1) ^ ((c & 1u) ? 0xEDB88320u : 0u);
        }
        s_table[0][n] = c;
    }
    for (int k = 1; k < 8; k++) {
        for (uint32_t n = 0; n < 256; n++) {
            uint32_t prev = s_table[k - 1][n];
            s_table[k][n] = (prev >> 8) ^ s_table[0][prev & 0xFFu];
        }
    }
}

static inline uint32_t load_le32(const uint8_t *p)
{
    /* Compiles to one load on little-endian targets, still correct on big-endian ones. */
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

uint32_t gs_crc32_update(uint32_t crc, const void *data, size_t len)
{
    call_once(&s_table_once, build_tables);
    const uint8_t *p = (const uint8_t *)data;
    crc = ~crc;
    while (len >= 8) {
        uint32_t lo = crc ^ load_le32(p);
        uint32_t hi = load_le32(p + 4);
        crc = s_table[7][lo & 0xFFu] ^ s_table[6][(lo >> 8) & 0xFFu] ^
              s_table[5][(lo >> 16) & 0xFFu] ^ s_table[4][lo >> 24] ^
              s_table[3][hi & 0xFFu] ^ s_table[2][(hi >> 8) & 0xFFu] ^
              s_table[1][(hi >> 16) & 0xFFu] ^ s_table[0][hi >> 24];
        p += 8;
        len -= 8;
    }
    while (len--) {
        crc = s_table[0][(crc ^ *p++) & 0xFFu] ^ (crc >> 8);
    }
    return ~crc;
}
