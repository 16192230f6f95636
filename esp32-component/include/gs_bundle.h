/*
 * Model bundle payload and manifest, as the device reads them back from a model slot.
 *
 * The payload is the serialized BundlePayload of proto/gyrosentinel/v1/bundle.proto (what
 * ModelBegin/ModelChunk transfer and what is hashed and signed). It is read with a minimal
 * protobuf wire-format walker rather than generated code: parts are returned as slices of the
 * payload buffer (zero copy, no size limit from .options), and unknown fields are skipped.
 *
 * The manifest is the UTF-8 JSON that sdk-training's packager writes (format
 * "gyrosentinel.tflite-autoencoder" v1); only the fields inference needs are read, with a
 * small allocation-free JSON scanner.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gs_err.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GS_BUNDLE_MAX_PARTS 8u
#define GS_MANIFEST_MAX_CHANNELS 3u
#define GS_MANIFEST_FORMAT "gyrosentinel.tflite-autoencoder"

typedef struct {
    const char *name;       /**< not NUL-terminated */
    size_t name_len;
    const uint8_t *data;
    size_t size;
} gs_bundle_part_t;

typedef struct {
    uint32_t format_version;
    const char *model_id;   /**< not NUL-terminated */
    size_t model_id_len;
    const uint8_t *manifest;
    size_t manifest_len;
    gs_bundle_part_t parts[GS_BUNDLE_MAX_PARTS];
    size_t part_count;
} gs_bundle_t;

/**
 * Parse a BundlePayload. Slices point into `payload`, which must outlive `out`.
 * GS_ERR_INVALID_ARG when the bytes are not a well-formed BundlePayload, GS_ERR_TOO_LARGE
 * with more than GS_BUNDLE_MAX_PARTS parts.
 */
gs_err_t gs_bundle_parse(const uint8_t *payload, size_t len, gs_bundle_t *out);

/** The part called `name`, or NULL. */
const gs_bundle_part_t *gs_bundle_find(const gs_bundle_t *bundle, const char *name);

/** What a model returns for a window (manifest member "output"). */
typedef enum {
    /** "reconstruction" (the default): window x channels values; score = mean squared error. */
    GS_MODEL_OUTPUT_RECONSTRUCTION = 0,
    /** "channel_scores": `channels` values, each channel's share of the score; score = their mean
     *  (the statistical families: features-mahalanobis, features-pca). */
    GS_MODEL_OUTPUT_CHANNEL_SCORES = 1,
} gs_model_output_t;

typedef struct {
    char model_id[48];
    char model_part[32];    /**< name of the TFLite part ("model.tflite") */
    gs_model_output_t output; /**< "output"; absent = GS_MODEL_OUTPUT_RECONSTRUCTION */
    bool remove_dc;           /**< "dc": "remove" (formatVersion 2): each window's per-channel mean is
                                   subtracted after the normalisation, before the model */
    uint32_t window;        /**< samples per window */
    uint32_t stride;        /**< samples between window starts (<= window) */
    uint32_t channels;      /**< 1 .. GS_MANIFEST_MAX_CHANNELS */
    float sample_rate_hz;   /**< 0 when absent */
    float mean[GS_MANIFEST_MAX_CHANNELS]; /**< per channel, physical units (dps) */
    float std[GS_MANIFEST_MAX_CHANNELS];  /**< per channel, > 0 */
    float threshold;        /**< threshold.value, normalised MSE */
} gs_manifest_t;

/**
 * Parse and check the manifest JSON: format and formatVersion, window 2..256, 1 <= stride <=
 * window, channels 1..3 with as many mean/std values, std > 0, a finite threshold >= 0, and
 * "output" absent, "reconstruction" or "channel_scores"; formatVersion 1 or 2 and "dc" absent,
 * "keep" or "remove" (another value: GS_ERR_UNSUPPORTED).
 * GS_ERR_INVALID_ARG (malformed or out of range) or GS_ERR_UNSUPPORTED (other format).
 */
gs_err_t gs_manifest_parse(const uint8_t *json, size_t len, gs_manifest_t *out);

/**
 * The manifest members a device checks at ModelBegin, before anything is erased (docs/protocol.md
 * §3.2, docs/model-bundle.md). All are optional. String values are slices of the JSON (between
 * the quotes, not NUL-terminated) and must outlive nothing but the JSON itself.
 */
typedef struct {
    const char *model_id;   /**< "modelId", or NULL when absent */
    size_t model_id_len;
    const char *scope;      /**< "scope": the one device id this bundle is for; NULL when absent */
    size_t scope_len;       /**< 0 (absent or "") = any device */
    uint32_t version;       /**< "version": monotonic model version, 0 when absent */
    bool downgrade;         /**< "downgrade": true = may go below the highest accepted version */
} gs_manifest_deploy_t;

/**
 * Reads the deployment members of a manifest: the document must be one JSON object (surrounding
 * whitespace allowed, nothing after it); "modelId" and "scope" strings without escapes; "version" an
 * integer 0..4294967295 written with digits only; "downgrade" true or false; none of the four
 * twice. Other members are not looked at (gs_manifest_parse checks those the runtime needs).
 * GS_ERR_INVALID_ARG with *field set to the offending member ("model_begin.manifest" when the
 * document itself is malformed, "manifest.version", ...) and *message to a static explanation.
 */
gs_err_t gs_manifest_parse_deploy(const uint8_t *json, size_t len, gs_manifest_deploy_t *out,
                                  const char **field, const char **message);

#ifdef __cplusplus
}
#endif
