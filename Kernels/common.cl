// common.cl: helpers shared by every kernel family. The host prepends this file to each family's
// source before building, so every family sees the same definitions.

#ifndef SWIFT_AUGMENT_COMMON_CL
#define SWIFT_AUGMENT_COMMON_CL

// ---------------------------------------------------------------------------------------------
// Philox4x32-10 (Salmon et al., SC'11; Random123), mirrored bit for bit by
// Sources/Augment/Random/Philox.swift. The key comes from the host (RandomKey.philoxKey: seed and
// epoch mixed), counter word 0 counts blocks, word 1 is op index | domain << 24, words 2-3 are the
// 64-bit global sample index.
// ---------------------------------------------------------------------------------------------

inline uint4 philox4x32_10(uint4 counter, uint2 key) {
    for (int round = 0; round < 10; ++round) {
        if (round > 0) {
            key.x += 0x9E3779B9u;
            key.y += 0xBB67AE85u;
        }
        const uint lo0 = 0xD2511F53u * counter.x;
        const uint hi0 = mul_hi(0xD2511F53u, counter.x);
        const uint lo1 = 0xCD9E8D57u * counter.z;
        const uint hi1 = mul_hi(0xCD9E8D57u, counter.z);
        counter = (uint4)(hi1 ^ counter.y ^ key.x, lo1, hi0 ^ counter.w ^ key.y, lo0);
    }
    return counter;
}

// uint8 -> float on torchvision's scale: to_dtype(float32, scale=True) multiplies by 1/255.
inline float unit_from_u8(uchar value) {
    return (float)value * (1.0f / 255.0f);
}

// float -> uint8 as torchvision's to_dtype(uint8, scale=True): x * (255 + 1 - 1e-3), truncated,
// after clamping to [0, 1] (fmax/fmin turn NaN into 0).
inline uchar u8_from_unit(float value) {
    return (uchar)(fmin(fmax(value, 0.0f), 1.0f) * 255.999f);
}

// ---------------------------------------------------------------------------------------------
// Portable float math, mirrored bit for bit by Sources/Augment/CPU/PortableMath.swift.
//
// OpenCL's exp, log, pow, sin and cos may be several ulp off and differ between devices, so
// kernels whose per-element results must equal the CPU reference (uint8 outputs are compared
// exactly) use these instead. They are built only from operations IEEE 754 rounds correctly:
// +, -, *, fma, division and sqrt (the host builds with -cl-fp32-correctly-rounded-divide-sqrt
// where a device needs it), rint/floor and bit manipulation. Accuracy: a few 1e-7 relative.
// Contraction of a*b+c into fma is switched off so that the compiler cannot fuse what the Swift
// twin rounds twice; every fma below is written out.
// ---------------------------------------------------------------------------------------------

#pragma OPENCL FP_CONTRACT OFF

// clamp(v, 0, 1) as torch.clamp computes it: NaN stays NaN (OpenCL's clamp and fmin/fmax would
// turn it into a bound).
inline float torch_clamp01(float v) {
    return v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
}

// ln(m) for x = m * 2^e, m in [sqrt(1/2), sqrt(2)); x finite and > 0 (subnormals included).
inline float pm_log_reduced(float x, int* exponent) {
    const bool subnormal = x < 0x1p-126f;
    x = subnormal ? x * 0x1p23f : x;
    const uint bits = as_uint(x);
    int e = (int)((bits >> 23) & 0xFFu) - (subnormal ? 150 : 127);
    float m = as_float((bits & 0x007FFFFFu) | 0x3F800000u);
    const bool high = m > 0x1.6a09e6p+0f;
    m = high ? m * 0.5f : m;
    *exponent = high ? e + 1 : e;
    // ln(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172: the series to s^11 is below 1e-9.
    const float s = (m - 1.0f) / (m + 1.0f);
    const float z = s * s;
    float p = fma(z, 0x1.745d18p-4f, 0x1.c71c72p-4f);
    p = fma(z, p, 0x1.24924ap-3f);
    p = fma(z, p, 0x1.99999ap-3f);
    p = fma(z, p, 0x1.555556p-2f);
    p = fma(z, p, 1.0f);
    return (s + s) * p;
}

