/*
 * Model store backend on raw flash partitions (esp_partition): two app-independent data
 * partitions for the A/B model slots and a small one for the metadata record. Not compiled on
 * the host (no ESP-IDF here).
 *
 * Slots are memory-mapped for the runtime (esp_partition_mmap), so a TFLite model runs in
 * place from flash without a RAM copy. The metadata partition holds two 4 KiB sectors used
 * alternately, each record carrying a sequence number: save_meta writes the sector not holding
 * the newest record, so a power cut leaves the old or the new record (the store's CRC detects
 * a torn one).
 */
#include <string.h>
#include "esp_partition.h"
#include "gs_esp32.h"

#define META_SECTOR 4096u

typedef struct {
    const esp_partition_t *slot[2];
    const esp_partition_t *meta;
    esp_partition_mmap_handle_t map[2];
    const void *map_ptr[2];
    uint32_t meta_seq;
    uint32_t meta_sector; /* sector holding the newest record */
} part_store_t;

static part_store_t s_part;

typedef struct {
    uint32_t seq;
    uint32_t len;
} meta_hdr_t;

static void unmap(part_store_t *p, uint32_t slot)
{
    if (p->map_ptr[slot]) {
        esp_partition_munmap(p->map[slot]);
        p->map_ptr[slot] = NULL;
    }
}

static gs_err_t p_erase(void *ctx, uint32_t slot, uint32_t size)
{
    part_store_t *p = ctx;
    if (slot > 1 || size > p->slot[slot]->size) {
        return GS_ERR_INVALID_ARG;
    }
    unmap(p, slot);
    /* The partition's own erase granularity (esp_partition_t.erase_size, 4 KiB on SPI flash):
     * SPI_FLASH_SEC_SIZE lives in spi_flash_mmap.h, which esp_partition.h does not include. */
    const uint32_t es = p->slot[slot]->erase_size;
    uint32_t len = (size + es - 1) / es * es;
    return esp_partition_erase_range(p->slot[slot], 0, len) == ESP_OK ? GS_OK : GS_ERR_STORAGE;
}

static gs_err_t p_write(void *ctx, uint32_t slot, uint32_t off, const uint8_t *data, size_t len)
{
    part_store_t *p = ctx;
    return slot <= 1 && esp_partition_write(p->slot[slot], off, data, len) == ESP_OK ? GS_OK
                                                                                    : GS_ERR_STORAGE;
}

static gs_err_t p_read(void *ctx, uint32_t slot, uint32_t off, uint8_t *data, size_t len)
{
    part_store_t *p = ctx;
    return slot <= 1 && esp_partition_read(p->slot[slot], off, data, len) == ESP_OK ? GS_OK
                                                                                   : GS_ERR_STORAGE;
}

static gs_err_t p_map(void *ctx, uint32_t slot, uint32_t size, const uint8_t **data)
{
    part_store_t *p = ctx;
    if (slot > 1 || size > p->slot[slot]->size) {
        return GS_ERR_INVALID_ARG;
    }
    unmap(p, slot);
    if (esp_partition_mmap(p->slot[slot], 0, size, ESP_PARTITION_MMAP_DATA, &p->map_ptr[slot],
                           &p->map[slot]) != ESP_OK) {
        p->map_ptr[slot] = NULL;
        return GS_ERR_UNSUPPORTED; /* the runtime falls back to reading into RAM */
    }
    *data = p->map_ptr[slot];
    return GS_OK;
}

static gs_err_t p_load_meta(void *ctx, uint8_t *buf, size_t cap, size_t *len)
{
    part_store_t *p = ctx;
    meta_hdr_t h[2];
    int best = -1;
    for (uint32_t s = 0; s < 2; s++) {
        if (esp_partition_read(p->meta, s * META_SECTOR, &h[s], sizeof(h[s])) != ESP_OK ||
            h[s].seq == 0xFFFFFFFFu || h[s].len > META_SECTOR - sizeof(meta_hdr_t)) {
            continue;
        }
        if (best < 0 || (int32_t)(h[s].seq - h[best].seq) > 0) {
            best = (int)s;
        }
    }
    if (best < 0) {
        return GS_ERR_EMPTY;
    }
    p->meta_seq = h[best].seq;
    p->meta_sector = (uint32_t)best;
    size_t n = h[best].len < cap ? h[best].len : cap;
    if (esp_partition_read(p->meta, (uint32_t)best * META_SECTOR + sizeof(meta_hdr_t), buf, n) !=
        ESP_OK) {
        return GS_ERR_STORAGE;
    }
    *len = h[best].len;
    return GS_OK;
}

static gs_err_t p_save_meta(void *ctx, const uint8_t *buf, size_t len)
{
    part_store_t *p = ctx;
    if (len > META_SECTOR - sizeof(meta_hdr_t)) {
        return GS_ERR_INVALID_ARG;
    }
    uint32_t sector = p->meta_sector ^ 1u;
    meta_hdr_t h = {.seq = p->meta_seq + 1u, .len = (uint32_t)len};
    /* Payload first, header (with the sequence number that makes it current) last. */
    if (esp_partition_erase_range(p->meta, sector * META_SECTOR, META_SECTOR) != ESP_OK ||
        esp_partition_write(p->meta, sector * META_SECTOR + sizeof(h), buf, len) != ESP_OK ||
        esp_partition_write(p->meta, sector * META_SECTOR, &h, sizeof(h)) != ESP_OK) {
        return GS_ERR_STORAGE;
    }
    p->meta_seq = h.seq;
    p->meta_sector = sector;
    return GS_OK;
}

static const gs_storage_ops_t s_ops = {
    .erase = p_erase, .write = p_write, .read = p_read,
    .load_meta = p_load_meta, .save_meta = p_save_meta, .map = p_map,
};

gs_err_t gs_storage_partition_create(const char *slot_a, const char *slot_b, const char *meta,
                                     gs_storage_t *out)
{
    if (!slot_a || !slot_b || !meta || !out) {
        return GS_ERR_INVALID_ARG;
    }
    memset(&s_part, 0, sizeof(s_part));
    s_part.meta_sector = 1; /* so the first record goes to sector 0 */
    const char *names[2] = {slot_a, slot_b};
    for (int i = 0; i < 2; i++) {
        s_part.slot[i] = esp_partition_find_first(ESP_PARTITION_TYPE_DATA,
                                                  ESP_PARTITION_SUBTYPE_ANY, names[i]);
    }
    s_part.meta = esp_partition_find_first(ESP_PARTITION_TYPE_DATA, ESP_PARTITION_SUBTYPE_ANY, meta);
    if (!s_part.slot[0] || !s_part.slot[1] || !s_part.meta || s_part.meta->size < 2 * META_SECTOR) {
        return GS_ERR_NO_MODEL; /* partition table lacks them: see examples/fan_monitor/partitions.csv */
    }
    out->ops = &s_ops;
    out->ctx = &s_part;
    out->slot_size = s_part.slot[0]->size < s_part.slot[1]->size ? s_part.slot[0]->size
                                                                   : s_part.slot[1]->size;
    return GS_OK;
}
