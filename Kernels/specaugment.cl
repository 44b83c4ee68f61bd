// specaugment.cl: SpecAugment on float32 NCHW batches seen as spectrograms (H = frequency bins,
// W = time frames). CPU twin: Sources/Augment/CPU/SpecAugment.swift. Stages: MaskStage and
// TimeWarpStage (Sources/Augment/Plan/SpecAugmentStage.swift).

// Mean fill, step 1: sums[r] = sum of row r (r = (n * C + c) * H + y), float32, left to right.
// One work-item per row; NDRange (rows).
__kernel void spec_row_sums(__global const float* restrict src,
                            __global float* restrict sums,
                            const int width, const int rows) {
    const int r = get_global_id(0);
    if (r >= rows) {
        return;
    }
    __global const float* row = src + (size_t)r * width;
    float sum = 0.0f;
    for (int x = 0; x < width; ++x) {
        sum += row[x];
    }
    sums[r] = sum;
}

// Mean fill, step 2: means[n] = (row sums of example n added in order) * factor, where factor is
// Float(1 / (C H W)) from the host (no float division on the device). NDRange (samples).
__kernel void spec_example_means(__global const float* restrict sums,
                                 __global float* restrict means,
                                 const int rows_per_example, const float factor, const int count) {
    const int n = get_global_id(0);
    if (n >= count) {
        return;
    }
    __global const float* s = sums + (size_t)n * rows_per_example;
    float sum = 0.0f;
    for (int r = 0; r < rows_per_example; ++r) {
        sum += s[r];
    }
    means[n] = sum * factor;
}

// Frequency (axis_is_time == 0: the band index is y) or time (1: x) masking. bands holds
// per_channel (start, end) pairs per (sample, channel); an element inside any band of its
// (sample, channel) becomes fills[n], every other element is copied. NDRange (x, y, sample).
__kernel void spec_mask(__global const float* restrict src,
                        __global float* restrict dst,
                        __global const int2* restrict bands,
                        __global const float* restrict fills,
                        const int height, const int width, const int channels,
                        const int per_channel, const int axis_is_time) {
    const int x = get_global_id(0);
    const int y = get_global_id(1);
    const int n = get_global_id(2);
    if (x >= width || y >= height) {
        return;
    }
    const int index = axis_is_time ? x : y;
    const float fill = fills[n];
    const size_t plane = (size_t)height * width;
    for (int c = 0; c < channels; ++c) {
        __global const int2* b = bands + (size_t)(n * channels + c) * per_channel;
        bool hit = false;
        for (int m = 0; m < per_channel; ++m) {
            hit = hit || (b[m].x <= index && index < b[m].y);
        }
        const size_t i = (size_t)(n * channels + c) * plane + (size_t)y * width + x;
        dst[i] = hit ? fill : src[i];
    }
}

// ((A + 2) x - (A + 3)) x x + 1 and ((A x - 5 A) x + 8 A) x - 4 A with A = -0.75 (PyTorch's
// cubic_convolution1/2), as explicit fmas so that the CPU twin computes the same bits.
inline float cubic_inner(float x) {
    const float a = -0.75f;
    return fma(fma(a + 2.0f, x, -(a + 3.0f)) * x, x, 1.0f);
}

inline float cubic_outer(float x) {
    const float a = -0.75f;
    return fma(fma(fma(a, x, -5.0f * a), x, 8.0f * a), x, -4.0f * a);
}

// Time warp: sample n with (centre c, warped centre w) = warps[n] maps output frames [0, w) onto
// input frames [0, c) and [w, T) onto [c, T), each half resampled as PyTorch's interpolate with
// align_corners=False (cubic != 0: bicubic, A = -0.75, taps clamped to the half; else linear).
// scales[n] = (c / w, (T - c) / (T - w)) as float divisions on the host. c == w copies.
// NDRange (frame, bin, sample); every channel and bin of a sample shares the warp.
__kernel void spec_time_warp(__global const float* restrict src,
                             __global float* restrict dst,
                             __global const int2* restrict warps,
                             __global const float2* restrict scales,
                             const int height, const int frames, const int channels, const int cubic) {
    const int x = get_global_id(0);
    const int y = get_global_id(1);
    const int n = get_global_id(2);
    if (x >= frames || y >= height) {
        return;
    }
    const int2 warp = warps[n];
    const size_t plane = (size_t)height * frames;
    __global const float* in_row = src + (size_t)n * channels * plane + (size_t)y * frames;
    __global float* out_row = dst + (size_t)n * channels * plane + (size_t)y * frames;

    if (warp.x == warp.y) {
        for (int c = 0; c < channels; ++c) {
            out_row[c * plane + x] = in_row[c * plane + x];
        }
        return;
    }
    const bool left = x < warp.y;
    const int t = left ? x : x - warp.y;
    const float scale = left ? scales[n].x : scales[n].y;
    const int first = left ? 0 : warp.x;
    const int length = left ? warp.x : frames - warp.x;
    const float position = fma(scale, (float)t + 0.5f, -0.5f);

    if (cubic) {
        const int i = min((int)floor(position), length - 1);
        const float l = fmin(fmax(position - (float)i, 0.0f), 1.0f);
        const float m = 1.0f - l;
        const float w0 = cubic_outer(l + 1.0f), w1 = cubic_inner(l), w2 = cubic_inner(m), w3 = cubic_outer(m + 1.0f);
        const int i0 = first + clamp(i - 1, 0, length - 1);
        const int i1 = first + clamp(i, 0, length - 1);
        const int i2 = first + clamp(i + 1, 0, length - 1);
        const int i3 = first + clamp(i + 2, 0, length - 1);
        for (int c = 0; c < channels; ++c) {
            __global const float* r = in_row + c * plane;
            float sum = fma(r[i1], w1, r[i0] * w0);
            sum = fma(r[i2], w2, sum);
            out_row[c * plane + x] = fma(r[i3], w3, sum);
        }
    } else {
        const float p = fmax(position, 0.0f);
        const int i = min((int)p, length - 1);
        const int next = i < length - 1 ? i + 1 : i;
        const float l1 = fmin(fmax(p - (float)i, 0.0f), 1.0f);
        const float l0 = 1.0f - l1;
        for (int c = 0; c < channels; ++c) {
            __global const float* r = in_row + c * plane;
            out_row[c * plane + x] = fma(r[first + next], l1, r[first + i] * l0);
        }
    }
}