// Natural logarithm of a finite x > 0.
inline float pm_log(float x) {
    int e;
    const float lm = pm_log_reduced(x, &e);
    return fma((float)e, 0x1.62e43p-1f, lm);
}

// Base-2 logarithm of a finite x > 0.
inline float pm_log2(float x) {
    int e;
    const float lm = pm_log_reduced(x, &e);
    return fma(lm, 0x1.715476p+0f, (float)e);
}

// 2^y.
inline float pm_exp2(float y) {
    if (isnan(y)) {
        return y;
    }
    if (y >= 128.0f) {
        return INFINITY;
    }
    if (y < -151.0f) {
        return 0.0f;
    }
    const float n = rint(y);
    const float g = (y - n) * 0x1.62e43p-1f;  // |g| <= ln(2) / 2
    float p = fma(g, 0x1.a01a02p-13f, 0x1.6c16c2p-10f);
    p = fma(g, p, 0x1.111112p-7f);
    p = fma(g, p, 0x1.555556p-5f);
    p = fma(g, p, 0x1.555556p-3f);
    p = fma(g, p, 0.5f);
    p = fma(g, p, 1.0f);
    p = fma(g, p, 1.0f);
    // 2^n in two factors so that each stays a normal float.
    const int k = (int)n;
    const int k1 = k / 2;
    const int k2 = k - k1;
    return p * as_float((uint)(k1 + 127) << 23) * as_float((uint)(k2 + 127) << 23);
}

// x^g for g >= 0 as C's pow: x^0 = 1; 0^g = 0; a negative x gives NaN unless g is an integer.
// The exponents torch's pow(tensor, scalar) special-cases (1, 2, 3, 0.5) are computed as torch does,
// exactly.
inline float pm_pow(float x, float g) {
    if (g == 0.0f) {
        return 1.0f;
    }
    if (g == 1.0f) {
        return x;
    }
    if (g == 2.0f) {
        return x * x;
    }
    if (g == 3.0f) {
        return x * x * x;
    }
    if (g == 0.5f) {
        return sqrt(x);
    }
    if (isnan(x) || isnan(g)) {
        return x + g;
    }
    float sign = 1.0f;
    if (x < 0.0f) {
        if (floor(g) != g) {
            return NAN;
        }
        sign = (fmod(g, 2.0f) == 1.0f) ? -1.0f : 1.0f;
        x = -x;
    }
    if (x == 0.0f) {
        return sign * 0.0f;
    }
    if (isinf(x)) {
        return sign * INFINITY;
    }
    return sign * pm_exp2(g * pm_log2(x));
}

// (sin(2 pi u), cos(2 pi u)) for a finite u.
inline float2 pm_sincos_2pi(float u) {
    const float q = rint(u * 4.0f);
    const float r = fma(q, -0.25f, u);          // |r| <= 1/8
    const float phi = r * 0x1.921fb6p+2f;       // |phi| <= pi/4
    const float z = phi * phi;
    float s = fma(z, 0x1.71de3ap-19f, -0x1.a01a02p-13f);
    s = fma(z, s, 0x1.111112p-7f);
    s = fma(z, s, -0x1.555556p-3f);
    s = fma(z * phi, s, phi);
    float c = fma(z, -0x1.27e4fcp-22f, 0x1.a01a02p-16f);
    c = fma(z, c, -0x1.6c16c2p-10f);
    c = fma(z, c, 0x1.555556p-5f);
    c = fma(z, c, -0.5f);
    c = fma(z, c, 1.0f);
    // Rotate by the quadrant; selects rather than a switch keep the code branch-free. The quadrant
    // stays a float (q mod 4, exact for these small integers): Oclgrind 21.10 evaluated the
    // ((int)q) & 3 of the first version as 3 for q = 4, rotating 1/8 of all noise values.
    const float k = q - 4.0f * floor(q * 0.25f);
    const float sin_v = (k == 0.0f) ? s : ((k == 1.0f) ? c : ((k == 2.0f) ? -s : -c));
    const float cos_v = (k == 0.0f) ? c : ((k == 1.0f) ? -s : ((k == 2.0f) ? -c : s));
    return (float2)(sin_v, cos_v);
}

