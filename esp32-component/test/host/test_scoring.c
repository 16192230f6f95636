/* Scoring: windows and hop, normalisation, MSE, threshold and event hysteresis. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "gs_scoring.h"

static gs_err_t identity(void *ctx, const float *in, float *out, uint32_t w, uint32_t ch)
{
    (void)ctx;
    memcpy(out, in, (size_t)w * ch * sizeof(float));
    return GS_OK;
}
static gs_err_t zeros(void *ctx, const float *in, float *out, uint32_t w, uint32_t ch)
{
    (void)ctx;
    (void)in;
    memset(out, 0, (size_t)w * ch * sizeof(float));
    return GS_OK;
}
static gs_err_t failing(void *ctx, const float *in, float *out, uint32_t w, uint32_t ch)
{
    (void)ctx; (void)in; (void)out; (void)w; (void)ch;
    return GS_ERR_UNSUPPORTED;
}
/* A statistical model: writes its channel scores (2 and 6 for two channels) at the start of `out`. */
static gs_err_t channel_scores(void *ctx, const float *in, float *out, uint32_t w, uint32_t ch)
{
    (void)ctx; (void)in; (void)w;
    for (uint32_t k = 0; k < ch; k++) {
        out[k] = 2.0f + 4.0f * (float)k;
    }
    return GS_OK;
}
static const gs_model_ops_t k_channel_scores = {.reconstruct = channel_scores};
static const gs_model_ops_t k_identity = {.reconstruct = identity};
static const gs_model_ops_t k_zeros = {.reconstruct = zeros};
static const gs_model_ops_t k_failing = {.reconstruct = failing};

static gs_scoring_config_t base(void)
{
    gs_scoring_config_t c = {
        .axes_mask = 1, .window = 2, .hop = 2, .scale = 1.0f,
        .mean = {0, 0, 0}, .std = {1, 1, 1}, .threshold = 1.0f, .exit_ratio = 0.5f,
        .enter_windows = 1, .exit_windows = 1,
    };
    return c;
}

static gs_sample_t smp(uint64_t t, int16_t x, int16_t y, int16_t z)
{
    gs_sample_t s = {.timestamp_us = t, .xyz = {x, y, z}};
    return s;
}

static void windows_slide_by_hop_with_true_timestamps(void **state)
{
    (void)state;
    gs_scoring_config_t c = base();
    c.window = 4;
    c.hop = 2;
    gs_model_t m = {.ops = &k_identity, .model_id = "id-model"};
    gs_scorer_handle_t s;
    assert_int_equal(gs_scorer_create(&c, &m, &s), GS_OK);
    static gs_scoring_output_t o;
    int results = 0;
    for (int i = 0; i < 10; i++) {
        gs_sample_t x = smp(1000 + (uint64_t)i * 100, (int16_t)(i * 7), 0, 0);
        assert_int_equal(gs_scorer_add(s, &x, &o), GS_OK);
        if (o.has_result) {
            assert_int_equal(i % 2, 1);
            assert_true(i >= 3);
            assert_int_equal(o.result.window, results);
            assert_int_equal(o.result.start_timestamp_us, 1000 + (uint64_t)(i - 3) * 100);
            assert_int_equal(o.result.end_timestamp_us, 1000 + (uint64_t)i * 100);
            assert_true(o.result.score == 0.0f);
            assert_false(o.result.anomalous);
            assert_string_equal(o.result.model_id, "id-model");
            results++;
        }
    }
    assert_int_equal(results, 4);
    gs_scorer_destroy(s);
}

static void score_is_mse_of_normalised_channels(void **state)
{
    (void)state;
    gs_scoring_config_t c = base();
    c.axes_mask = 6; /* Y and Z */
    c.scale = 0.5f;
    c.mean[1] = 1.0f;
    c.std[1] = 2.0f;
    c.mean[2] = -1.0f;
    c.std[2] = 0.5f;
    gs_model_t m = {.ops = &k_zeros};
    gs_scorer_handle_t s;
    assert_int_equal(gs_scorer_create(&c, &m, &s), GS_OK);
    static gs_scoring_output_t o;
    /* Y: (10*0.5 - 1)/2 = 2 -> 4 ; Z: (-4*0.5 + 1)/0.5 = -2 -> 4 and (0+1)/0.5 = 2 -> 4 */
    gs_sample_t a = smp(0, 999, 10, -4), b = smp(1, 999, 10, 0);
    gs_scorer_add(s, &a, &o);
    assert_false(o.has_result);
    gs_scorer_add(s, &b, &o);
    assert_true(o.has_result);
    assert_int_equal(o.result.channel_error_count, 2);
    assert_float_equal(o.result.channel_error[0], 4.0f, 1e-6);
    assert_float_equal(o.result.channel_error[1], 4.0f, 1e-6);
    assert_float_equal(o.result.score, 4.0f, 1e-6);
    assert_true(o.result.anomalous);
    gs_scorer_destroy(s);
}

