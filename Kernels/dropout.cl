// dropout.cl: pixels or rectangular patches set to one value (random_dropout).
// CPU twin: Sources/Augment/CPU/Dropout.swift. Stage: Sources/Augment/Plan/DropoutStage.swift.
//
// dropout_apply: NDRange (W rounded up, H, N); one work-item per pixel, all CHANNELS. PIXELS=1:
// dropped when (word >> 8) < thresholds[n], word = lane e & 3 of Philox block e >> 2 of the sample's
// noise stream (key, base), e = y * W + x (integer comparison: the same on every device). PIXELS=0:
// dropped inside any of the sample's BOXES boxes (x0, y0, x1, y1), half-open. Every element is
// written: the value where dropped, the input elsewhere. No barriers.

#ifndef CHANNELS
#define CHANNELS 1
#endif
#ifndef PIXELS
#define PIXELS 1
#endif
#ifndef BOXES
#define BOXES 0
#endif

__kernel void dropout_apply(__global const float* restrict src,
                            __global float* restrict dst,
                            __global const uint* restrict thresholds,
                            __global const uint* restrict keys,
                            __global const uint* restrict bases,
                            __global const int* restrict boxes,
                            const float value, const int height, const int width) {
    const int x = (int)get_global_id(0);
    const int y = (int)get_global_id(1);
    const int n = (int)get_global_id(2);
    if (x >= width) {
        return;
    }
    const size_t plane = (size_t)height * (size_t)width;
    const size_t pixel = (size_t)y * (size_t)width + (size_t)x;
    int dropped = 0;
#if PIXELS
    const uint e = (uint)pixel;
    const uint4 words = philox4x32_10((uint4)(e >> 2, bases[3 * n], bases[3 * n + 1], bases[3 * n + 2]),
                                      (uint2)(keys[2 * n], keys[2 * n + 1]));
    // Lane e & 3 by two selects on its bits (a chain of four compares gave wrong words on Oclgrind).
    const uint low = (e & 2u) ? words.z : words.x;
    const uint high = (e & 2u) ? words.w : words.y;
    const uint word = (e & 1u) ? high : low;
    dropped = (word >> 8) < thresholds[n];
#else
    for (int k = 0; k < BOXES; ++k) {
        __global const int* b = boxes + ((size_t)n * BOXES + (size_t)k) * 4;
        dropped |= (x >= b[0]) && (y >= b[1]) && (x < b[2]) && (y < b[3]);
    }
#endif
    __global const float* s = src + (size_t)n * plane * CHANNELS + pixel;
    __global float* o = dst + (size_t)n * plane * CHANNELS + pixel;
    #pragma unroll
    for (int c = 0; c < CHANNELS; ++c) {
        o[(size_t)c * plane] = dropped ? value : s[(size_t)c * plane];
    }
}