// Two independent standard normal values from two random words (Box-Muller). u1 takes 24 bits
// in (0, 1], so |z| <= sqrt(-2 ln 2^-24) = 5.77.
inline float2 pm_box_muller(uint a, uint b) {
    const float u1 = (float)((a >> 8) + 1u) * 0x1p-24f;
    const float u2 = (float)(b >> 8) * 0x1p-24f;
    const float r = sqrt(-2.0f * pm_log(u1));
    const float2 sc = pm_sincos_2pi(u2);
    return (float2)(r * sc.y, r * sc.x);
}

// Element `index` of a device noise stream: a standard normal value. The stream is Philox block
// (index / 4, base.x, base.y, base.z) under `key` (RandomKey with domain 1, "noise"); lanes 0-1 come
// from words (0, 1) and lanes 2-3 from words (2, 3) of the block. Sources/Augment/Random/NoiseKey.swift.
inline float noise_normal(uint2 key, uint4 base, ulong index) {
    const uint4 block = philox4x32_10((uint4)((uint)(index >> 2), base.x, base.y, base.z), key);
    const uint lane = (uint)(index & 3);
    const float2 z = pm_box_muller(lane < 2 ? block.x : block.z, lane < 2 ? block.y : block.w);
    return (lane & 1) ? z.y : z.x;
}

// Elements 4 * block_index ... 4 * block_index + 3 of a device noise stream at once (one Philox
// block, two Box-Muller pairs): the same values as noise_normal, a quarter of the work.
inline float4 noise_normal4(uint2 key, uint4 base, uint block_index) {
    const uint4 block = philox4x32_10((uint4)(block_index, base.x, base.y, base.z), key);
    const float2 a = pm_box_muller(block.x, block.y);
    const float2 b = pm_box_muller(block.z, block.w);
    return (float4)(a.x, a.y, b.x, b.y);
}

// ---------------------------------------------------------------------------------------------
// Per-pixel colour math (ColorStage programs), shared by color.cl (color_apply, color_stats) and
// warp.cl (colour programs in the warp epilogue). Mirrored by ColorMath in
// Sources/Augment/CPU/Color.swift. Compiled only where the kernel defines CHANNELS.
// ---------------------------------------------------------------------------------------------
#if defined(CHANNELS)
// Loop unrolling for the vectoriser (see color_apply).
#define COLOR_UNROLL _Pragma("unroll")
// STEPS: the program length of this variant (color_apply); EXACT_WIDTH: no edge guard needed.
#ifndef STEPS
#define STEPS 1
#endif
#ifndef EXACT_WIDTH
#define EXACT_WIDTH 0
#endif

// The op codes COLOR_<OP> are not written here: the host passes them as -DCOLOR_<OP>=<n> on every
// build, generated from Swift's ColorOp (OpenCLBackend.interfaceDefines), so the two cannot drift.
#ifndef COLOR_IDENTITY
#error "COLOR_<OP> op codes missing: build through OpenCLBackend.program, which passes ColorOp's codes"
#endif

// ---------------------------------------------------------------------------------------------
// Pure per-pixel colour math: functions of a pixel's values and the step's arguments only (no
// global memory), so that a fused kernel (a warp epilogue) can call them too. Each mirrors
// ColorMath in Sources/Augment/CPU/Color.swift operation for operation.
// ---------------------------------------------------------------------------------------------

// torch.clamp semantics: NaN stays NaN.
inline float color_clamp(float v, float lo, float hi) {
    return v < lo ? lo : (v > hi ? hi : v);
}

inline float color_clamp01(float v) {
    return torch_clamp01(v);
}

// torchvision's luma: r.mul(0.2989).add_(g, alpha=0.587).add_(b, alpha=0.114).
inline float color_gray(float r, float g, float b) {
    return fma(b, 0.114f, fma(g, 0.587f, r * 0.2989f));
}

