/*
 * libFuzzer target: arbitrary bytes as a bundle payload (the BundlePayload walker) and as a manifest (the JSON
 * scanner), the two parsers of a model that arrives over the link. Nothing may crash or trip ASan/UBSan, every part
 * must be a slice of the input, and a parsed manifest must hold values within its documented ranges. Seeded with
 * the packaged models of the TFLite Micro conformance fixtures.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "gs_bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gs_bundle_t b;
    if (gs_bundle_parse(data, size, &b) == GS_OK) {
        for (size_t i = 0; i < b.part_count; i++) {
            const gs_bundle_part_t *p = &b.parts[i];
            /* a part (and its name) must be a slice of the payload; an empty one may point nowhere */
            if ((p->size > 0 && (p->data < data || p->data + p->size > data + size))
                || (p->name_len > 0 && (p->name < (const char *)data || p->name + p->name_len > (const char *)data + size))) {
                abort();
            }
        }
        gs_manifest_t m;
        if (b.manifest && gs_manifest_parse(b.manifest, b.manifest_len, &m) == GS_OK) {
            if (m.window < 2 || m.window > 256 || m.stride < 1 || m.stride > m.window || m.channels < 1
                || m.channels > GS_MANIFEST_MAX_CHANNELS) {
                abort();
            }
            for (uint32_t c = 0; c < m.channels; c++) {
                if (!(m.std[c] > 0)) {
                    abort();
                }
            }
        }
    }
    /* the whole input as a manifest too */
    gs_manifest_t m2;
    (void)gs_manifest_parse(data, size, &m2);
    return 0;
}
