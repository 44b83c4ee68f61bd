// noise.cl: additive Gaussian noise from the device noise streams. CPU twin: Sources/Augment/CPU/Noise.swift.
//
// noise_gaussian: element e = (c * H + y) * W + x of sample n becomes
// x + fma(z, sigma[n], mean[n]) with z = noise_normal(keys[n], bases[n], e) (common.cl), clamped to
// [0, 1] as torch.clamp when clip is set; samples with applied[n] == 0 are copied.
// NDRange (x, y, sample * channels + c).

__kernel void noise_gaussian(__global const float* restrict src,
                             __global float* restrict dst,
                             __global const float2* restrict mean_sigma,
                             __global const int* restrict applied,
                             __global const uint2* restrict keys,
                             __global const uint4* restrict bases,
                             const int clip, const int channels, const int height, const int width) {
    const int x = get_global_id(0);
    const int y = get_global_id(1);
    const int plane = get_global_id(2);
    if (x >= width || y >= height) {
        return;
    }
    const int n = plane / channels;
    const int c = plane - n * channels;
    const size_t index = ((size_t)plane * height + y) * width + x;
    float value = src[index];
    if (applied[n]) {
        const float2 ms = mean_sigma[n];
        const float z = noise_normal(keys[n], bases[n], ((ulong)c * height + y) * width + x);
        value = value + fma(z, ms.y, ms.x);
        if (clip) {
            value = torch_clamp01(value);
        }
    }
    dst[index] = value;
}
