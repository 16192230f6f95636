/* Small helpers shared by the host tests (header-only to keep each test one file). */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Deterministic xorshift64*: tests must be reproducible from their seed. */
static inline uint64_t gs_test_rand(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Reads a whole file into a malloc'd buffer (tests only); NULL if missing. */
static inline uint8_t *gs_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}
