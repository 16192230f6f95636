/*
 * Model store with the file backend and real mbedTLS crypto: transfers, resume, every
 * rejection path, signatures made with a key generated here, A/B slots, rollback and
 * persistence across a restart.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <unistd.h>
#include <cmocka.h>

#include "gs_model_store.h"
#include "gs_test_util.h"

#define SLOT_SIZE 65536u

typedef struct {
    char dir[64];
    gs_storage_t storage;
    gs_model_store_handle_t store;
    gs_test_signer_t signer;  /* the key the store trusts */
    gs_test_signer_t other;   /* a key it does not */
    uint8_t model[3][6000];
    uint32_t model_size[3];
} fx_t;

static gs_err_t open_store(fx_t *f, bool require_sig)
{
    gs_model_store_config_t c = {
        .storage = f->storage, .public_key = f->signer.pub, .public_key_len = f->signer.pub_len,
        .require_signature = require_sig,
    };
    return gs_model_store_create(&c, &f->store);
}

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/gs_store_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(gs_storage_file_create(f->dir, SLOT_SIZE, &f->storage), GS_OK);
    assert_int_equal(gs_test_signer_init(&f->signer, 0), 0);
    assert_int_equal(gs_test_signer_init(&f->other, 1), 0);
    uint32_t sizes[3] = {5000, 1, 4097};
    for (int m = 0; m < 3; m++) {
        f->model_size[m] = sizes[m];
        for (uint32_t i = 0; i < sizes[m]; i++) {
            f->model[m][i] = (uint8_t)(i * (m + 3) + m);
        }
    }
    assert_int_equal(open_store(f, true), GS_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    gs_model_store_destroy(f->store);
    gs_storage_file_destroy(&f->storage);
    gs_test_signer_free(&f->signer);
    gs_test_signer_free(&f->other);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* ModelBegin for model `m` ("fan-<m>") whose manifest gets the members `extra` (e.g.
 * ",\"version\":2"), signed by the trusted key when `sign`. */
static void make_begin_with(fx_t *f, int m, gyrosentinel_v1_ModelBegin *b, const char *extra, bool sign)
{
    memset(b, 0, sizeof(*b));
    b->size = f->model_size[m];
    gs_test_sha256(f->model[m], f->model_size[m], b->sha256);
    int len = snprintf((char *)b->manifest.bytes, sizeof(b->manifest.bytes),
                       "{\"modelId\":\"fan-%d\",\"window\":40%s}", m, extra);
    b->manifest.size = (pb_size_t)len;
    snprintf(b->model_id, sizeof(b->model_id), "fan-%d", m);
    if (sign) {
        assert_int_equal(gs_test_sign_begin(&f->signer, b), 0);
    }
}

static void make_begin(fx_t *f, int m, gyrosentinel_v1_ModelBegin *b, bool sign)
{
    make_begin_with(f, m, b, "", sign);
}

static gs_err_t send_chunk(fx_t *f, int m, uint32_t off, uint32_t len)
{
    static gyrosentinel_v1_ModelChunk c;
    memset(&c, 0, sizeof(c));
    c.offset = off;
    memcpy(c.data.bytes, &f->model[m][off], len);
    c.data.size = (pb_size_t)len;
    c.crc32 = gs_crc32_update(0, c.data.bytes, len);
    return gs_model_store_chunk(f->store, &c);
}

/* A signed transfer of model `m` whose manifest gets `extra`; the store's answer. */
static gs_err_t transfer_with(fx_t *f, int m, const char *extra, bool activate)
{
    static gyrosentinel_v1_ModelBegin b;
    make_begin_with(f, m, &b, extra, true);
    return gs_test_store_transfer(f->store, &b, f->model[m], 1024, activate);
}

static void transfer(fx_t *f, int m, bool activate)
{
    assert_int_equal(transfer_with(f, m, "", activate), GS_OK);
}

static void signed_transfers_fill_slots_a_then_b_and_roll_back(void **state)
{
    fx_t *f = *state;
    static gyrosentinel_v1_ModelStatus st;
    assert_int_equal(gs_model_store_active_slot(f->store), -1);
    transfer(f, 0, true);
    assert_int_equal(gs_model_store_active_slot(f->store), 0);
    transfer(f, 1, true);
    assert_int_equal(gs_model_store_active_slot(f->store), 1);
    gs_model_store_status(f->store, &st);
    assert_int_equal(st.transfer_state, gyrosentinel_v1_ModelStatus_TransferState_COMMITTED);
    assert_int_equal(st.active_slot, 1);
    assert_true(st.slots[0].valid && st.slots[1].valid);
    assert_string_equal(st.slots[0].model_id, "fan-0");
    assert_int_equal(st.slots[0].size, 5000);
    assert_string_equal(st.slots[1].model_id, "fan-1");
    assert_true(st.slots[1].active);

    /* The running model is never the target: the next transfer overwrites slot 0. */
    transfer(f, 2, false);
    assert_int_equal(gs_model_store_active_slot(f->store), 1);
    gs_model_store_status(f->store, &st);
    assert_string_equal(st.slots[0].model_id, "fan-2");
    assert_int_equal(gs_model_store_activate(f->store, 0), GS_OK);
    assert_int_equal(gs_model_store_rollback(f->store), GS_OK);
    assert_int_equal(gs_model_store_active_slot(f->store), 1);
    assert_int_equal(gs_model_store_rollback(f->store), GS_OK);
    assert_int_equal(gs_model_store_active_slot(f->store), 0);
}

static void a_model_that_fails_to_load_rolls_back(void **state)
{
    fx_t *f = *state;
    transfer(f, 0, true);
    transfer(f, 1, true);
    assert_int_equal(gs_model_store_report_load(f->store, false), GS_OK);
    assert_int_equal(gs_model_store_active_slot(f->store), 0);
    static gyrosentinel_v1_ModelStatus st;
    gs_model_store_status(f->store, &st);
    assert_false(st.slots[1].valid);
    assert_int_equal(gs_model_store_activate(f->store, 1), GS_ERR_NO_MODEL);
    /* The last model failing too leaves no model, reported as such. */
    assert_int_equal(gs_model_store_report_load(f->store, false), GS_ERR_NO_MODEL);
    assert_int_equal(gs_model_store_active_slot(f->store), -1);
    assert_int_equal(gs_model_store_rollback(f->store), GS_ERR_NO_MODEL);
}

static void bad_chunks_are_rejected_without_side_effects(void **state)
{
    fx_t *f = *state;
    static gyrosentinel_v1_ModelBegin b;
    make_begin(f, 0, &b, true);
    uint32_t next;
    assert_int_equal(send_chunk(f, 0, 0, 10), GS_ERR_INVALID_STATE); /* no begin yet */
    assert_int_equal(gs_model_store_begin(f->store, &b, &next), GS_OK);
    assert_int_equal(send_chunk(f, 0, 1024, 1024), GS_ERR_OFFSET_MISMATCH);
    static gyrosentinel_v1_ModelChunk c;
    memset(&c, 0, sizeof(c));
    c.data.size = 16;
    memcpy(c.data.bytes, f->model[0], 16);
    c.crc32 = gs_crc32_update(0, c.data.bytes, 16) ^ 1u;
    assert_int_equal(gs_model_store_chunk(f->store, &c), GS_ERR_CRC_MISMATCH);
    assert_int_equal(gs_model_store_commit(f->store, true), GS_ERR_OFFSET_MISMATCH);
    for (uint32_t off = 0; off < 4096; off += 1024) {
        assert_int_equal(send_chunk(f, 0, off, 1024), GS_OK);
    }
    assert_int_equal(send_chunk(f, 0, 4096, 1024), GS_ERR_TOO_LARGE); /* 5120 > 5000 */
    assert_int_equal(send_chunk(f, 0, 4096, 904), GS_OK);
    assert_int_equal(gs_model_store_commit(f->store, true), GS_OK);
}

static void begin_with_the_same_hash_resumes(void **state)
{
    fx_t *f = *state;
    static gyrosentinel_v1_ModelBegin b;
    make_begin(f, 0, &b, true);
    uint32_t next;
    assert_int_equal(gs_model_store_begin(f->store, &b, &next), GS_OK);
    assert_int_equal(send_chunk(f, 0, 0, 1024), GS_OK);
    assert_int_equal(send_chunk(f, 0, 1024, 1024), GS_OK);
    /* Connection lost; the host starts over with the same model. */
    assert_int_equal(gs_model_store_begin(f->store, &b, &next), GS_OK);
    assert_int_equal(next, 2048);
    static gyrosentinel_v1_ModelStatus st;
    gs_model_store_status(f->store, &st);
    assert_int_equal(st.transfer_state, gyrosentinel_v1_ModelStatus_TransferState_RECEIVING);
    assert_int_equal(st.next_offset, 2048);
    for (uint32_t off = 2048; off < 5000; off += 1024) {
        assert_int_equal(send_chunk(f, 0, off, off + 1024 > 5000 ? 5000 - off : 1024), GS_OK);
    }
    assert_int_equal(gs_model_store_commit(f->store, true), GS_OK);
    /* A different model restarts from 0. */
    make_begin(f, 2, &b, true);
    assert_int_equal(gs_model_store_begin(f->store, &b, &next), GS_OK);
    assert_int_equal(next, 0);
}

static void wrong_hash_or_signature_never_becomes_valid(void **state)
{
    fx_t *f = *state;
    static gyrosentinel_v1_ModelBegin b;
    uint32_t next;
    /* Signed, but the bytes that arrive hash to something else. */
    make_begin(f, 1, &b, false);
    b.sha256[0] ^= 0xFF;
    assert_int_equal(gs_test_sign_begin(&f->signer, &b), 0);
    assert_int_equal(gs_model_store_begin(f->store, &b, &next), GS_OK);
    assert_int_equal(send_chunk(f, 1, 0, 1), GS_OK);
    assert_int_equal(gs_model_store_commit(f->store, true), GS_ERR_HASH_MISMATCH);
    /* Manifest changed after signing: refused at begin, before anything is erased. */
    make_begin(f, 1, &b, true);
    b.manifest.bytes[3] ^= 0x20;
    assert_int_equal(gs_model_store_begin(f->store, &b, &next), GS_ERR_SIGNATURE);
    const char *field = NULL;
    assert_string_equal(gs_model_store_error_detail(f->store, &field),
                        "signature is not by the key this device trusts");
    assert_string_equal(field, "model_begin.signature");
    assert_int_equal(send_chunk(f, 1, 0, 1), GS_ERR_INVALID_STATE); /* no transfer was started */
    /* Unsigned while signatures are required. */
    make_begin(f, 1, &b, false);
    assert_int_equal(gs_model_store_begin(f->store, &b, &next), GS_ERR_SIGNATURE);
    static gyrosentinel_v1_ModelStatus st;
    gs_model_store_status(f->store, &st);
    assert_false(st.slots[0].valid);
    assert_false(st.slots[1].valid);
    assert_int_equal(st.active_slot, -1);
    /* Too big for a slot. */
    make_begin(f, 1, &b, true);
    b.size = SLOT_SIZE + 1;
    assert_int_equal(gs_model_store_begin(f->store, &b, &next), GS_ERR_TOO_LARGE);
}

/* Damages one byte of a store file behind the store's back (XOR with `mask`). */
static void flip(fx_t *f, const char *name, long offset, int mask)
{
    char p[128];
    snprintf(p, sizeof(p), "%s/%s", f->dir, name);
    FILE *fp = fopen(p, "r+b");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, offset, SEEK_SET), 0);
    int c = fgetc(fp);
    assert_true(c != EOF);
    assert_int_equal(fseek(fp, offset, SEEK_SET), 0);
    fputc(c ^ mask, fp);
    fclose(fp);
}

