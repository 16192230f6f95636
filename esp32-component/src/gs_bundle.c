#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gs_bundle.h"
#include "gs_contract.h"

/* ------------------------------------------------------------------ protobuf wire format */

typedef struct {
    const uint8_t *p;
    const uint8_t *end;
} cursor_t;

static int read_varint(cursor_t *c, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (c->p >= c->end) {
            return -1;
        }
        uint8_t b = *c->p++;
        v |= (uint64_t)(b & 0x7Fu) << shift;
        if (!(b & 0x80u)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

/* Reads the next field; length-delimited values come back as a slice, others are skipped
 * (wire types 0, 1, 5 are returned in *varint for type 0). */
static int next_field(cursor_t *c, uint32_t *field, uint32_t *wire, uint64_t *varint,
                      const uint8_t **data, size_t *len)
{
    uint64_t key;
    if (read_varint(c, &key) || (key >> 3) == 0 || (key >> 3) > UINT32_MAX) {
        return -1;
    }
    *field = (uint32_t)(key >> 3);
    *wire = (uint32_t)(key & 7u);
    switch (*wire) {
    case 0:
        return read_varint(c, varint);
    case 1:
    case 5: {
        size_t n = *wire == 1 ? 8u : 4u;
        if ((size_t)(c->end - c->p) < n) {
            return -1;
        }
        c->p += n;
        return 0;
    }
    case 2: {
        uint64_t n;
        if (read_varint(c, &n) || n > (uint64_t)(c->end - c->p)) {
            return -1;
        }
        *data = c->p;
        *len = (size_t)n;
        c->p += n;
        return 0;
    }
    default:
        return -1; /* groups (3, 4) are not proto3 */
    }
}

static gs_err_t parse_part(const uint8_t *p, size_t len, gs_bundle_part_t *out)
{
    cursor_t c = {p, p + len};
    memset(out, 0, sizeof(*out));
    while (c.p < c.end) {
        uint32_t f, w;
        uint64_t v;
        const uint8_t *d = NULL;
        size_t n = 0;
        if (next_field(&c, &f, &w, &v, &d, &n)) {
            return GS_ERR_INVALID_ARG;
        }
        if (f == 1 && w == 2) {
            out->name = (const char *)d, out->name_len = n;
        } else if (f == 2 && w == 2) {
            out->data = d, out->size = n;
        }
    }
    return GS_OK;
}

gs_err_t gs_bundle_parse(const uint8_t *payload, size_t len, gs_bundle_t *out)
{
    if (!out || (!payload && len)) {
        return GS_ERR_INVALID_ARG;
    }
    memset(out, 0, sizeof(*out));
    cursor_t c = {payload, payload + len};
    while (c.p < c.end) {
        uint32_t f, w;
        uint64_t v = 0;
        const uint8_t *d = NULL;
        size_t n = 0;
        if (next_field(&c, &f, &w, &v, &d, &n)) {
            return GS_ERR_INVALID_ARG;
        }
        if (f == 1 && w == 0) {
            out->format_version = (uint32_t)v;
        } else if (f == 2 && w == 2) {
            out->model_id = (const char *)d, out->model_id_len = n;
        } else if (f == 3 && w == 2) {
            out->manifest = d, out->manifest_len = n;
        } else if (f == 4 && w == 2) {
            if (out->part_count >= GS_BUNDLE_MAX_PARTS) {
                return GS_ERR_TOO_LARGE;
            }
            if (parse_part(d, n, &out->parts[out->part_count]) != GS_OK) {
                return GS_ERR_INVALID_ARG;
            }
            out->part_count++;
        }
    }
    return out->manifest_len > 0 ? GS_OK : GS_ERR_INVALID_ARG;
}

const gs_bundle_part_t *gs_bundle_find(const gs_bundle_t *b, const char *name)
{
    if (!b || !name) {
        return NULL;
    }
    size_t n = strlen(name);
    for (size_t i = 0; i < b->part_count; i++) {
        if (b->parts[i].name_len == n && memcmp(b->parts[i].name, name, n) == 0) {
            return &b->parts[i];
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------ JSON (subset reader) */

/* A value is located as a [p, end) slice of the document; nothing is copied or allocated.
 * Strings are compared raw (the manifest's keys and values are plain ASCII). */
typedef struct {
    const char *p;
    const char *end;
} span_t;

#define JSON_MAX_DEPTH 16

static void ws(span_t *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')) {
        s->p++;
    }
}

static int skip_string(span_t *s)
{
    if (s->p >= s->end || *s->p != '"') {
        return -1;
    }
    for (s->p++; s->p < s->end; s->p++) {
        if (*s->p == '\\') {
            s->p++;
        } else if (*s->p == '"') {
            s->p++;
            return 0;
        }
    }
    return -1;
}

static int skip_value(span_t *s, int depth)
{
    ws(s);
    if (s->p >= s->end || depth > JSON_MAX_DEPTH) {
        return -1;
    }
    char ch = *s->p;
    if (ch == '"') {
        return skip_string(s);
    }
    if (ch == '{' || ch == '[') {
        char close = ch == '{' ? '}' : ']';
        s->p++;
        ws(s);
        if (s->p < s->end && *s->p == close) {
            s->p++;
            return 0;
        }
        for (;;) {
            if (ch == '{') {
                ws(s);
                if (skip_string(s)) {
                    return -1;
                }
                ws(s);
                if (s->p >= s->end || *s->p++ != ':') {
                    return -1;
                }
            }
            if (skip_value(s, depth + 1)) {
                return -1;
            }
            ws(s);
            if (s->p >= s->end) {
                return -1;
            }
            if (*s->p == ',') {
                s->p++;
                continue;
            }
            if (*s->p == close) {
                s->p++;
                return 0;
            }
            return -1;
        }
    }
    /* number, true, false, null */
    const char *start = s->p;
    while (s->p < s->end && (strchr("+-.eE", *s->p) || (*s->p >= '0' && *s->p <= '9') ||
                             (*s->p >= 'a' && *s->p <= 'z'))) {
        s->p++;
    }
    return s->p > start ? 0 : -1;
}

/* Finds the first top-level member `key` of the well-formed object `obj` and counts how often
 * the key occurs; *count 0 = absent. */
static int find_member(span_t obj, const char *key, span_t *val, unsigned *count)
{
    size_t klen = strlen(key);
    *count = 0;
    ws(&obj);
    if (obj.p >= obj.end || *obj.p != '{') {
        return -1;
    }
    obj.p++;
    for (;;) {
        ws(&obj);
        if (obj.p >= obj.end) {
            return -1;
        }
        if (*obj.p == '}') {
            return 0;
        }
        const char *k = obj.p + 1;
        if (skip_string(&obj)) {
            return -1;
        }
        size_t n = (size_t)(obj.p - 1 - k);
        ws(&obj);
        if (obj.p >= obj.end || *obj.p++ != ':') {
            return -1;
        }
        ws(&obj);
        const char *v = obj.p;
        if (skip_value(&obj, 1)) {
            return -1;
        }
        if (n == klen && memcmp(k, key, n) == 0 && (*count)++ == 0) {
            val->p = v;
            val->end = obj.p;
        }
        ws(&obj);
        if (obj.p < obj.end && *obj.p == ',') {
            obj.p++;
        }
    }
}

/* Finds `key` among the members of the object `obj` (the first, when it repeats); *val is the
 * value's slice. -1 when absent or the object is malformed. */
static int find_key(span_t obj, const char *key, span_t *val)
{
    unsigned count;
    return find_member(obj, key, val, &count) == 0 && count > 0 ? 0 : -1;
}

static int to_double(span_t v, double *out)
{
    char tmp[40];
    size_t n = (size_t)(v.end - v.p);
    if (n == 0 || n >= sizeof(tmp)) {
        return -1;
    }
    memcpy(tmp, v.p, n);
    tmp[n] = '\0';
    char *e = NULL;
    double d = strtod(tmp, &e);
    if (e != tmp + n || !isfinite(d)) {
        return -1;
    }
    *out = d;
    return 0;
}

static int get_number(span_t obj, const char *key, double *out)
{
    span_t v;
    return find_key(obj, key, &v) ? -1 : to_double(v, out);
}

static int get_uint(span_t obj, const char *key, uint32_t *out)
{
    double d;
    if (get_number(obj, key, &d) || d < 0 || d > 1e9 || d != floor(d)) {
        return -1;
    }
    *out = (uint32_t)d;
    return 0;
}

/* Copies a string value without its quotes (no escapes expected in ids and part names). */
static int get_string(span_t obj, const char *key, char *out, size_t cap)
{
    span_t v;
    if (find_key(obj, key, &v) || v.end - v.p < 2 || *v.p != '"') {
        return -1;
    }
    size_t n = (size_t)(v.end - v.p) - 2;
    if (n >= cap || memchr(v.p + 1, '\\', n)) {
        return -1;
    }
    memcpy(out, v.p + 1, n);
    out[n] = '\0';
    return 0;
}

static int get_floats(span_t obj, const char *key, float *out, uint32_t cap, uint32_t *count)
{
    span_t v;
    if (find_key(obj, key, &v) || *v.p != '[') {
        return -1;
    }
    v.p++;
    *count = 0;
    for (;;) {
        ws(&v);
        if (v.p < v.end && *v.p == ']') {
            return 0;
        }
        span_t item = v;
        if (skip_value(&v, 1)) {
            return -1;
        }
        item.end = v.p;
        double d;
        if (*count >= cap || to_double(item, &d)) {
            return -1;
        }
        out[(*count)++] = (float)d;
        ws(&v);
        if (v.p < v.end && *v.p == ',') {
            v.p++;
        }
    }
}

/* The index in `names` of the string member `key`; 0 when absent. */
static gs_err_t get_choice(span_t obj, const char *key, const char *const *names, int n, int *out)
{
    span_t v;
    *out = 0;
    if (find_key(obj, key, &v)) {
        return GS_OK;
    }
    char text[24];
    if (get_string(obj, key, text, sizeof(text))) {
        return GS_ERR_INVALID_ARG;
    }
    for (int i = 0; i < n; i++) {
        if (strcmp(text, names[i]) == 0) {
            *out = i;
            return GS_OK;
        }
    }
    return GS_ERR_UNSUPPORTED;
}

gs_err_t gs_manifest_parse(const uint8_t *json, size_t len, gs_manifest_t *out)
{
    if (!json || !out) {
        return GS_ERR_INVALID_ARG;
    }
    memset(out, 0, sizeof(*out));
    span_t doc = {(const char *)json, (const char *)json + len};
    span_t check = doc;
    if (skip_value(&check, 0)) {
        return GS_ERR_INVALID_ARG; /* not one well-formed JSON value */
    }
    char format[40];
    uint32_t version = 0;
    if (get_string(doc, "format", format, sizeof(format)) || get_uint(doc, "formatVersion", &version)) {
        return GS_ERR_INVALID_ARG;
    }
    if (strcmp(format, GS_MANIFEST_FORMAT) != 0 || (version != 1 && version != 2)) {
        return GS_ERR_UNSUPPORTED;
    }
    if (get_string(doc, "model", out->model_part, sizeof(out->model_part))) {
        snprintf(out->model_part, sizeof(out->model_part), "%s", "model.tflite");
    }
    (void)get_string(doc, "modelId", out->model_id, sizeof(out->model_id));
    /* Optional members naming a behaviour: absent = the first choice; a value this firmware does
     * not know is refused (GS_ERR_UNSUPPORTED), never guessed. */
    static const char *const k_output[] = {"reconstruction", "channel_scores"};
    static const char *const k_dc[] = {"keep", "remove"};
    int output = 0, dc = 0;
    gs_err_t choice = get_choice(doc, "output", k_output, 2, &output);
    if (choice == GS_OK) {
        choice = get_choice(doc, "dc", k_dc, 2, &dc);
    }
    if (choice != GS_OK) {
        return choice;
    }
    out->output = output == 1 ? GS_MODEL_OUTPUT_CHANNEL_SCORES : GS_MODEL_OUTPUT_RECONSTRUCTION;
    out->remove_dc = dc == 1;
    double rate = 0;
    if (!get_number(doc, "sampleRateHz", &rate) && rate > 0) {
        out->sample_rate_hz = (float)rate;
    }
    uint32_t nm = 0, ns = 0;
    span_t th;
    double threshold;
    if (get_uint(doc, "window", &out->window) || get_uint(doc, "stride", &out->stride) ||
        get_uint(doc, "channels", &out->channels) ||
        get_floats(doc, "mean", out->mean, GS_MANIFEST_MAX_CHANNELS, &nm) ||
        get_floats(doc, "std", out->std, GS_MANIFEST_MAX_CHANNELS, &ns) ||
        find_key(doc, "threshold", &th) || get_number(th, "value", &threshold)) {
        return GS_ERR_INVALID_ARG;
    }
    if (out->window < 2 || out->window > 256 || out->stride < 1 || out->stride > out->window ||
        out->channels < 1 || out->channels > GS_MANIFEST_MAX_CHANNELS || nm != out->channels ||
        ns != out->channels || threshold < 0 || threshold > 3.4e38) {
        return GS_ERR_INVALID_ARG;
    }
    for (uint32_t c = 0; c < out->channels; c++) {
        if (!(out->std[c] > 0.0f) || !isfinite(out->mean[c])) {
            return GS_ERR_INVALID_ARG;
        }
    }
    out->threshold = (float)threshold;
    return GS_OK;
}

/* ------------------------------------------------------------------ deployment members */

/* A string value without escapes: its contents between the quotes. */
static int plain_string(span_t v, const char **out, size_t *len)
{
    size_t n = (size_t)(v.end - v.p);
    if (n < 2 || v.p[0] != '"' || v.end[-1] != '"' || memchr(v.p + 1, '\\', n - 2)) {
        return -1;
    }
    *out = v.p + 1;
    *len = n - 2;
    return 0;
}

gs_err_t gs_manifest_parse_deploy(const uint8_t *json, size_t len, gs_manifest_deploy_t *out,
                                  const char **field, const char **message)
{
    const char *unused_field, *unused_message;
    field = field ? field : &unused_field;
    message = message ? message : &unused_message;
    *field = "";
    *message = "";
    if (!out || (!json && len)) {
        return GS_ERR_INVALID_ARG;
    }
    memset(out, 0, sizeof(*out));
    span_t doc = {(const char *)json, (const char *)json + len};
    span_t check = doc;
    ws(&check);
    if (check.p >= check.end || *check.p != '{' || skip_value(&check, 0) ||
        (ws(&check), check.p != check.end)) {
        *field = "model_begin.manifest";
        *message = GS_MSG_MANIFEST_NOT_OBJECT;
        return GS_ERR_INVALID_ARG;
    }
    span_t v;
    unsigned count;
    if (find_member(doc, "modelId", &v, &count) || count > 1 ||
        (count == 1 && plain_string(v, &out->model_id, &out->model_id_len))) {
        *field = "manifest.modelId";
        *message = GS_MSG_MANIFEST_MODEL_ID;
        return GS_ERR_INVALID_ARG;
    }
    if (find_member(doc, "scope", &v, &count) || count > 1 ||
        (count == 1 && plain_string(v, &out->scope, &out->scope_len))) {
        *field = "manifest.scope";
        *message = GS_MSG_MANIFEST_SCOPE;
        return GS_ERR_INVALID_ARG;
    }
    if (find_member(doc, "version", &v, &count) || count > 1) {
        goto bad_version;
    }
    if (count == 1) {
        size_t n = (size_t)(v.end - v.p);
        uint64_t ver = 0;
        if (n == 0 || n > 10 || (n > 1 && v.p[0] == '0')) {
            goto bad_version;
        }
        for (size_t i = 0; i < n; i++) {
            if (v.p[i] < '0' || v.p[i] > '9') {
                goto bad_version;
            }
            ver = ver * 10u + (uint64_t)(v.p[i] - '0');
        }
        if (ver > UINT32_MAX) {
            goto bad_version;
        }
        out->version = (uint32_t)ver;
    }
    if (find_member(doc, "downgrade", &v, &count) || count > 1) {
        goto bad_downgrade;
    }
    if (count == 1) {
        size_t n = (size_t)(v.end - v.p);
        if (n == 4 && memcmp(v.p, "true", 4) == 0) {
            out->downgrade = true;
        } else if (!(n == 5 && memcmp(v.p, "false", 5) == 0)) {
            goto bad_downgrade;
        }
    }
    return GS_OK;
bad_version:
    *field = "manifest.version";
    *message = GS_MSG_MANIFEST_VERSION;
    return GS_ERR_INVALID_ARG;
bad_downgrade:
    *field = "manifest.downgrade";
    *message = GS_MSG_MANIFEST_DOWNGRADE;
    return GS_ERR_INVALID_ARG;
}
