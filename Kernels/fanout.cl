// fanout.cl: running several variants of every sample as one batch (aug_mix's chains).
// CPU twin: Sources/Augment/CPU/FanOut.swift. Stages: ReplicateStage, WeightedSumStage
// (Sources/Augment/Plan/FanOutStage.swift). Batches are float32 NCHW.
//
// fanout_replicate: output sample v is input sample v / copies.
// fanout_weighted_sum: output sample n is w[n*terms] * x[n*terms] + w[n*terms+1] * x[n*terms+1] + ...,
// summed left to right, every product and sum rounded separately (FP_CONTRACT is off, see
// common.cl), as torchvision's AugMix computes `mix = m0 * x; mix.add_(w_k * aug_k)`.
// One work-item per pixel, all channels; NDRange (x, y, output sample).

__kernel void fanout_replicate(__global const float* restrict src,
                               __global float* restrict dst,
                               const int height, const int width, const int channels, const int copies) {
    const int x = get_global_id(0);
    const int y = get_global_id(1);
    const int v = get_global_id(2);
    if (x >= width || y >= height) {
        return;
    }
    const size_t plane = (size_t)height * width;
    const size_t pixel = (size_t)y * width + x;
    __global const float* from = src + (size_t)(v / copies) * channels * plane + pixel;
    __global float* to = dst + (size_t)v * channels * plane + pixel;
    for (int c = 0; c < channels; ++c) {
        to[c * plane] = from[c * plane];
    }
}

__kernel void fanout_weighted_sum(__global const float* restrict src,
                                  __global float* restrict dst,
                                  __global const float* restrict weights,
                                  const int height, const int width, const int channels, const int terms) {
    const int x = get_global_id(0);
    const int y = get_global_id(1);
    const int n = get_global_id(2);
    if (x >= width || y >= height) {
        return;
    }
    const size_t plane = (size_t)height * width;
    const size_t sample = (size_t)channels * plane;
    const size_t pixel = (size_t)y * width + x;
    __global const float* w = weights + (size_t)n * terms;
    __global const float* first = src + (size_t)n * terms * sample + pixel;
    __global float* to = dst + (size_t)n * sample + pixel;
    for (int c = 0; c < channels; ++c) {
        float acc = w[0] * first[c * plane];
        for (int k = 1; k < terms; ++k) {
            const float term = w[k] * first[k * sample + c * plane];
            acc = acc + term;
        }
        to[c * plane] = acc;
    }
}