static void slots_survive_a_restart_and_a_damaged_record_is_ignored(void **state)
{
    fx_t *f = *state;
    transfer(f, 0, true);
    transfer(f, 1, false);
    gs_model_store_destroy(f->store);
    assert_int_equal(open_store(f, true), GS_OK);
    assert_int_equal(gs_model_store_active_slot(f->store), 0);
    static gyrosentinel_v1_ModelStatus st;
    gs_model_store_status(f->store, &st);
    assert_true(st.slots[1].valid);
    assert_string_equal(st.slots[1].model_id, "fan-1");
    assert_int_equal(st.transfer_state, gyrosentinel_v1_ModelStatus_TransferState_IDLE);

    flip(f, "meta.bin", 20, 0x5A);
    gs_model_store_destroy(f->store);
    assert_int_equal(open_store(f, true), GS_OK);
    assert_int_equal(gs_model_store_active_slot(f->store), -1);
}

static void a_slot_damaged_while_the_device_was_off_is_dropped_at_boot(void **state)
{
    fx_t *f = *state;
    transfer(f, 0, true);  /* model 0 (5000 B) into slot 0, active */
    transfer(f, 2, true);  /* model 2 (4097 B) into slot 1, active; slot 0 previous */
    assert_int_equal(gs_model_store_active_slot(f->store), 1);
    gs_model_store_destroy(f->store);

    /* one flipped bit in the active slot while the device is off */
    flip(f, "slot1.bin", 100, 0x01);

    assert_int_equal(open_store(f, true), GS_OK);
    assert_int_equal(gs_model_store_active_slot(f->store), 0); /* back to the previous model */
    static gyrosentinel_v1_ModelStatus st;
    gs_model_store_status(f->store, &st);
    assert_false(st.slots[1].valid);
    assert_true(st.slots[0].valid);
    uint8_t b;
    assert_int_equal(gs_model_store_read(f->store, 1, 0, &b, 1), GS_ERR_NO_MODEL);
    assert_int_equal(gs_model_store_rollback(f->store), GS_ERR_NO_MODEL); /* nothing to go back to */

    /* the decision was saved: the next boot agrees without re-deciding */
    gs_model_store_destroy(f->store);
    assert_int_equal(open_store(f, true), GS_OK);
    assert_int_equal(gs_model_store_active_slot(f->store), 0);

    /* the remaining model damaged too: no model at all */
    flip(f, "slot0.bin", 0, 0x80);
    gs_model_store_destroy(f->store);
    assert_int_equal(open_store(f, true), GS_OK);
    assert_int_equal(gs_model_store_active_slot(f->store), -1);
    uint32_t slot, size;
    assert_int_equal(gs_model_store_active_model(f->store, &slot, &size), GS_ERR_NO_MODEL);
}

