#!/usr/bin/env python3
"""Writes vector1.txt, the shared calibration test vector (docs/protocol.md section 3.3).

Both the C host tests (test/host/test_calibration.c) and the Java tests
(sdk-core CalibrationVectorTest) read it; the expected values are computed here with numpy,
independently of either implementation. Rerun only to change the vector.
"""
import math
import numpy as np

CH, N, WINDOW, STRIDE = 3, 400, 50, 25
OFFSET = (1.5, -2.25, 0.75)

def sample(i, c):
    return (12.5 * math.sin(2 * math.pi * (i + 7 * c) / 40) + 3.0 * math.cos(2 * math.pi * i / 13)
            + 0.25 * (((i * 31 + c * 17) % 23) - 11) + OFFSET[c])

text = [[f"{sample(i, c):.4f}" for c in range(CH)] for i in range(N)]
x = np.array([[np.float32(v) for v in row] for row in text], dtype=np.float32)
x64 = x.astype(np.float64)
mean = x64.mean(axis=0)
std = np.sqrt(((x64 - mean) ** 2).mean(axis=0))          # population std
m32, s32 = mean.astype(np.float32), std.astype(np.float32)

# Window scores with a model that reconstructs every window as zeros: MSE of the normalised
# window, per channel (double accumulation), averaged over channels.
z = ((x - m32) / s32).astype(np.float32)
wscores = []
for start in range(0, N - WINDOW + 1, STRIDE):
    w = z[start:start + WINDOW].astype(np.float64)
    wscores.append(np.float32((w ** 2).mean(axis=0).mean()))

scores = [np.float32(0.05 + 0.01 * ((k * 37) % 41) + 0.002 * k) for k in range(40)]
scores[17] = np.float32(1.25)                             # one outlier

def q_linear(vals, q):
    s = sorted(float(v) for v in vals)
    h = (len(s) - 1) * float(np.float32(q))
    i = math.floor(h)
    return np.float32(s[i] + (h - i) * (s[min(i + 1, len(s) - 1)] - s[i]))

def k_sigma(vals, k):
    v = np.array([float(a) for a in vals])
    return np.float32(v.mean() + float(np.float32(k)) * np.sqrt(((v - v.mean()) ** 2).mean()))

cases = [("quantile", 0.9, 0.0), ("quantile", 0.5, 0.0), ("quantile", 0.99, 0.0),
         ("ksigma", 0.0, 3.0), ("ksigma", 0.0, 1.5)]

def thr(vals, kind, q, k):
    return q_linear(vals, q) if kind == "quantile" else k_sigma(vals, k)

g = lambda v: repr(float(v))
with open("vector1.txt", "w") as f:
    f.write("# GyroSentinel calibration vector 1 (written by generate.py; expected values by numpy).\n")
    f.write("# samples: dps, one sample per line; scores: fixed window scores; case: kind quantile k_sigma\n")
    f.write("# expected threshold. Quantile: linear interpolation (numpy default); k-sigma: mean + k *\n")
    f.write("# population std. window_scores: a model reconstructing zeros, windows every stride.\n")
    f.write(f"channels {CH}\nwindow {WINDOW}\nstride {STRIDE}\nsamples {N}\n")
    for row in text:
        f.write(" ".join(row) + "\n")
    f.write("expect_mean " + " ".join(g(v) for v in m32) + "\n")
    f.write("expect_std " + " ".join(g(v) for v in s32) + "\n")
    f.write(f"expect_window_scores {len(wscores)}\n" + "\n".join(g(v) for v in wscores) + "\n")
    for kind, q, k in cases:
        f.write(f"window_case {kind} {q} {k} {g(thr(wscores, kind, q, k))}\n")
    f.write(f"scores {len(scores)}\n" + "\n".join(g(v) for v in scores) + "\n")
    for kind, q, k in cases:
        f.write(f"case {kind} {q} {k} {g(thr(scores, kind, q, k))}\n")
    f.write("end\n")
