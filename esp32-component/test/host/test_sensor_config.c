/* The device contract's configuration checks as pure functions (gs_sensor_config.c). The same cases run end to end
 * against both devices in the Java DeviceContract suite; these pin the C functions down on their own. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "gs_sensor_config.h"

static void rates_snap_to_the_nearest_and_ties_go_lower(void **state)
{
    (void)state;
    assert_true(gs_sensor_config_nearest_odr(1000.0f) == 960.0f);
    assert_true(gs_sensor_config_nearest_odr(1666.0f) == 1920.0f);
    assert_true(gs_sensor_config_nearest_odr(2880.0f) == 1920.0f); /* midway between 1920 and 3840 */
    assert_true(gs_sensor_config_nearest_odr(11.25f) == 7.5f);    /* midway between 7.5 and 15 */
    assert_true(gs_sensor_config_nearest_odr(3840.0f) == 3840.0f);
}

static void the_period_is_the_rounded_sensor_period_times_the_decimation(void **state)
{
    (void)state;
    assert_int_equal(gs_sensor_config_period_ns(960.0f, 4), 4166668);
    assert_int_equal(gs_sensor_config_period_ns(3840.0f, 1), 260417);
    assert_int_equal(gs_sensor_config_max_batch(7), 256);
    assert_int_equal(gs_sensor_config_max_batch(1), 768);
}

static void merge_keeps_zero_fields_and_refuses_the_first_bad_one(void **state)
{
    (void)state;
    gs_sensor_config_t cur = GS_SENSOR_CONFIG_DEFAULT();
    gs_sensor_config_t req = {.batch_size = 10};
    gs_sensor_config_t next;
    gs_config_error_t why;
    assert_int_equal(gs_sensor_config_merge(&cur, &req, &next, &why), GS_OK);
    assert_int_equal(next.batch_size, 10);
    assert_true(next.odr_hz == GS_DEFAULT_ODR_HZ);
    assert_int_equal(next.full_scale_dps, GS_DEFAULT_FULL_SCALE_DPS);

    gs_sensor_config_t bad = {.odr_hz = 7.5f, .decimation = 33};
    next.batch_size = 99;
    assert_int_equal(gs_sensor_config_merge(&cur, &bad, &next, &why), GS_ERR_INVALID_ARG);
    assert_string_equal(why.field, "configure.decimation");
    assert_string_equal(why.message, "decimation 33 at 7.5 Hz puts samples more than 4.29 s apart");
    assert_int_equal(next.batch_size, 99); /* untouched on failure */
    bad = (gs_sensor_config_t){.odr_hz = 7.5f, .decimation = 32};
    assert_int_equal(gs_sensor_config_merge(&cur, &bad, &next, &why), GS_OK);

    struct {
        gs_sensor_config_t req;
        const char *field;
        const char *message;
    } cases[] = {
        {{.odr_hz = 7.4f}, "configure.odr_hz", GS_MSG_ODR_RANGE},
        {{.odr_hz = NAN}, "configure.odr_hz", GS_MSG_ODR_RANGE},
        {{.full_scale_dps = 300}, "configure.full_scale_dps", GS_MSG_FULL_SCALE},
        {{.axes_mask = 8}, "configure.axes_mask", GS_MSG_AXES_MASK},
        {{.decimation = GS_DECIMATION_MAX + 1}, "configure.decimation", GS_MSG_DECIMATION_RANGE},
        {{.batch_size = 257}, "configure.batch_size", "batch_size must be within 1 .. 256 for 3 axes"},
        {{.axes_mask = 1, .batch_size = 769}, "configure.batch_size", "batch_size must be within 1 .. 768 for 1 axes"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(gs_sensor_config_merge(&cur, &cases[i].req, &next, &why), GS_ERR_INVALID_ARG);
        assert_string_equal(why.field, cases[i].field);
        assert_string_equal(why.message, cases[i].message);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rates_snap_to_the_nearest_and_ties_go_lower),
        cmocka_unit_test(the_period_is_the_rounded_sensor_period_times_the_decimation),
        cmocka_unit_test(merge_keeps_zero_fields_and_refuses_the_first_bad_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
