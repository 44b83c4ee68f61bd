// signal.cl: ops on (N, C, T) signals (float32, one row of T samples per (sample, channel)).
// CPU twin: Sources/Augment/CPU/Signal.swift. Stage: Sources/Augment/Plan/SignalStage.swift.
//
// signal_apply: one op per launch, chosen at build time by SIGNAL_OP (SignalOp's raw value):
//   0 amplitude_scale  x * a
//   1 baseline_wander  x + a * sin(2 pi (t * b + c))      (pm_sincos_2pi, the same on every channel)
//   2 gaussian_noise   x + z * sigma, z = noise stream element c * T + t; sigma = a, or
//                      row_sigma[n * C + c] (signal_std) when RELATIVE
//   3 time_stretch     linear interpolation at t * a for t < stretched length i, else 0
//   4 time_shift       x[t - i] (ROLL: wrapped, i in [0, T); else 0 outside [0, T))
//   5 channel_map      x[map[n * C + c]][t], 0 where the map holds -1
// with a, b, c = values[4n ...] and i = integers[4n]. NDRange (T rounded up, C, N); every
// work-item writes one element; no barriers. FP_CONTRACT is off (common.cl) and every multiply-add
// is an explicit fma (a compiler that contracts a * b + c regardless cannot change a rounding), so
// the CPU twin rounds identically.
//
// signal_std: row_sigma[row] = values[4n] * sqrt(mean((x - mean(x))^2)) for each (sample, channel)
// row, one work-item per row. The sums are 64-bit integer sums of x in fixed point (scaled by a power
// of two chosen from the row's largest magnitude), so their result does not depend on the order of
// additions: a float32 running sum did not survive Intel's compiler (outputs 0.33 apart on a
// 50,000-sample row with an offset of 1000). Deviations keep floor((62 - ceil(log2 T)) / 2) bits (>= 15, 28 for
// T = 50). 1/T is a host-rounded float, sqrt is correctly rounded (exactProgram).

#ifndef SIGNAL_OP
#define SIGNAL_OP 0
#endif
#ifndef RELATIVE
#define RELATIVE 0
#endif
#ifndef ROLL
#define ROLL 0
#endif

__kernel void signal_apply(__global const float* restrict src,
                           __global float* restrict dst,
                           __global const float* restrict values,
                           __global const int* restrict integers,
                           __global const int* restrict channel_map,
                           __global const uint* restrict keys,
                           __global const uint* restrict bases,
                           __global const float* restrict row_sigma,
                           const int length, const int channels) {
    const int t = (int)get_global_id(0);
    const int c = (int)get_global_id(1);
    const int n = (int)get_global_id(2);
    if (t >= length) {
        return;
    }
    const size_t row = (size_t)n * (size_t)channels + (size_t)c;
    __global const float* s = src + row * (size_t)length;
    float out;
#if SIGNAL_OP == 0
    out = s[t] * values[4 * n];
#elif SIGNAL_OP == 1
    const float u = fma((float)t, values[4 * n + 1], values[4 * n + 2]);
    out = fma(values[4 * n], pm_sincos_2pi(u).x, s[t]);
#elif SIGNAL_OP == 2
#if RELATIVE
    const float sigma = row_sigma[row];
#else
    const float sigma = values[4 * n];
#endif
    const uint2 key = (uint2)(keys[2 * n], keys[2 * n + 1]);
    const uint4 base = (uint4)(bases[3 * n], bases[3 * n + 1], bases[3 * n + 2], 0u);
    const float z = noise_normal(key, base, (ulong)c * (ulong)length + (ulong)t);
    out = fma(z, sigma, s[t]);
#elif SIGNAL_OP == 3
    if (t >= integers[4 * n]) {
        out = 0.0f;
    } else {
        const float p = (float)t * values[4 * n];
        const int i = (int)p;
        if (i >= length - 1) {
            out = s[length - 1];
        } else {
            const float frac = p - (float)i;
            const float a = s[i];
            out = fma(frac, s[i + 1] - a, a);
        }
    }
#elif SIGNAL_OP == 4
    int from = t - integers[4 * n];
#if ROLL
    if (from < 0) {
        from += length;
    }
    out = s[from];
#else
    out = (from >= 0 && from < length) ? s[from] : 0.0f;
#endif
#elif SIGNAL_OP == 5
    const int m = channel_map[row];
    out = m < 0 ? 0.0f : src[((size_t)n * (size_t)channels + (size_t)m) * (size_t)length + (size_t)t];
#else
#error "unknown SIGNAL_OP"
#endif
    dst[row * (size_t)length + (size_t)t] = out;
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
                         const int length, const int channels, const int rows, const float inv_length,
                         const int sum_bits, const int square_bits) {
    const int row = (int)get_global_id(0);
    if (row >= rows) {
        return;
    }
    const int n = row / channels;
    __global const float* s = src + (size_t)row * (size_t)length;
    // Pass 1: the largest magnitude (exact, order-free); any NaN or infinity makes the row NaN.
    float largest = 0.0f;
    int finite = 1;
    for (int t = 0; t < length; ++t) {
        const float a = fabs(s[t]);
        finite &= isfinite(a) ? 1 : 0;
        largest = a > largest ? a : largest;
    }
    if (!finite) {
        row_sigma[row] = NAN;
        return;
    }
    if (largest == 0.0f) {
        row_sigma[row] = 0.0f;
        return;
    }
    // |x| < 2^(E - 126) with E the biased exponent of the largest magnitude; scale so that
    // |x| * 2^q <= 2^sum_bits, sum_bits = 62 - ceil(log2 T): T such integers sum without overflow.
    const int biased = (int)((as_uint(largest) >> 23) & 0xFFu);
    const int q = sum_bits + 126 - biased;
    long sum = 0;
    for (int t = 0; t < length; ++t) {
        sum += signal_fixed(s[t], q);
    }
    const long mean = sum / (long)length;
    // Pass 2: deviations |X - mean| <= 2^(sum_bits + 1), shifted right by r so that their squares,
    // T of them, fit in 62 bits (square_bits = floor((62 - ceil(log2 T)) / 2)).
    const int r = sum_bits + 1 - square_bits;
    ulong squares = 0;
    for (int t = 0; t < length; ++t) {
        // abs_diff, not a conditional negation: Oclgrind 21.10 cannot run the llvm.abs.i64 that
        // clang makes of the latter.
        const ulong a = abs_diff(signal_fixed(s[t], q), mean) >> r;
        squares += a * a;
    }
    // std = sqrt(squares / T) * 2^(r - q): integer -> float and the product round to nearest even,
    // sqrt is correctly rounded (exactProgram).
    const float root = sqrt((float)squares * inv_length);
    row_sigma[row] = values[4 * n] * signal_scale(root, r - q);
}