static void a_calibration_is_kept_with_its_slot_until_the_slot_is_rewritten(void **state)
{
    fx_t *f = *state;
    transfer(f, 0, true); /* slot 0 */
    gs_model_calibration_t cal = {.channels = 2, .mean = {0.5f, -1.0f}, .std = {2.0f, 4.0f}, .threshold = 0.25f};
    gs_model_calibration_t got;
    assert_int_equal(gs_model_store_calibration(f->store, 0, &got), GS_ERR_EMPTY);
    assert_int_equal(gs_model_store_save_calibration(f->store, 1, &cal), GS_ERR_NO_MODEL);
    cal.channels = 4;
    assert_int_equal(gs_model_store_save_calibration(f->store, 0, &cal), GS_ERR_INVALID_ARG);
    cal.channels = 2;
    assert_int_equal(gs_model_store_save_calibration(f->store, 0, &cal), GS_OK);

    gs_model_store_destroy(f->store); /* reboot */
    assert_int_equal(open_store(f, true), GS_OK);
    assert_int_equal(gs_model_store_calibration(f->store, 0, &got), GS_OK);
    assert_memory_equal(&got, &cal, sizeof(cal));
    assert_int_equal(gs_model_store_calibration(f->store, 1, &got), GS_ERR_EMPTY);

    transfer(f, 2, true); /* slot 1; slot 0 keeps its model and its calibration */
    assert_int_equal(gs_model_store_calibration(f->store, 0, &got), GS_OK);
    transfer(f, 0, true); /* rewrites slot 0: its calibration belonged to the old bytes */
    assert_int_equal(gs_model_store_calibration(f->store, 0, &got), GS_ERR_EMPTY);
}

