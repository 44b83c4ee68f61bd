// signal.cl: ops on (N, C, T) signals (float32, one row of T samples per (sample, channel)).
// CPU twin: Sources/Augment/CPU/Signal.swift. Stage: Sources/Augment/Plan/SignalStage.swift.
//
// A stage is a program of SIGNAL_STEPS ops run in one pass (signal_apply), the ops' codes known at
// build time (SIGNAL_OPS, SignalOp's raw values; SIGNAL_ROLL and SIGNAL_RELATIVE per op):
//   0 amplitude_scale  x * a
//   1 baseline_wander  x + a * sin(2 pi (t * b + c))      (pm_sincos_2pi, the same on every channel)
//   2 gaussian_noise   x + z * sigma, z = noise stream element c * T + t; sigma = a, or
//                      row_sigma[k][n * C + c] (signal_std) when relative
//   3 time_stretch     linear interpolation at t * a for t < stretched length i, else 0
//   4 time_shift       x[t - i] (roll: wrapped, i in [0, T); else 0 outside [0, T))
//   5 channel_map      x[map[n * C + c]][t], 0 where the map holds -1
// with a, b, c = values[k][4n ...] and i = integers[k][4n] for op k (per-op arrays back to back,
// 4 * N values each; maps N * C, keys 2 * N, bases 3 * N). signal_eval computes output element
// (c, t) of sample n: backwards from the last op it finds the positions each op reads (one, or two
// for time_stretch: at most LEAVES = 2^(time_stretch ops) input elements), then runs the ops
// forwards on them. Each op computes exactly what its own pass did, so the fused program gives the
// values of the ops run one after another. NDRange (T rounded up, C, N); every work-item writes one
// element; no barriers. FP_CONTRACT is off (common.cl) and every multiply-add is an explicit fma (a
// compiler that contracts a * b + c regardless cannot change a rounding), so the CPU twin rounds
// identically.
//
// signal_std: for the relative noise at op k, row_sigma[k][row] = values[k][4n] * sqrt(mean((x -
// mean(x))^2)) over each (sample, channel) row of the signal just before op k (signal_eval of the
// ops before it), one work-item per row; one launch per relative noise op, in program order. The
// sums are 64-bit integer sums of x in fixed point (scaled by a power of two chosen from the row's
// largest magnitude), so their result does not depend on the order of additions: a float32 running
// sum did not survive Intel's compiler (outputs 0.33 apart on a 50,000-sample row with an offset of
// 1000). Deviations keep floor((62 - ceil(log2 T)) / 2) bits (>= 15, 28 for T = 50). 1/T is a
// host-rounded float, sqrt is correctly rounded (exactProgram).

#ifndef SIGNAL_STEPS
#define SIGNAL_STEPS 1
#define SIGNAL_OPS 0
#define SIGNAL_ROLL 0
#define SIGNAL_RELATIVE 0
#endif
#ifndef LEAVES
#define LEAVES 1
#endif

__constant int signal_ops[SIGNAL_STEPS] = {SIGNAL_OPS};
__constant int signal_roll[SIGNAL_STEPS] = {SIGNAL_ROLL};
__constant int signal_relative[SIGNAL_STEPS] = {SIGNAL_RELATIVE};

