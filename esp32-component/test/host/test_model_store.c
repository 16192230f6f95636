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
#include "gs_crc32.h"
#include "mbedtls/pk.h"
#include "mbedtls/ecp.h"
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/sha256.h"

#define SLOT_SIZE 65536u

typedef struct {
    char dir[64];
    gs_storage_t storage;
    gs_model_store_handle_t store;
    mbedtls_pk_context key;
    mbedtls_ctr_drbg_context drbg;
    uint8_t pub[200];
    size_t pub_len;
    uint8_t model[3][6000];
    uint32_t model_size[3];
} fx_t;

/* Fixed "entropy" so the key and signatures are the same on every run. */
static int fixed_entropy(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    for (size_t i = 0; i < len; i++) {
        out[i] = (unsigned char)(i * 31 + 7);
    }
    return 0;
}

static gs_err_t open_store(fx_t *f, bool require_sig)
{
    gs_model_store_config_t c = {
        .storage = f->storage, .public_key = f->pub, .public_key_len = f->pub_len,
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
    mbedtls_pk_init(&f->key);
    mbedtls_ctr_drbg_init(&f->drbg);
    assert_int_equal(mbedtls_ctr_drbg_seed(&f->drbg, fixed_entropy, NULL, NULL, 0), 0);
    assert_int_equal(mbedtls_pk_setup(&f->key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
    assert_int_equal(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(f->key),
                                         mbedtls_ctr_drbg_random, &f->drbg), 0);
    uint8_t der[200];
    int n = mbedtls_pk_write_pubkey_der(&f->key, der, sizeof(der));
    assert_true(n > 0);
    memcpy(f->pub, der + sizeof(der) - (size_t)n, (size_t)n); /* written at the end */
    f->pub_len = (size_t)n;
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
    mbedtls_pk_free(&f->key);
    mbedtls_ctr_drbg_free(&f->drbg);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void make_begin(fx_t *f, int m, gyrosentinel_v1_ModelBegin *b, bool sign)
{
    memset(b, 0, sizeof(*b));
    b->size = f->model_size[m];
    mbedtls_sha256_ret(f->model[m], f->model_size[m], b->sha256, 0);
    int len = snprintf((char *)b->manifest.bytes, sizeof(b->manifest.bytes),
                       "{\"model_id\":\"fan-%d\",\"window\":40}", m);
    b->manifest.size = (pb_size_t)len;
    snprintf(b->model_id, sizeof(b->model_id), "fan-%d", m);
    if (sign) {
        uint8_t digest[32];
        mbedtls_sha256_context c;
        mbedtls_sha256_init(&c);
        mbedtls_sha256_starts_ret(&c, 0);
        mbedtls_sha256_update_ret(&c, b->manifest.bytes, b->manifest.size);
        mbedtls_sha256_update_ret(&c, b->sha256, 32);
        mbedtls_sha256_finish_ret(&c, digest);
        mbedtls_sha256_free(&c);
        size_t sig_len = 0;
        assert_int_equal(mbedtls_pk_sign(&f->key, MBEDTLS_MD_SHA256, digest, 32,
                                         b->signature.bytes, &sig_len,
                                         mbedtls_ctr_drbg_random, &f->drbg), 0);
        assert_true(sig_len <= sizeof(b->signature.bytes));
        b->signature.size = (pb_size_t)sig_len;
    }
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

static void transfer(fx_t *f, int m, bool activate)
{
    static gyrosentinel_v1_ModelBegin b;
    make_begin(f, m, &b, true);
    uint32_t next = 99;
    assert_int_equal(gs_model_store_begin(f->store, &b, &next), GS_OK);
    assert_int_equal(next, 0);
    for (uint32_t off = 0; off < f->model_size[m]; off += 1024) {
        uint32_t n = f->model_size[m] - off < 1024 ? f->model_size[m] - off : 1024;
        assert_int_equal(send_chunk(f, m, off, n), GS_OK);
    }
    assert_int_equal(gs_model_store_commit(f->store, activate), GS_OK);
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
    /* Hash of other bytes. */
    make_begin(f, 1, &b, true);
    b.sha256[0] ^= 0xFF;
    assert_int_equal(gs_model_store_begin(f->store, &b, &next), GS_OK);
    assert_int_equal(send_chunk(f, 1, 0, 1), GS_OK);
    assert_int_equal(gs_model_store_commit(f->store, true), GS_ERR_HASH_MISMATCH);
    /* Manifest changed after signing. */
    make_begin(f, 1, &b, true);
    b.manifest.bytes[3] ^= 0x20;
    assert_int_equal(gs_model_store_begin(f->store, &b, &next), GS_OK);
    assert_int_equal(send_chunk(f, 1, 0, 1), GS_OK);
    assert_int_equal(gs_model_store_commit(f->store, true), GS_ERR_SIGNATURE);
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

/* Records written by firmware before calibrations were kept (version 1: no calibration fields)
 * still open with their slots. */
static void a_version_1_record_still_opens(void **state)
{
    fx_t *f = *state;
    transfer(f, 0, true);
    gs_model_store_destroy(f->store);
    char p[128];
    snprintf(p, sizeof(p), "%s/meta.bin", f->dir);
    uint8_t rec[GS_MODEL_META_MAX];
    FILE *fp = fopen(p, "rb");
    assert_non_null(fp);
    size_t n = fread(rec, 1, sizeof(rec), fp);
    fclose(fp);
    /* version 2 = version 1 fields + int32 cal_slot + calibration, then the CRC */
    size_t v1_fields = n - 4 - sizeof(int32_t) - sizeof(gs_model_calibration_t);
    uint32_t one = 1;
    memcpy(rec + 4, &one, 4);
    uint32_t crc = gs_crc32_update(0, rec, v1_fields);
    memcpy(rec + v1_fields, &crc, 4);
    fp = fopen(p, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(rec, 1, v1_fields + 4, fp), v1_fields + 4);
    fclose(fp);

    assert_int_equal(open_store(f, true), GS_OK);
    assert_int_equal(gs_model_store_active_slot(f->store), 0);
    gs_model_calibration_t got;
    assert_int_equal(gs_model_store_calibration(f->store, 0, &got), GS_ERR_EMPTY);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