/* Rewrites meta.bin as a record of an older `version`: the newest `dropped` bytes of fields (before
 * the CRC) removed, the version number replaced, a fresh CRC. */
static void rewrite_meta_as(const fx_t *f, uint32_t version, size_t dropped)
{
    char p[128];
    snprintf(p, sizeof(p), "%s/meta.bin", f->dir);
    uint8_t rec[GS_MODEL_META_MAX];
    FILE *fp = fopen(p, "rb");
    assert_non_null(fp);
    size_t n = fread(rec, 1, sizeof(rec), fp);
    fclose(fp);
    size_t fields = n - 4 - dropped;
    memcpy(rec + 4, &version, 4);
    uint32_t crc = gs_crc32_update(0, rec, fields);
    memcpy(rec + fields, &crc, 4);
    fp = fopen(p, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(rec, 1, fields + 4, fp), fields + 4);
    fclose(fp);
}

/* Records written by firmware before calibrations were kept (version 1: no calibration fields)
 * still open with their slots. */
static void a_version_1_record_still_opens(void **state)
{
    fx_t *f = *state;
    transfer(f, 0, true);
    gs_model_store_destroy(f->store);
    /* version 3 = version 1 fields + int32 cal_slot + calibration + uint32 highest version */
    rewrite_meta_as(f, 1, sizeof(int32_t) + sizeof(gs_model_calibration_t) + sizeof(uint32_t));

    assert_int_equal(open_store(f, true), GS_OK);
    assert_int_equal(gs_model_store_active_slot(f->store), 0);
    gs_model_calibration_t got;
    assert_int_equal(gs_model_store_calibration(f->store, 0, &got), GS_ERR_EMPTY);
}