// torchvision's _blend: clamp(x * ratio + other * (1 - ratio), 0, 1).
inline float color_blend(float x, float other, float ratio, float one_minus_ratio) {
    return color_clamp01(fma(other, one_minus_ratio, x * ratio));
}

// torchvision's adjust_hue on one RGB pixel: _rgb_to_hsv, (h + shift) mod 1, _hsv_to_rgb.
inline __attribute__((always_inline)) void color_hue(float* v, float shift) {
    const float r = v[0], g = v[1], b = v[2];
    const float maxc = r > g ? (r > b ? r : b) : (g > b ? g : b);
    const float minc = r < g ? (r < b ? r : b) : (g < b ? g : b);
    const bool equal = maxc == minc;
    const float range = maxc - minc;
    const float s = range / (equal ? 1.0f : maxc);
    const float divisor = equal ? 1.0f : range;
    const float rc = (maxc - r) / divisor;
    const float gc = (maxc - g) / divisor;
    const float bc = (maxc - b) / divisor;
    const float hr = (maxc == r) ? bc - gc : 0.0f;
    const float hg = (maxc == g && maxc != r) ? (rc + 2.0f) - bc : 0.0f;
    const float hb = (maxc != g && maxc != r) ? (gc + 4.0f) - rc : 0.0f;
    // fmod(x, 1) is computed as x - trunc(x), which is exact for every finite x (and NaN for
    // infinities, like fmod) and much cheaper than PoCL's fmod.
    float h = ((hr + hg) + hb) * 0x1.555556p-3f + 1.0f;
    h = h - trunc(h);
    // torch.remainder(h + shift, 1): fmod, then + 1 when the result is negative.
    h = h + shift;
    h = h - trunc(h);
    h = h < 0.0f ? h + 1.0f : h;
    const float h6 = h * 6.0f;
    const float i6 = floor(h6);
    const float f = h6 - i6;
    // i6 is in [0, 6] (6 is sector 0 again) unless the pixel holds NaN, whose result does not matter.
    const float sector = (isnan(i6) || i6 >= 6.0f) ? 0.0f : i6;
    const float sxf = s * f;
    const float one_minus_s = 1.0f - s;
    const float q = color_clamp01((1.0f - sxf) * maxc);
    const float t = color_clamp01((sxf + one_minus_s) * maxc);
    const float p = color_clamp01(one_minus_s * maxc);
    // torchvision's table by sector: r = (v, q, p, p, t, v), g = (t, v, v, q, p, p), b = (p, p, t, v, v, q).
    // Written with select() (c ? b : a): nested ?: chains on the sector reached LLVM as branches,
    // and PoCL's vectoriser predicated the later steps of color_stats_rows on the sector tests.
    const int s0 = sector == 0.0f, s1 = sector == 1.0f, s2 = sector == 2.0f;
    const int s3 = sector == 3.0f, s4 = sector == 4.0f, s5 = sector == 5.0f;
    v[0] = select(select(select(p, t, s4), q, s1), maxc, s0 | s5);
    v[1] = select(select(select(p, q, s3), t, s0), maxc, s1 | s2);
    v[2] = select(select(select(p, q, s5), t, s2), maxc, s3 | s4);
}

