#include "gs_err.h"

const char *gs_err_to_name(gs_err_t err)
{
    switch (err) {
    case GS_OK: return "GS_OK";
    case GS_ERR_INVALID_ARG: return "GS_ERR_INVALID_ARG";
    case GS_ERR_NO_MEM: return "GS_ERR_NO_MEM";
    case GS_ERR_INVALID_STATE: return "GS_ERR_INVALID_STATE";
    case GS_ERR_ENCODE: return "GS_ERR_ENCODE";
    case GS_ERR_DECODE: return "GS_ERR_DECODE";
    case GS_ERR_FRAME_TOO_LARGE: return "GS_ERR_FRAME_TOO_LARGE";
    case GS_ERR_FRAME_COBS: return "GS_ERR_FRAME_COBS";
    case GS_ERR_FRAME_SHORT: return "GS_ERR_FRAME_SHORT";
    case GS_ERR_FRAME_CRC: return "GS_ERR_FRAME_CRC";
    case GS_ERR_UNSUPPORTED: return "GS_ERR_UNSUPPORTED";
    case GS_ERR_IO: return "GS_ERR_IO";
    case GS_ERR_TIMEOUT: return "GS_ERR_TIMEOUT";
    case GS_ERR_SENSOR: return "GS_ERR_SENSOR";
    case GS_ERR_EMPTY: return "GS_ERR_EMPTY";
    case GS_ERR_FULL: return "GS_ERR_FULL";
    case GS_ERR_CRC_MISMATCH: return "GS_ERR_CRC_MISMATCH";
    case GS_ERR_OFFSET_MISMATCH: return "GS_ERR_OFFSET_MISMATCH";
    case GS_ERR_HASH_MISMATCH: return "GS_ERR_HASH_MISMATCH";
    case GS_ERR_SIGNATURE: return "GS_ERR_SIGNATURE";
    case GS_ERR_TOO_LARGE: return "GS_ERR_TOO_LARGE";
    case GS_ERR_NO_MODEL: return "GS_ERR_NO_MODEL";
    case GS_ERR_STORAGE: return "GS_ERR_STORAGE";
    case GS_ERR_MODEL_LOAD: return "GS_ERR_MODEL_LOAD";
    case GS_ERR_VERSION: return "GS_ERR_VERSION";
    }
    return "GS_ERR_UNKNOWN";
}