/* A version 2 record (before the anti-rollback counter) opens with its slots and calibration,
 * and no version floor. */
static void a_version_2_record_still_opens_with_no_version_floor(void **state)
{
    fx_t *f = *state;
    assert_int_equal(transfer_with(f, 0, ",\"version\":7", true), GS_OK);
    gs_model_calibration_t cal = {.channels = 1, .mean = {0.5f}, .std = {2.0f}, .threshold = 0.25f};
    assert_int_equal(gs_model_store_save_calibration(f->store, 0, &cal), GS_OK);
    gs_model_store_destroy(f->store);
    rewrite_meta_as(f, 2, sizeof(uint32_t)); /* without the counter */

    assert_int_equal(open_store(f, true), GS_OK);
    assert_int_equal(gs_model_store_active_slot(f->store), 0);
    gs_model_calibration_t got;
    assert_int_equal(gs_model_store_calibration(f->store, 0, &got), GS_OK);
    assert_int_equal(gs_model_store_highest_version(f->store), 0);
    assert_int_equal(transfer_with(f, 1, ",\"version\":1", true), GS_OK);
}

/* Everything a refused request must leave alone: the record, both slot files, the status. */
typedef struct {
    uint8_t meta[32], slot[GS_MODEL_SLOTS][32];
    gyrosentinel_v1_ModelStatus status;
} snapshot_t;

static void file_hash(fx_t *f, const char *name, uint8_t out[32])
{
    char p[128];
    snprintf(p, sizeof(p), "%s/%s", f->dir, name);
    size_t n = 0;
    uint8_t *d = gs_test_read_file(p, &n);
    memset(out, 0, 32);
    if (d) {
        gs_test_sha256(d, n, out);
        free(d);
    }
}

static void snapshot(fx_t *f, snapshot_t *s)
{
    memset(s, 0, sizeof(*s));
    file_hash(f, "meta.bin", s->meta);
    file_hash(f, "slot0.bin", s->slot[0]);
    file_hash(f, "slot1.bin", s->slot[1]);
    gs_model_store_status(f->store, &s->status);
}

static void assert_unchanged(fx_t *f, const snapshot_t *before)
{
    static snapshot_t now;
    snapshot(f, &now);
    assert_memory_equal(now.meta, before->meta, 32);
    assert_memory_equal(now.slot[0], before->slot[0], 32);
    assert_memory_equal(now.slot[1], before->slot[1], 32);
    assert_int_equal(now.status.active_slot, before->status.active_slot);
    assert_int_equal(now.status.slots_count, before->status.slots_count);
    assert_memory_equal(now.status.slots, before->status.slots, sizeof(now.status.slots));
}

static void assert_detail(fx_t *f, const char *field, const char *message)
{
    const char *got_field = NULL;
    const char *got = gs_model_store_error_detail(f->store, &got_field);
    assert_non_null(got);
    assert_string_equal(got, message);
    assert_non_null(got_field);
    assert_string_equal(got_field, field);
}