// One program step on a pixel of CHANNELS values. `stats` is the sample's statistics block
// (constant or global address space both work through this pointer's qualifier below).
inline __attribute__((always_inline)) void color_step(float* v, int op, float a, float b, __global const float* stats) {
    {
#if USE_BRIGHTNESS
    if (op == COLOR_BRIGHTNESS) {
        COLOR_UNROLL for (int c = 0; c < CHANNELS; ++c) v[c] = color_clamp01(v[c] * a);
    }
#endif
#if USE_CONTRAST
    if (op == COLOR_CONTRAST) {
        const float mean = stats[0];
        COLOR_UNROLL for (int c = 0; c < CHANNELS; ++c) v[c] = color_blend(v[c], mean, a, b);
    }
#endif
#if USE_SATURATION && CHANNELS == 3
    if (op == COLOR_SATURATION) {
        const float l = color_gray(v[0], v[1], v[2]);
        COLOR_UNROLL for (int c = 0; c < 3; ++c) v[c] = color_blend(v[c], l, a, b);
    }
#endif
#if USE_HUE && CHANNELS == 3
    if (op == COLOR_HUE) {
        color_hue(v, a);
    }
#endif
#if USE_GRAYSCALE && CHANNELS == 3
    if (op == COLOR_GRAYSCALE) {
        const float l = color_gray(v[0], v[1], v[2]);
        v[0] = l; v[1] = l; v[2] = l;
    }
#endif
#if USE_GAMMA
    if (op == COLOR_GAMMA) {
        COLOR_UNROLL for (int c = 0; c < CHANNELS; ++c) {
            float x = pm_pow(v[c], a);
            if (b != 1.0f) x = color_clamp01(x * b);
            v[c] = x;
        }
    }
#endif
#if USE_POSTERIZE
    if (op == COLOR_POSTERIZE) {
        COLOR_UNROLL for (int c = 0; c < CHANNELS; ++c) v[c] = color_clamp(floor(v[c] * a), 0.0f, a - 1.0f) * b;
    }
#endif
#if USE_SOLARIZE
    if (op == COLOR_SOLARIZE) {
        COLOR_UNROLL for (int c = 0; c < CHANNELS; ++c) v[c] = (v[c] >= a) ? 1.0f - v[c] : v[c];
    }
#endif
#if USE_INVERT
    if (op == COLOR_INVERT) {
        COLOR_UNROLL for (int c = 0; c < CHANNELS; ++c) v[c] = 1.0f - v[c];
    }
#endif
#if USE_AUTOCONTRAST
    if (op == COLOR_AUTOCONTRAST) {
        COLOR_UNROLL for (int c = 0; c < CHANNELS; ++c) v[c] = color_clamp01((v[c] - stats[c]) / stats[CHANNELS + c]);
    }
#endif
#if USE_EQUALIZE
    if (op == COLOR_EQUALIZE) {
        COLOR_UNROLL for (int c = 0; c < CHANNELS; ++c) v[c] = stats[c * 256 + u8_from_unit(v[c])];
    }
#endif
    }
}

// ---------------------------------------------------------------------------------------------
// The blend form of a program (BLEND_FORM, chosen by the host when every op of the stage is
// brightness, contrast, saturation or hue and no program has two hues: ColorJitter's programs).
// The host pads each program around one hue slot, at index HUE_SLOT (-1: no hue in the stage):
// the steps before the sample's hue first, identity-padded to HUE_SLOT, then its hue (or identity),
// then the steps after it. Identity steps change nothing, so the padded program computes what the
// program does. Each step then costs one select-driven blend for any of the three blend ops (no
// branch on the op: LLVM turns an if-chain on op codes into a switch, and its loop vectoriser does
// not vectorise a loop holding a switch, so PoCL ran color_apply one pixel at a time; once
// if-converted, every step evaluated every op, the HSV round trip included), and the hue is
// computed once per pixel, in its slot. On a GPU the branches were uniform (one sample per
// work-group) and cost nothing either way; the selects cost a few ALU operations there.
// ---------------------------------------------------------------------------------------------
#if BLEND_FORM
// One step of brightness (clamp(x * a, 0, 1)), contrast (blend with the mean), saturation (blend
// with the pixel's gray; unchanged on one channel) or identity: the same operations as color_step.
inline __attribute__((always_inline)) void color_blend_step(float* v, const int op, const float a, const float b,
                                                            const float mean) {
#if CHANNELS == 3
    const float gray = color_gray(v[0], v[1], v[2]);
    const bool saturation = op == COLOR_SATURATION;
#else
    const float gray = 0.0f;
    const bool saturation = false;
#endif
    const bool brightness = op == COLOR_BRIGHTNESS;
    const bool apply = brightness || saturation || op == COLOR_CONTRAST;
    const float other = saturation ? gray : mean;
    COLOR_UNROLL for (int c = 0; c < CHANNELS; ++c) {
        const float scaled = v[c] * a;
        const float blended = color_clamp01(brightness ? scaled : fma(other, b, scaled));
        v[c] = apply ? blended : v[c];
    }
}

