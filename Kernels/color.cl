// color.cl: per-pixel colour programs (ColorStage). CPU twin: Sources/Augment/CPU/Color.swift.
//
// Every sample has its own program: up to `steps` (op, a, b) triples, padded with COLOR_IDENTITY.
// color_apply runs sample n's program on each of its pixels, one work-item per pixel with all
// channels, NDRange (x, y, sample). A program may hold one step that needs an image statistic
// (contrast: mean of the grayscale image; autocontrast: per-channel minimum and range; equalize:
// per-channel lookup table from the histogram). color_stats computes it first, over the image as
// it is just before that step, by running the program's earlier steps on the fly; one work-group
// per (sample, channel), NDRange (STAT_GROUP, channels, samples).
//
// Build-time defines: CHANNELS (input channels), OUT_CHANNELS (1 when a 3-channel program ends in
// grayscale, 3 when a 1-channel image is replicated, else CHANNELS), STAT_GROUP (work-group size of
// color_stats, a power of two), and USE_<OP> for each op the stage uses, so that a variant compiles
// only the math it needs.

// Loop unrolling for the vectoriser (see color_apply).
#define COLOR_UNROLL _Pragma("unroll")
// STEPS: the program length of this variant (color_apply); EXACT_WIDTH: no edge guard needed.
#ifndef STEPS
#define STEPS 1
#endif
#ifndef EXACT_WIDTH
#define EXACT_WIDTH 0
#endif

#define COLOR_IDENTITY 0
#define COLOR_BRIGHTNESS 1
#define COLOR_CONTRAST 2
#define COLOR_SATURATION 3
#define COLOR_HUE 4
#define COLOR_GRAYSCALE 5
#define COLOR_GAMMA 6
#define COLOR_POSTERIZE 7
#define COLOR_SOLARIZE 8
#define COLOR_INVERT 9
#define COLOR_AUTOCONTRAST 10
#define COLOR_EQUALIZE 11

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
    v[0] = (sector == 0.0f || sector == 5.0f) ? maxc : (sector == 1.0f ? q : (sector == 4.0f ? t : p));
    v[1] = (sector == 1.0f || sector == 2.0f) ? maxc : (sector == 0.0f ? t : (sector == 3.0f ? q : p));
    v[2] = (sector == 3.0f || sector == 4.0f) ? maxc : (sector == 2.0f ? t : (sector == 5.0f ? q : p));
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
// Kernels
// ---------------------------------------------------------------------------------------------

// Written so that PoCL vectorises across work-items (see warp.cl's warp_remap): the step loop runs
// to the compile-time STEPS (the host's step count, padded with identity steps), steps dispatch
// with an if-chain (LLVM 15 does not vectorise loops containing a switch), the per-pixel math is
// forced inline (a call blocks vectorisation), arguments are loaded as scalars, channel loops are
// unrolled, and EXACT_WIDTH drops the edge guard when the work-group width divides the width.
__kernel void color_apply(__global const float* restrict src,
                          __global float* restrict dst,
                          __global const int* restrict ops,      // samples x steps
                          __global const float* restrict args,   // samples x steps x 2: (a, b)
                          __global const float* restrict stats,  // samples x stat_stride
                          const int steps, const int stat_stride,
                          const int height, const int width) {
    const int x = get_global_id(0);
    const int y = get_global_id(1);
    const int n = get_global_id(2);
#if !EXACT_WIDTH
    if (x >= width) {
        return;
    }
#endif
    const size_t plane = (size_t)height * width;
    const size_t p = (size_t)y * width + x;
    __global const float* s = src + (size_t)n * CHANNELS * plane + p;
    float v[CHANNELS];
    COLOR_UNROLL for (int c = 0; c < CHANNELS; ++c) v[c] = s[c * plane];
    __global const int* program = ops + (size_t)n * steps;
    __global const float* program_args = args + (size_t)n * steps * 2;
    __global const float* sample_stats = stats + (size_t)n * stat_stride;
    COLOR_UNROLL for (int k = 0; k < STEPS; ++k) {
        color_step(v, program[k], program_args[2 * k], program_args[2 * k + 1], sample_stats);
    }
    __global float* d = dst + (size_t)n * OUT_CHANNELS * plane + p;
    COLOR_UNROLL for (int c = 0; c < OUT_CHANNELS; ++c) d[c * plane] = v[OUT_CHANNELS == CHANNELS ? c : 0];
}

