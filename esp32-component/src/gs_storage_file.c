/*
 * File storage backend: one file per slot plus a metadata file replaced by rename(), which
 * POSIX makes atomic, so a crash during save leaves the old or the new record.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "gs_model_store.h"

typedef struct {
    uint8_t in_use;
    char dir[200];
    uint32_t slot_size;
} file_store_t;

static file_store_t s_files[2];

static void path_of(const file_store_t *f, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", f->dir, name);
}

static void slot_path(const file_store_t *f, uint32_t slot, char *out, size_t cap)
{
    char name[16];
    snprintf(name, sizeof(name), "slot%u.bin", (unsigned)slot);
    path_of(f, name, out, cap);
}

static gs_err_t f_erase(void *ctx, uint32_t slot, uint32_t size)
{
    file_store_t *f = ctx;
    if (slot > 1 || size > f->slot_size) {
        return GS_ERR_INVALID_ARG;
    }
    char p[256];
    slot_path(f, slot, p, sizeof(p));
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        return GS_ERR_STORAGE;
    }
    int rc = ftruncate(fd, (off_t)size);
    close(fd);
    return rc == 0 ? GS_OK : GS_ERR_STORAGE;
}

static gs_err_t f_io(file_store_t *f, uint32_t slot, uint32_t off, void *data, size_t len, int wr)
{
    if (slot > 1 || (uint64_t)off + len > f->slot_size) {
        return GS_ERR_INVALID_ARG;
    }
    char p[256];
    slot_path(f, slot, p, sizeof(p));
    int fd = open(p, wr ? O_WRONLY : O_RDONLY);
    if (fd < 0) {
        return GS_ERR_STORAGE;
    }
    ssize_t n = wr ? pwrite(fd, data, len, (off_t)off) : pread(fd, data, len, (off_t)off);
    int rc = (wr && fsync(fd) != 0) ? -1 : 0;
    close(fd);
    return (n == (ssize_t)len && rc == 0) ? GS_OK : GS_ERR_STORAGE;
}

static gs_err_t f_write(void *ctx, uint32_t slot, uint32_t off, const uint8_t *data, size_t len)
{
    return f_io(ctx, slot, off, (void *)data, len, 1);
}

static gs_err_t f_read(void *ctx, uint32_t slot, uint32_t off, uint8_t *data, size_t len)
{
    return f_io(ctx, slot, off, data, len, 0);
}

static gs_err_t f_load_meta(void *ctx, uint8_t *buf, size_t cap, size_t *len)
{
    char p[256];
    path_of(ctx, "meta.bin", p, sizeof(p));
    FILE *fp = fopen(p, "rb");
    if (!fp) {
        return errno == ENOENT ? GS_ERR_EMPTY : GS_ERR_STORAGE;
    }
    *len = fread(buf, 1, cap, fp);
    fclose(fp);
    return GS_OK;
}

static gs_err_t f_save_meta(void *ctx, const uint8_t *buf, size_t len)
{
    char p[256], tmp[256];
    path_of(ctx, "meta.bin", p, sizeof(p));
    path_of(ctx, "meta.bin.tmp", tmp, sizeof(tmp));
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        return GS_ERR_STORAGE;
    }
    ssize_t n = write(fd, buf, len);
    int rc = fsync(fd);
    close(fd);
    if (n != (ssize_t)len || rc != 0 || rename(tmp, p) != 0) {
        return GS_ERR_STORAGE;
    }
    return GS_OK;
}

static const gs_storage_ops_t s_ops = {
    .erase = f_erase, .write = f_write, .read = f_read,
    .load_meta = f_load_meta, .save_meta = f_save_meta,
};

gs_err_t gs_storage_file_create(const char *dir, uint32_t slot_size, gs_storage_t *out)
{
    if (!dir || !out || slot_size == 0 || strlen(dir) >= sizeof(s_files[0].dir)) {
        return GS_ERR_INVALID_ARG;
    }
    for (size_t i = 0; i < 2; i++) {
        if (!s_files[i].in_use) {
            file_store_t *f = &s_files[i];
            f->in_use = 1;
            snprintf(f->dir, sizeof(f->dir), "%s", dir);
            f->slot_size = slot_size;
            out->ops = &s_ops;
            out->ctx = f;
            out->slot_size = slot_size;
            return GS_OK;
        }
    }
    return GS_ERR_NO_MEM;
}

void gs_storage_file_destroy(gs_storage_t *storage)
{
    if (storage && storage->ctx) {
        ((file_store_t *)storage->ctx)->in_use = 0;
        storage->ctx = NULL;
    }
}