#if USE_CONTRAST
#define COLOR_MEAN(stats) ((stats)[0])
#else
#define COLOR_MEAN(stats) 0.0f
#endif
// Runs a program of STEPS steps (ops, args: (a, b) pairs) on a pixel. `stats` is the sample's
// statistics block (read only by the steps that need it).
#define COLOR_RUN_PROGRAM(v, ops, args, stats) {                                                    \
        const float mean = COLOR_MEAN(stats);                                                       \
        COLOR_UNROLL for (int k = 0; k < STEPS; ++k) {                                              \
            const int step_op = (ops)[k];                                                           \
            if (k == HUE_SLOT) {                                                                    \
                COLOR_HUE_SLOT(v, step_op, (args)[2 * k]);                                          \
            } else {                                                                                \
                color_blend_step(v, step_op, (args)[2 * k], (args)[2 * k + 1], mean);               \
            }                                                                                       \
        }                                                                                           \
    }
#if USE_HUE && CHANNELS == 3
#define COLOR_HUE_SLOT(v, op, shift) {                                                              \
        float shifted[3] = {v[0], v[1], v[2]};                                                      \
        color_hue(shifted, shift);                                                                  \
        const bool hue = (op) == COLOR_HUE;                                                         \
        COLOR_UNROLL for (int c = 0; c < 3; ++c) v[c] = hue ? shifted[c] : v[c];                    \
    }
#else
#define COLOR_HUE_SLOT(v, op, shift)
#endif
#else
#define COLOR_RUN_PROGRAM(v, ops, args, stats) {                                                    \
        COLOR_UNROLL for (int k = 0; k < STEPS; ++k) {                                              \
            color_step(v, (ops)[k], (args)[2 * k], (args)[2 * k + 1], stats);                       \
        }                                                                                           \
    }
#endif

#if USE_CONTRAST || USE_AUTOCONTRAST || USE_EQUALIZE
// ---------------------------------------------------------------------------------------------
// Image statistics (contrast, autocontrast, equalize), shared by color.cl's color_stats_rows and
// color_stats_finish (over a float32 image: per-row partials, then their totals) and warp.cl's
// warp_color_stats (over a warp's output pixels, sampled on the fly through warp_sample_pixel: one
// work-group of STAT_GROUP work-items per (sample, channel) adds its pixels with color_stat_add,
// then color_stat_finish reduces). Both write the sample's block with COLOR_STAT_WRITE:
//   contrast:     out[0] = (float)(sum of round(clamp(gray, -256, 256) * 2^24)) * mean_scale, where
//                 mean_scale = 2^-24 / (H * W). Integer sums make the result independent of the order
//                 of additions, so every device and the CPU agree exactly.
//   autocontrast: out[c] = minimum (0 if flat), out[CHANNELS + c] = maximum - minimum (1 if flat).
//   equalize:     out[c * 256 + k] = lut[k] / 255 (torchvision's / PIL's table; identity if step 0).
// ---------------------------------------------------------------------------------------------

// A pixel's term of the contrast sum: its grayscale value (the value itself on one channel) in
// fixed point, round(clamp(gray, -256, 256) * 2^24), as a wrapping 64-bit integer, kept in two
// 32-bit parts by kernels that hold a term per work-item (color_stats_rows: 64-bit values per
// work-item made PoCL vectorise it 4-wide; the parts are joined in 64 bits by the work-group's
// reduction). term = units * 2^24 + fraction with units = floor(x), fraction = rint((x - units) *
// 2^24) in [0, 2^24], x = clamp(gray, -256, 256). Exact: x - floor(x) and the scaling by 2^24 are
// exact in float, and rounding N + f to nearest even is N + rint(f) when N is an even integer, as
// units * 2^24 is.
inline __attribute__((always_inline)) void color_contrast_parts(const float* v, int* units, uint* fraction) {
#if CHANNELS == 3
    const float l = color_gray(v[0], v[1], v[2]);
#else
    const float l = v[0];
#endif
    const float x = fmin(fmax(l, -256.0f), 256.0f);
    const float whole = floor(x);
    *units = (int)whole;
    *fraction = (uint)rint((x - whole) * 0x1p24f);
}