#if USE_CONTRAST || USE_AUTOCONTRAST || USE_EQUALIZE

// Statistics of sample n for the program step stat_step[n] (-1: none), taken over the image after
// the steps before it. One work-group per (sample, channel); contrast uses only channel 0's group.
//   contrast:     stats[0] = (float)(sum of round(clamp(gray, -256, 256) * 2^24)) * mean_scale, where
//                 mean_scale = 2^-24 / (H * W). Integer sums make the result independent of the order
//                 of additions, so every device and the CPU agree exactly.
//   autocontrast: stats[c] = minimum (0 if flat), stats[CHANNELS + c] = maximum - minimum (1 if flat).
//   equalize:     stats[c * 256 + k] = lut[k] / 255 (torchvision's / PIL's table; identity if step 0).
__kernel void color_stats(__global const float* restrict src,
                          __global const int* restrict ops,
                          __global const float2* restrict args,
                          __global const int* restrict stat_step,
                          __global float* restrict stats,
                          const int steps, const int stat_stride,
                          const int height, const int width, const float mean_scale) {
    const int lid = get_local_id(0);
    const int channel = get_group_id(1);
    const int n = get_group_id(2);
    const int s = stat_step[n];
    if (s < 0) {
        return;  // uniform over the work-group
    }
    __global const int* program = ops + (size_t)n * steps;
    __global const float2* program_args = args + (size_t)n * steps;
    const int op = program[s];
    if (op == COLOR_CONTRAST && channel != 0) {
        return;
    }
    __local ulong sums[STAT_GROUP];  // unsigned: wrapping addition, as Swift's &+
    __local float minima[STAT_GROUP];
    __local float maxima[STAT_GROUP];
    __local uint histogram[256];
    for (int k = lid; k < 256; k += STAT_GROUP) histogram[k] = 0;
    barrier(CLK_LOCAL_MEM_FENCE);

    const size_t plane = (size_t)height * width;
    __global const float* image = src + (size_t)n * CHANNELS * plane;
    ulong sum = 0;
    float minimum = INFINITY;
    float maximum = -INFINITY;
    for (size_t p = lid; p < plane; p += STAT_GROUP) {
        float v[CHANNELS];
        for (int c = 0; c < CHANNELS; ++c) v[c] = image[c * plane + p];
        for (int k = 0; k < s; ++k) {
            const float2 ab = program_args[k];
            color_step(v, program[k], ab.x, ab.y, stats);  // earlier steps never read statistics
        }
        if (op == COLOR_CONTRAST) {
#if CHANNELS == 3
            const float l = color_gray(v[0], v[1], v[2]);
#else
            const float l = v[0];
#endif
            sum += (ulong)convert_long_rte(fmin(fmax(l, -256.0f), 256.0f) * 0x1p24f);
        } else if (op == COLOR_AUTOCONTRAST) {
            minimum = fmin(minimum, v[channel]);
            maximum = fmax(maximum, v[channel]);
        } else {
            atomic_inc(&histogram[u8_from_unit(v[channel])]);
        }
    }
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
    __global float* out = stats + (size_t)n * stat_stride;
    if (op == COLOR_CONTRAST) {
        out[0] = convert_float((long)sums[0]) * mean_scale;
    } else if (op == COLOR_AUTOCONTRAST) {
        const bool flat = maxima[0] == minima[0];
        out[channel] = flat ? 0.0f : minima[0];
        out[CHANNELS + channel] = flat ? 1.0f : maxima[0] - minima[0];
    } else {
        int last = 0;
        for (int k = 0; k < 256; ++k) {
            if (histogram[k] != 0) last = k;
        }
        const int step = ((int)plane - (int)histogram[last]) / 255;
        __global float* lut = out + channel * 256;
        if (step == 0) {
            for (int k = 0; k < 256; ++k) lut[k] = unit_from_u8((uchar)k);
        } else {
            lut[0] = 0.0f;
            int cumulative = 0;
            for (int k = 1; k < 256; ++k) {
                cumulative += (int)histogram[k - 1];
                lut[k] = unit_from_u8((uchar)min((cumulative + step / 2) / step, 255));
            }
        }
    }
}

#endif