/* A model whose output is the channel scores (manifest "output": "channel_scores"): they are the
 * result's channel errors and the score is their mean, not an MSE against the input. */
static void channel_score_models_report_their_own_scores(void **state)
{
    (void)state;
    gs_scoring_config_t c = base();
    c.axes_mask = 3;
    c.threshold = 3.0f;
    gs_model_t m = {.ops = &k_channel_scores, .model_id = "pca", .output = 1};
    gs_scorer_handle_t s;
    assert_int_equal(gs_scorer_create(&c, &m, &s), GS_OK);
    static gs_scoring_output_t o;
    gs_sample_t a = smp(0, 100, -100, 0), b = smp(1, 50, 7, 0);
    gs_scorer_add(s, &a, &o);
    gs_scorer_add(s, &b, &o);
    assert_true(o.has_result);
    assert_int_equal(o.result.channel_error_count, 2);
    assert_float_equal(o.result.channel_error[0], 2.0f, 1e-6);
    assert_float_equal(o.result.channel_error[1], 6.0f, 1e-6);
    assert_float_equal(o.result.score, 4.0f, 1e-6);
    assert_true(o.result.anomalous);
    gs_scorer_destroy(s);
    /* the same model read as a reconstruction would have scored the input's MSE instead */
    float in[4] = {100, -100, 50, 7}, out[4] = {2, 6, 0, 0}, ce[2], score;
    gs_model_t recon = {.ops = &k_channel_scores};
    gs_scoring_window(&recon, in, out, 2, 2, ce, &score);
    assert_true(score > 1000.0f);
}

/* DC removal (manifest "dc": "remove"): the window's own mean is taken out after the
 * normalisation, so a static offset does not change the score. With the zero model the score
 * is then the window's variance. */
static void dc_removal_takes_each_windows_mean_out(void **state)
{
    (void)state;
    gs_scoring_config_t c = base();
    gs_model_t m = {.ops = &k_zeros, .model_id = "dc", .remove_dc = true};
    gs_scorer_handle_t s;
    assert_int_equal(gs_scorer_create(&c, &m, &s), GS_OK);
    static gs_scoring_output_t o;
    const int16_t offsets[] = {0, 100, -250};
    for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
        gs_sample_t a = smp(2 * i, (int16_t)(offsets[i] + 3), 0, 0);
        gs_sample_t b = smp(2 * i + 1, (int16_t)(offsets[i] + 5), 0, 0);
        gs_scorer_add(s, &a, &o);
        gs_scorer_add(s, &b, &o);
        assert_true(o.has_result);
        assert_float_equal(o.result.score, 1.0f, 1e-6); /* (-1)^2 and 1^2 */
    }
    gs_scorer_destroy(s);
    m.remove_dc = false;
    assert_int_equal(gs_scorer_create(&c, &m, &s), GS_OK);
    gs_sample_t a = smp(0, 103, 0, 0), b = smp(1, 105, 0, 0);
    gs_scorer_add(s, &a, &o);
    gs_scorer_add(s, &b, &o);
    assert_float_equal(o.result.score, (103.0f * 103 + 105.0f * 105) / 2, 1e-2);
    gs_scorer_destroy(s);
}

/* One window per value: with the zero model, window 2 / hop 2 and unit normalisation, a
 * window of raw value v scores v * v. */
