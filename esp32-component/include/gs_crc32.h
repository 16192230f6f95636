/*
 * CRC-32/IEEE (the zlib / java.util.zip.CRC32 / esp_rom_crc32_le polynomial).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Continue a CRC over `len` more bytes. Start with crc = 0; the result of one call can be
 * passed back in to checksum data that arrives in pieces, exactly like zlib's crc32().
 */
uint32_t gs_crc32_update(uint32_t crc, const void *data, size_t len);

#ifdef __cplusplus
}
#endif