// The value after the first `steps` ops of sample n at (c0, t0), steps in [0, SIGNAL_STEPS].
inline float signal_eval(__global const float* restrict src,
                         __global const float* restrict values,
                         __global const int* restrict integers,
                         __global const int* restrict channel_map,
                         __global const uint* restrict keys,
                         __global const uint* restrict bases,
                         __global const float* restrict row_sigma,
                         const int steps, const int n, const int c0, const int t0,
                         const int length, const int channels, const int count) {
    int pc[SIGNAL_STEPS + 1][LEAVES];
    int pt[SIGNAL_STEPS + 1][LEAVES];
    int width[SIGNAL_STEPS + 1];
    pc[steps][0] = c0;
    pt[steps][0] = t0;
    width[steps] = 1;
    const size_t rows = (size_t)count * (size_t)channels;
    for (int k = steps; k >= 1; --k) {
        const int op = signal_ops[k - 1];
        const size_t vi = (size_t)(k - 1) * 4 * (size_t)count + 4 * (size_t)n;
        const int w = width[k];
        width[k - 1] = op == 3 ? 2 * w : w;
        for (int j = 0; j < w; ++j) {
            const int c = pc[k][j];
            const int t = pt[k][j];
            if (op == 3) {
                int i0 = 0;
                if (t < integers[vi]) {
                    const int i = (int)((float)t * values[vi]);
                    i0 = i >= length - 1 ? length - 1 : i;
                }
                pc[k - 1][2 * j] = c;
                pt[k - 1][2 * j] = i0;
                pc[k - 1][2 * j + 1] = c;
                pt[k - 1][2 * j + 1] = min(i0 + 1, length - 1);
            } else if (op == 4) {
                int from = t - integers[vi];
                if (signal_roll[k - 1]) {
                    from = from < 0 ? from + length : from;
                } else if (from < 0 || from >= length) {
                    from = 0;  // not read: the op writes 0 there
                }
                pc[k - 1][j] = c;
                pt[k - 1][j] = from;
            } else if (op == 5) {
                const int m = channel_map[(size_t)(k - 1) * rows + (size_t)n * channels + c];
                pc[k - 1][j] = m < 0 ? c : m;
                pt[k - 1][j] = t;
            } else {
                pc[k - 1][j] = c;
                pt[k - 1][j] = t;
            }
        }
    }
    float v[LEAVES];
    for (int j = 0; j < width[0]; ++j) {
        v[j] = src[((size_t)n * (size_t)channels + (size_t)pc[0][j]) * (size_t)length + (size_t)pt[0][j]];
    }
    for (int k = 1; k <= steps; ++k) {
        const int op = signal_ops[k - 1];
        const size_t vi = (size_t)(k - 1) * 4 * (size_t)count + 4 * (size_t)n;
        const float a = values[vi];
        for (int j = 0; j < width[k]; ++j) {
            const int c = pc[k][j];
            const int t = pt[k][j];
            float x;
            if (op == 0) {
                x = v[j] * a;
            } else if (op == 1) {
                const float u = fma((float)t, values[vi + 1], values[vi + 2]);
                x = fma(a, pm_sincos_2pi(u).x, v[j]);
            } else if (op == 2) {
                const float sigma = signal_relative[k - 1] ? row_sigma[(size_t)(k - 1) * rows + (size_t)n * channels + c] : a;
                const size_t ki = (size_t)(k - 1) * (size_t)count + (size_t)n;
                const uint2 key = (uint2)(keys[2 * ki], keys[2 * ki + 1]);
                const uint4 base = (uint4)(bases[3 * ki], bases[3 * ki + 1], bases[3 * ki + 2], 0u);
                const float z = noise_normal(key, base, (ulong)c * (ulong)length + (ulong)t);
                x = fma(z, sigma, v[j]);
            } else if (op == 3) {
                if (t >= integers[vi]) {
                    x = 0.0f;
                } else {
                    const float p = (float)t * a;
                    const int i = (int)p;
                    if (i >= length - 1) {
                        x = v[2 * j];
                    } else {
                        const float frac = p - (float)i;
                        const float first = v[2 * j];
                        x = fma(frac, v[2 * j + 1] - first, first);
                    }
                }
            } else if (op == 4) {
                const int from = t - integers[vi];
                x = (signal_roll[k - 1] || (from >= 0 && from < length)) ? v[j] : 0.0f;
            } else {
                x = channel_map[(size_t)(k - 1) * rows + (size_t)n * channels + c] < 0 ? 0.0f : v[j];
            }
            v[j] = x;  // in place: a stretch reads 2j and 2j + 1 >= j before writing j
        }
    }
    return v[0];
}