static void events_open_and_close_with_hysteresis(void **state)
{
    (void)state;
    gs_scoring_config_t c = base();
    c.enter_windows = 2;
    c.exit_windows = 3;
    gs_model_t m = {.ops = &k_zeros, .model_id = "fan-1"};
    gs_scorer_handle_t s;
    assert_int_equal(gs_scorer_create(&c, &m, &s), GS_OK);
    /* scores: 0 4 0 4 4* 1 0 0 9 0 0 0*  (threshold 1, calm below 0.5) */
    const int16_t v[] = {0, 2, 0, 2, 2, 1, 0, 0, 3, 0, 0, 0};
    static gs_scoring_output_t o;
    int events = 0;
    for (int w = 0; w < 12; w++) {
        for (int k = 0; k < 2; k++) {
            gs_sample_t x = smp((uint64_t)(w * 2 + k) * 10, v[w], 0, 0);
            assert_int_equal(gs_scorer_add(s, &x, &o), GS_OK);
        }
        assert_true(o.has_result);
        if (w == 4) {
            assert_true(o.has_event);
            assert_int_equal(o.event.state, gyrosentinel_v1_AnomalyEvent_State_STARTED);
            assert_int_equal(o.event.event_id, 1);
            assert_int_equal(o.event.start_timestamp_us, 60); /* window 3 = samples 6, 7 */
            assert_int_equal(o.event.end_timestamp_us, 0);
            assert_int_equal(o.event.windows, 2);
            assert_string_equal(o.event.model_id, "fan-1");
            events++;
        } else if (w == 11) {
            assert_true(o.has_event);
            assert_int_equal(o.event.state, gyrosentinel_v1_AnomalyEvent_State_ENDED);
            assert_int_equal(o.event.event_id, 1);
            assert_int_equal(o.event.start_timestamp_us, 60);
            assert_int_equal(o.event.end_timestamp_us, 230);
            assert_float_equal(o.event.peak_score, 9.0f, 1e-6);
            assert_int_equal(o.event.peak_timestamp_us, 160);
            assert_int_equal(o.event.windows, 9);
            /* the explanation: the peak window's channel errors (one channel, = the peak score) */
            assert_int_equal(o.event.peak_channel_error_count, 1);
            assert_float_equal(o.event.peak_channel_error[0], 9.0f, 1e-6);
            events++;
        } else {
            assert_false(o.has_event);
        }
    }
    assert_int_equal(events, 2);
    gs_scorer_destroy(s);
}

static void model_errors_are_returned_and_the_window_still_slides(void **state)
{
    (void)state;
    gs_scoring_config_t c = base();
    gs_model_t m = {.ops = &k_failing};
    gs_scorer_handle_t s;
    assert_int_equal(gs_scorer_create(&c, &m, &s), GS_OK);
    static gs_scoring_output_t o;
    gs_sample_t x = smp(0, 1, 1, 1);
    for (int i = 0; i < 6; i++) {
        gs_err_t err = gs_scorer_add(s, &x, &o);
        assert_int_equal(err, i % 2 ? GS_ERR_UNSUPPORTED : GS_OK);
        assert_false(o.has_result);
    }
    gs_scorer_destroy(s);
}

static void invalid_configurations_are_rejected(void **state)
{
    (void)state;
    gs_model_t m = {.ops = &k_identity};
    gs_scorer_handle_t s;
    gs_scoring_config_t c = base();
    c.hop = 3;
    assert_int_equal(gs_scorer_create(&c, &m, &s), GS_ERR_INVALID_ARG);
    c = base();
    c.std[0] = 0.0f;
    assert_int_equal(gs_scorer_create(&c, &m, &s), GS_ERR_INVALID_ARG);
    c = base();
    c.window = GS_SCORING_MAX_WINDOW + 1;
    c.hop = 1;
    assert_int_equal(gs_scorer_create(&c, &m, &s), GS_ERR_INVALID_ARG);
    c = base();
    c.exit_ratio = 1.5f;
    assert_int_equal(gs_scorer_create(&c, &m, &s), GS_ERR_INVALID_ARG);
    c = base();
    assert_int_equal(gs_scorer_create(&c, NULL, &s), GS_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(windows_slide_by_hop_with_true_timestamps),
        cmocka_unit_test(score_is_mse_of_normalised_channels),
        cmocka_unit_test(channel_score_models_report_their_own_scores),
        cmocka_unit_test(dc_removal_takes_each_windows_mean_out),
        cmocka_unit_test(events_open_and_close_with_hysteresis),
        cmocka_unit_test(model_errors_are_returned_and_the_window_still_slides),
        cmocka_unit_test(invalid_configurations_are_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
