// mix.cl: MixUp / CutMix between the samples of a float32 NCHW batch.
// CPU twin: Sources/Augment/CPU/Mix.swift. Stage: MixStage (Sources/Augment/Plan/MixStage.swift).
//
// Every output sample reads the ORIGINAL batch (src and dst are different buffers), so a sample
// that is both mixed and mixed in contributes its unmixed pixels. Per sample n the host uploads
//   table[2n]     = (kind, partner, 0, 0)    kind 0 = copy, 1 = blend, 2 = paste the box
//   table[2n + 1] = (top, left, bottom, right), rows [top, bottom) x columns [left, right)
//   weights[n]    = (lambda, 1 - lambda) as floats rounded on the host
// and the kernel computes, with a = own pixel, b = the partner's pixel at the same place:
//   copy: a      blend: fma(a, lambda, b * (1 - lambda))      paste: inside the box ? b : a
// Labels are mixed on the host (MixStage.mixedLabels), not here.
// One work-item per pixel, all channels; NDRange (x, y, sample).

__kernel void mix_apply(__global const float* restrict src,
                        __global float* restrict dst,
                        __global const int4* restrict table,
                        __global const float2* restrict weights,
                        const int height, const int width, const int channels) {
    const int x = get_global_id(0);
    const int y = get_global_id(1);
    const int n = get_global_id(2);
    if (x >= width || y >= height) {
        return;
    }
    const int4 head = table[2 * n];
    const int4 box = table[2 * n + 1];
    const float2 w = weights[n];
    const size_t plane = (size_t)height * width;
    const size_t pixel = (size_t)y * width + x;
    __global const float* own = src + (size_t)n * channels * plane + pixel;
    __global const float* other = src + (size_t)head.y * channels * plane + pixel;
    __global float* out = dst + (size_t)n * channels * plane + pixel;

    if (head.x == 1) {
        for (int c = 0; c < channels; ++c) {
            out[c * plane] = fma(own[c * plane], w.x, other[c * plane] * w.y);
        }
    } else {
        const bool inside = head.x == 2 && y >= box.x && y < box.z && x >= box.y && x < box.w;
        __global const float* from = inside ? other : own;
        for (int c = 0; c < channels; ++c) {
            out[c * plane] = from[c * plane];
        }
    }
}