/* Finding (2): v1 -> v2 -> v1 again, all signed by the trusted key. */
static void a_replayed_older_version_is_refused_and_changes_nothing(void **state)
{
    fx_t *f = *state;
    static gyrosentinel_v1_ModelBegin v1;
    make_begin_with(f, 0, &v1, ",\"version\":1", true);
    assert_int_equal(gs_test_store_transfer(f->store, &v1, f->model[0], 1024, true), GS_OK);
    assert_int_equal(gs_model_store_highest_version(f->store), 1);
    assert_int_equal(transfer_with(f, 1, ",\"version\":2", true), GS_OK);
    assert_int_equal(gs_model_store_highest_version(f->store), 2);
    assert_int_equal(gs_model_store_active_slot(f->store), 1);

    static snapshot_t before;
    snapshot(f, &before);
    uint32_t next = 99;
    assert_int_equal(gs_model_store_begin(f->store, &v1, &next), GS_ERR_VERSION); /* the same bytes again */
    assert_int_equal(next, 99);
    assert_detail(f, "manifest.version",
                  "model version 1 < highest accepted 2; sign with \"downgrade\": true to go back");
    assert_unchanged(f, &before);
    assert_int_equal(transfer_with(f, 2, ",\"version\":1", true), GS_ERR_VERSION); /* another v1 model */
    assert_int_equal(transfer_with(f, 2, "", true), GS_ERR_VERSION);                /* no version = 0 */
    assert_unchanged(f, &before);

    /* Rolling back to the v1 model still in the other slot is an operator action: allowed, and the
     * floor stays. The same version as the highest is no rollback. */
    assert_int_equal(gs_model_store_rollback(f->store), GS_OK);
    assert_int_equal(gs_model_store_active_slot(f->store), 0);
    assert_int_equal(gs_model_store_highest_version(f->store), 2);
    assert_int_equal(transfer_with(f, 2, ",\"version\":2", true), GS_OK);
    assert_int_equal(gs_model_store_active_slot(f->store), 1);
}

static void the_highest_version_survives_a_reboot(void **state)
{
    fx_t *f = *state;
    assert_int_equal(transfer_with(f, 0, ",\"version\":5", true), GS_OK);
    assert_int_equal(transfer_with(f, 1, ",\"version\":4294967295", false), GS_OK);
    assert_int_equal(transfer_with(f, 2, ",\"version\":5", true), GS_ERR_VERSION);
    gs_model_store_destroy(f->store); /* reboot */
    assert_int_equal(open_store(f, true), GS_OK);
    assert_int_equal(gs_model_store_highest_version(f->store), 4294967295u);
    assert_int_equal(transfer_with(f, 2, ",\"version\":5", true), GS_ERR_VERSION);
    assert_detail(f, "manifest.version",
                  "model version 5 < highest accepted 4294967295; sign with \"downgrade\": true to go back");
    assert_int_equal(gs_model_store_active_slot(f->store), 0);
}

static void a_downgrade_bundle_goes_back_and_becomes_the_floor(void **state)
{
    fx_t *f = *state;
    assert_int_equal(transfer_with(f, 0, ",\"version\":3", true), GS_OK);
    assert_int_equal(transfer_with(f, 1, ",\"version\":5", true), GS_OK);
    assert_int_equal(transfer_with(f, 2, ",\"version\":3", true), GS_ERR_VERSION);
    assert_int_equal(transfer_with(f, 2, ",\"version\":3,\"downgrade\":false", true), GS_ERR_VERSION);
    /* A refused begin raised nothing, and neither does a begin alone: the counter moves at commit. */
    static gyrosentinel_v1_ModelBegin b;
    make_begin_with(f, 2, &b, ",\"version\":9", true);
    uint32_t next;
    assert_int_equal(gs_model_store_begin(f->store, &b, &next), GS_OK);
    assert_int_equal(gs_model_store_abort(f->store), GS_OK);
    assert_int_equal(gs_model_store_highest_version(f->store), 5);

    assert_int_equal(transfer_with(f, 2, ",\"version\":3,\"downgrade\":true", true), GS_OK);
    assert_int_equal(gs_model_store_highest_version(f->store), 3); /* reset to the downgrade's version */
    static gyrosentinel_v1_ModelStatus st;
    gs_model_store_status(f->store, &st);
    assert_string_equal(st.slots[st.active_slot].model_id, "fan-2");
    assert_int_equal(transfer_with(f, 0, ",\"version\":2", true), GS_ERR_VERSION);
    /* documented consequence: what is at or above the new floor (the 5 it went back from) is
     * accepted again */
    assert_int_equal(transfer_with(f, 1, ",\"version\":5", true), GS_OK);
    assert_int_equal(gs_model_store_highest_version(f->store), 5);
}