inline ulong color_contrast_join(const int units, const uint fraction) {
    return ((ulong)(long)units << 24) + fraction;
}

inline __attribute__((always_inline)) ulong color_contrast_term(const float* v) {
    int units;
    uint fraction;
    color_contrast_parts(v, &units, &fraction);
    return color_contrast_join(units, fraction);
}

// Adds one pixel (after the program's steps before the statistic step) to a work-item's partials.
inline __attribute__((always_inline)) void color_stat_add(const float* v, const int op, const int channel,
                                                          ulong* sum, float* minimum, float* maximum,
                                                          __local uint* histogram) {
    if (op == COLOR_CONTRAST) {
        *sum += color_contrast_term(v);
    } else if (op == COLOR_AUTOCONTRAST) {
        *minimum = fmin(*minimum, v[channel]);
        *maximum = fmax(*maximum, v[channel]);
    } else {
        atomic_inc(&histogram[u8_from_unit(v[channel])]);
    }
}

// Writes sample statistics from their totals (the sum of a contrast's quantised grayscale values,
// a channel's minimum and maximum, its 256-bin histogram in any address space) into the sample's
// block `out`: shared by color_stat_finish (a work-group's reduction) and color.cl's
// color_stats_finish (totals of per-row partials).
#define COLOR_STAT_WRITE(op, channel, plane, sum, minimum, maximum, histogram, out, mean_scale) {          \
    if ((op) == COLOR_CONTRAST) {                                                                     \
        (out)[0] = convert_float((long)(sum)) * (mean_scale);                                         \
    } else if ((op) == COLOR_AUTOCONTRAST) {                                                          \
        const bool flat = (maximum) == (minimum);                                                     \
        (out)[channel] = flat ? 0.0f : (minimum);                                                     \
        (out)[CHANNELS + (channel)] = flat ? 1.0f : (maximum) - (minimum);                            \
    } else {                                                                                          \
        int last = 0;                                                                                 \
        for (int k = 0; k < 256; ++k) {                                                               \
            if ((histogram)[k] != 0) last = k;                                                        \
        }                                                                                             \
        const int step = ((plane) - (int)(histogram)[last]) / 255;                                    \
        __global float* lut = (out) + (channel) * 256;                                                \
        if (step == 0) {                                                                              \
            for (int k = 0; k < 256; ++k) lut[k] = unit_from_u8((uchar)k);                            \
        } else {                                                                                      \
            lut[0] = 0.0f;                                                                            \
            int cumulative = 0;                                                                       \
            for (int k = 1; k < 256; ++k) {                                                           \
                cumulative += (int)(histogram)[k - 1];                                                \
                lut[k] = unit_from_u8((uchar)min((cumulative + step / 2) / step, 255));               \
            }                                                                                         \
        }                                                                                             \
    }                                                                                                 \
}

#if defined(STAT_GROUP)
// Reduces the work-group's partials and writes the statistics block `out` of the sample (plane:
// pixels per channel). Every work-item of the group calls it; the scratch arrays have STAT_GROUP
// entries (histogram: 256, zeroed before the pixels were added, behind a barrier).
inline void color_stat_finish(const int op, const int channel, const int lid, const int plane, const ulong sum,
                              const float minimum, const float maximum, __local ulong* sums, __local float* minima,
                              __local float* maxima, __local uint* histogram, __global float* out,
                              const float mean_scale) {
    sums[lid] = sum;
    minima[lid] = minimum;
    maxima[lid] = maximum;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int offset = STAT_GROUP / 2; offset > 0; offset >>= 1) {
        if (lid < offset) {
            sums[lid] += sums[lid + offset];
            minima[lid] = fmin(minima[lid], minima[lid + offset]);
            maxima[lid] = fmax(maxima[lid], maxima[lid + offset]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid != 0) {
        return;
    }
    COLOR_STAT_WRITE(op, channel, plane, sums[0], minima[0], maxima[0], histogram, out, mean_scale);
}
#endif  // STAT_GROUP
#endif  // statistics
#endif  // CHANNELS
#endif