__kernel void signal_apply(__global const float* restrict src,
                           __global float* restrict dst,
                           __global const float* restrict values,
                           __global const int* restrict integers,
                           __global const int* restrict channel_map,
                           __global const uint* restrict keys,
                           __global const uint* restrict bases,
                           __global const float* restrict row_sigma,
                           const int length, const int channels, const int count) {
    const int t = (int)get_global_id(0);
    const int c = (int)get_global_id(1);
    const int n = (int)get_global_id(2);
    if (t >= length) {
        return;
    }
    const size_t row = (size_t)n * (size_t)channels + (size_t)c;
    dst[row * (size_t)length + (size_t)t] = signal_eval(src, values, integers, channel_map, keys, bases, row_sigma,
                                                        SIGNAL_STEPS, n, c, t, length, channels, count);
}

// 2^e as a float, e in [-126, 127] (bits, exact on every device).
inline float signal_pow2(int e) {
    return as_float((uint)(e + 127) << 23);
}

// x * 2^e in two exact steps (e in [-252, 252]; a result that would be subnormal is rounded to an
// integer next, so flushing it to zero cannot change that integer unless it is >= 0.5).
inline float signal_scale(float x, int e) {
    const int first = e / 2;
    return x * signal_pow2(first) * signal_pow2(e - first);
}

// x in fixed point: rint(x * 2^q) as a 64-bit integer (|x| * 2^q <= 2^62 by the choice of q).
inline long signal_fixed(float x, int q) {
    return (long)rint(signal_scale(x, q));
}

__kernel void signal_std(__global const float* restrict src,
                         __global float* restrict row_sigma,
                         __global const float* restrict values,
                         __global const int* restrict integers,
                         __global const int* restrict channel_map,
                         __global const uint* restrict keys,
                         __global const uint* restrict bases,
                         const int length, const int channels, const int rows, const float inv_length,
                         const int sum_bits, const int square_bits, const int step, const int count) {
    const int row = (int)get_global_id(0);
    if (row >= rows) {
        return;
    }
    const int n = row / channels;
    const int c = row - n * channels;
    // x[t]: the signal just before op `step` (earlier relative ops read their row_sigma, already made).
#define SIGNAL_X(t) signal_eval(src, values, integers, channel_map, keys, bases, row_sigma, step, n, c, (t), \
                                length, channels, count)
    // Pass 1: the largest magnitude (exact, order-free); any NaN or infinity makes the row NaN.
    float largest = 0.0f;
    int finite = 1;
    for (int t = 0; t < length; ++t) {
        const float a = fabs(SIGNAL_X(t));
        finite &= isfinite(a) ? 1 : 0;
        largest = a > largest ? a : largest;
    }
    if (!finite) {
        row_sigma[(size_t)step * (size_t)rows + row] = NAN;
        return;
    }
    if (largest == 0.0f) {
        row_sigma[(size_t)step * (size_t)rows + row] = 0.0f;
        return;
    }
    // |x| < 2^(E - 126) with E the biased exponent of the largest magnitude; scale so that
    // |x| * 2^q <= 2^sum_bits, sum_bits = 62 - ceil(log2 T): T such integers sum without overflow.
    const int biased = (int)((as_uint(largest) >> 23) & 0xFFu);
    const int q = sum_bits + 126 - biased;
    long sum = 0;
    for (int t = 0; t < length; ++t) {
        sum += signal_fixed(SIGNAL_X(t), q);
    }
    const long mean = sum / (long)length;
    // Pass 2: deviations |X - mean| <= 2^(sum_bits + 1), shifted right by r so that their squares,
    // T of them, fit in 62 bits (square_bits = floor((62 - ceil(log2 T)) / 2)).
    const int r = sum_bits + 1 - square_bits;
    ulong squares = 0;
    for (int t = 0; t < length; ++t) {
        // abs_diff, not a conditional negation: Oclgrind 21.10 cannot run the llvm.abs.i64 that
        // clang makes of the latter.
        const ulong a = abs_diff(signal_fixed(SIGNAL_X(t), q), mean) >> r;
        squares += a * a;
    }
    // std = sqrt(squares / T) * 2^(r - q): integer -> float and the product round to nearest even,
    // sqrt is correctly rounded (exactProgram).
    const float root = sqrt((float)squares * inv_length);
    row_sigma[(size_t)step * (size_t)rows + row] = values[(size_t)step * 4 * (size_t)count + 4 * (size_t)n] * signal_scale(root, r - q);
#undef SIGNAL_X
}
