// noise.cl: additive Gaussian noise from the device noise streams. CPU twin: Sources/Augment/CPU/Noise.swift.
//
// noise_gaussian: element e = (c * H + y) * W + x of sample n becomes
// x + fma(z, sigma[n], mean[n]) with z the stream's element e (noise_normal in common.cl), clamped to
// [0, 1] as torch.clamp when clip is set; samples with applied[n] == 0 are copied.
// Each work-item handles the four elements of one Philox block, 4i ... 4i + 3 of its sample (a
// sample is contiguous in NCHW): one block and two Box-Muller pairs per four outputs.
// NDRange (blocks per sample, rounded up; samples).

__kernel void noise_gaussian(__global const float* restrict src,
                             __global float* restrict dst,
                             __global const float2* restrict mean_sigma,
                             __global const int* restrict applied,
                             __global const uint2* restrict keys,
                             __global const uint4* restrict bases,
                             const int clip, const uint sample_size) {
    const uint i = get_global_id(0);
    const size_t n = get_global_id(1);
    const uint first = 4 * i;
    if (first >= sample_size) {
        return;
    }
    const uint count = min(4u, sample_size - first);
    __global const float* s = src + n * sample_size + first;
    __global float* d = dst + n * sample_size + first;
    if (!applied[n]) {
        for (uint k = 0; k < count; ++k) d[k] = s[k];
        return;
    }
    const float2 ms = mean_sigma[n];
    const float4 z4 = noise_normal4(keys[n], bases[n], i);
    const float z[4] = {z4.x, z4.y, z4.z, z4.w};
    for (uint k = 0; k < count; ++k) {
        float value = s[k] + fma(z[k], ms.y, ms.x);
        d[k] = clip ? torch_clamp01(value) : value;
    }
}