/* Finding (3): a junk signature at ModelBegin, then abort: the rollback target must survive. */
static void a_bad_signature_is_refused_at_begin_before_anything_is_erased(void **state)
{
    fx_t *f = *state;
    transfer(f, 0, true); /* slot 0 */
    transfer(f, 1, true); /* slot 1, active; slot 0 is the rollback target */
    static snapshot_t before;
    snapshot(f, &before);

    static gyrosentinel_v1_ModelBegin b;
    make_begin(f, 2, &b, false);
    memset(b.signature.bytes, 0x30, 70); /* junk */
    b.signature.size = 70;
    uint32_t next = 99;
    assert_int_equal(gs_model_store_begin(f->store, &b, &next), GS_ERR_SIGNATURE);
    assert_detail(f, "model_begin.signature", "signature is not by the key this device trusts");
    assert_unchanged(f, &before);
    make_begin(f, 2, &b, false);
    assert_int_equal(gs_test_sign_begin(&f->other, &b), 0); /* well-formed, by another key */
    assert_int_equal(gs_model_store_begin(f->store, &b, &next), GS_ERR_SIGNATURE);
    make_begin(f, 2, &b, false); /* unsigned */
    assert_int_equal(gs_model_store_begin(f->store, &b, &next), GS_ERR_SIGNATURE);
    assert_detail(f, "model_begin.signature", "this device only accepts signed models");
    assert_int_equal(next, 99);
    assert_int_equal(gs_model_store_abort(f->store), GS_OK);
    assert_unchanged(f, &before);

    assert_int_equal(gs_model_store_rollback(f->store), GS_OK);
    assert_int_equal(gs_model_store_active_slot(f->store), 0);
    static gyrosentinel_v1_ModelStatus st;
    gs_model_store_status(f->store, &st);
    assert_true(st.slots[0].valid && st.slots[1].valid);
    assert_string_equal(st.slots[0].model_id, "fan-0");

    /* A refused begin also leaves a pending transfer alone: it still resumes. */
    make_begin(f, 2, &b, true);
    assert_int_equal(gs_model_store_begin(f->store, &b, &next), GS_OK); /* into slot 1 */
    assert_int_equal(send_chunk(f, 2, 0, 1024), GS_OK);
    static gyrosentinel_v1_ModelBegin junk;
    junk = b;
    junk.signature.bytes[10] ^= 0x01;
    assert_int_equal(gs_model_store_begin(f->store, &junk, &next), GS_ERR_SIGNATURE);
    assert_int_equal(gs_model_store_begin(f->store, &b, &next), GS_OK);
    assert_int_equal(next, 1024);
}

static void a_bundle_scoped_to_another_device_is_refused(void **state)
{
    fx_t *f = *state;
    /* a store that was never told its device id takes no scoped bundle */
    assert_int_equal(transfer_with(f, 0, ",\"scope\":\"fan-board-7\"", true), GS_ERR_INVALID_ARG);
    assert_detail(f, "manifest.scope", "bundle is for device 'fan-board-7', this is ''");

    assert_int_equal(gs_model_store_set_device_id(f->store, "fan-board-7"), GS_OK);
    transfer(f, 0, true);
    static snapshot_t before;
    snapshot(f, &before);
    assert_int_equal(transfer_with(f, 1, ",\"scope\":\"fan-board-8\"", true), GS_ERR_INVALID_ARG);
    assert_detail(f, "manifest.scope", "bundle is for device 'fan-board-8', this is 'fan-board-7'");
    assert_int_equal(transfer_with(f, 1, ",\"scope\":\"fan-board-77\"", true), GS_ERR_INVALID_ARG);
    assert_int_equal(transfer_with(f, 1, ",\"scope\":\"fan-board-\"", true), GS_ERR_INVALID_ARG);
    assert_unchanged(f, &before);
    assert_int_equal(transfer_with(f, 1, ",\"scope\":\"fan-board-7\"", true), GS_OK);
    assert_int_equal(transfer_with(f, 2, ",\"scope\":\"\"", true), GS_OK); /* empty = any device */
}

/* Finding (9): the id a slot reports is the signed manifest's, never another one. */
static void a_model_id_that_differs_from_the_manifest_is_refused(void **state)
{
    fx_t *f = *state;
    static gyrosentinel_v1_ModelBegin b;
    make_begin(f, 0, &b, true);
    snprintf(b.model_id, sizeof(b.model_id), "fan-9"); /* not part of what is signed */
    uint32_t next;
    assert_int_equal(gs_model_store_begin(f->store, &b, &next), GS_ERR_INVALID_ARG);
    assert_detail(f, "model_begin.model_id", "model_id 'fan-9' differs from the manifest's modelId 'fan-0'");
    static gyrosentinel_v1_ModelStatus st;
    gs_model_store_status(f->store, &st);
    assert_int_equal(st.transfer_state, gyrosentinel_v1_ModelStatus_TransferState_IDLE);

    memset(b.model_id, 0, sizeof(b.model_id)); /* no model_id: the manifest's is taken */
    assert_int_equal(gs_test_store_transfer(f->store, &b, f->model[0], 1024, true), GS_OK);
    gs_model_store_status(f->store, &st);
    assert_string_equal(st.slots[0].model_id, "fan-0");
}

static void malformed_deployment_members_are_refused(void **state)
{
    fx_t *f = *state;
    static const struct {
        const char *extra, *field;
    } bad[] = {
        {",\"version\":\"5\"", "manifest.version"},
        {",\"version\":-1", "manifest.version"},
        {",\"version\":1.5", "manifest.version"},
        {",\"version\":1e3", "manifest.version"},
        {",\"version\":007", "manifest.version"},
        {",\"version\":4294967296", "manifest.version"},
        {",\"version\":1,\"version\":9", "manifest.version"},
        {",\"downgrade\":\"yes\"", "manifest.downgrade"},
        {",\"downgrade\":1", "manifest.downgrade"},
        {",\"scope\":7", "manifest.scope"},
        {",\"scope\":\"a\\\"b\"", "manifest.scope"},
        {",\"modelId\":\"fan-0\"", "manifest.modelId"},
        {"} x", "model_begin.manifest"},
        {",", "model_begin.manifest"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(transfer_with(f, 0, bad[i].extra, true), GS_ERR_INVALID_ARG);
        const char *field = NULL;
        assert_non_null(gs_model_store_error_detail(f->store, &field));
        assert_string_equal(field, bad[i].field);
    }
    static gyrosentinel_v1_ModelBegin b;
    make_begin(f, 0, &b, false);
    memcpy(b.manifest.bytes, "[1]", 3);
    b.manifest.size = 3;
    assert_int_equal(gs_test_sign_begin(&f->signer, &b), 0);
    uint32_t next;
    assert_int_equal(gs_model_store_begin(f->store, &b, &next), GS_ERR_INVALID_ARG);
    assert_detail(f, "model_begin.manifest", "manifest is not one JSON object");
    assert_int_equal(gs_model_store_active_slot(f->store), -1);
    assert_int_equal(transfer_with(f, 0, " ,\"version\" : 0 , \"downgrade\" : false, \"scope\" : \"\" ", true),
                     GS_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(signed_transfers_fill_slots_a_then_b_and_roll_back, setup, teardown),
        cmocka_unit_test_setup_teardown(a_model_that_fails_to_load_rolls_back, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_chunks_are_rejected_without_side_effects, setup, teardown),
        cmocka_unit_test_setup_teardown(begin_with_the_same_hash_resumes, setup, teardown),
        cmocka_unit_test_setup_teardown(wrong_hash_or_signature_never_becomes_valid, setup, teardown),
        cmocka_unit_test_setup_teardown(slots_survive_a_restart_and_a_damaged_record_is_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(a_slot_damaged_while_the_device_was_off_is_dropped_at_boot, setup, teardown),
        cmocka_unit_test_setup_teardown(a_calibration_is_kept_with_its_slot_until_the_slot_is_rewritten, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_version_1_record_still_opens, setup, teardown),
        cmocka_unit_test_setup_teardown(a_version_2_record_still_opens_with_no_version_floor, setup, teardown),
        cmocka_unit_test_setup_teardown(a_replayed_older_version_is_refused_and_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(the_highest_version_survives_a_reboot, setup, teardown),
        cmocka_unit_test_setup_teardown(a_downgrade_bundle_goes_back_and_becomes_the_floor, setup, teardown),
        cmocka_unit_test_setup_teardown(a_bad_signature_is_refused_at_begin_before_anything_is_erased, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_bundle_scoped_to_another_device_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(a_model_id_that_differs_from_the_manifest_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_deployment_members_are_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
