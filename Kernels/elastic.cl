// elastic.cl: the drawn displacement field of elastic_transform, made on the device.
// CPU twin: ElasticField.pixels(sample:) in Sources/Augment/Plan/ElasticField.swift (and
// Sources/Augment/CPU/Elastic.swift for the sampling through the field, which happens inside the
// warp kernels: -DDISPLACEMENT in Kernels/warp.cl).
//
// The same float32 operations in the same order as the CPU twin.
// Three passes: uniforms (N, 2, H, W), the horizontal blur (N, 2, H, W), the vertical blur times
// alpha / 2 into the interleaved field (N, H, W, 2) in pixels, which warp_general reads
// (-DDISPLACEMENT, Kernels/warp.cl).
// ---------------------------------------------------------------------------------------------

// Element e of a sample's field stream as a uniform in [-1, 1): 24 bits of a Philox word, exact.
inline float elastic_unit(const uint word) {
    return (float)(word >> 8) * 0x1p-24f * 2.0f - 1.0f;
}

// Reflect without repeating the edge (torch "reflect"), folding until inside [0, n).
inline int elastic_reflect(int i, const int n) {
    if (n <= 1) {
        return 0;
    }
    while (i < 0 || i >= n) {
        i = i < 0 ? -i : 2 * (n - 1) - i;
    }
    return i;
}

// One work-item per Philox block: elements 4b ... 4b + 3 of sample n's 2·H·W uniforms.
// NDRange (blocks rounded up, N). keys: 2 words per sample, bases: 4 per sample (the 4th unused).
__kernel void elastic_field_noise(__global float* restrict out,
                                  __global const uint* restrict keys,
                                  __global const uint* restrict bases,
                                  const uint per_sample) {
    const uint b = (uint)get_global_id(0);
    const int n = (int)get_global_id(1);
    const uint e = b * 4u;
    if (e >= per_sample) {
        return;
    }
    const uint4 w = philox4x32_10((uint4)(b, bases[4 * n], bases[4 * n + 1], bases[4 * n + 2]),
                                  (uint2)(keys[2 * n], keys[2 * n + 1]));
    __global float* o = out + (size_t)n * per_sample;
    o[e] = elastic_unit(w.x);
    if (e + 1u < per_sample) o[e + 1u] = elastic_unit(w.y);
    if (e + 2u < per_sample) o[e + 2u] = elastic_unit(w.z);
    if (e + 3u < per_sample) o[e + 3u] = elastic_unit(w.w);
}

// The horizontal blur of plane p = z % 2 of sample z / 2: NDRange (ceil(W / 4) rounded up, H, 2N),
// four neighbouring outputs per work-item (float4 lanes; every lane does the scalar sum's fma in
// the same order, so the bits do not depend on the lane). taps holds per plane the row taps then
// the column taps (sizes k0, k1; 0: the plane is copied).
__kernel void elastic_field_rows(__global const float* restrict src,
                                 __global float* restrict dst,
                                 __global const float* restrict taps,
                                 const int k0, const int k1,
                                 const int height, const int width) {
    const int x0 = 4 * (int)get_global_id(0);
    const int y = (int)get_global_id(1);
    const int z = (int)get_global_id(2);
    if (x0 >= width) {
        return;
    }
    const int p = z & 1;
    const int k = p == 0 ? k0 : k1;
    __global const float* h = taps + (p == 0 ? 0 : 2 * k0);
    const size_t row = ((size_t)z * height + y) * width;
    const int r = k / 2;
    if (k > 0 && x0 >= r && x0 + 3 + r < width) {  // all four windows inside the row: no reflection
        __global const float* s = src + row + (x0 - r);
        float4 sum = (float4)(0.0f);
        for (int t = 0; t < k; ++t) {
            sum = fma((float4)(h[t]), vload4(0, s + t), sum);
        }
        vstore4(sum, 0, dst + row + x0);
        return;
    }
    for (int x = x0; x < min(x0 + 4, width); ++x) {
        if (k == 0) {
            dst[row + x] = src[row + x];
            continue;
        }
        float sum = 0.0f;
        for (int t = 0; t < k; ++t) {
            sum = fma(h[t], src[row + elastic_reflect(x + t - r, width)], sum);
        }
        dst[row + x] = sum;
    }
}

// The vertical blur and the scale to pixels, into the interleaved field: NDRange (ceil(W / 4)
// rounded up, H, 2N), four neighbouring columns per work-item as above.
__kernel void elastic_field_columns(__global const float* restrict src,
                                    __global float* restrict field,
                                    __global const float* restrict taps,
                                    const int k0, const int k1,
                                    const float scale0, const float scale1,
                                    const int height, const int width) {
    const int x0 = 4 * (int)get_global_id(0);
    const int y = (int)get_global_id(1);
    const int z = (int)get_global_id(2);
    if (x0 >= width) {
        return;
    }
    const int p = z & 1;
    const int n = z >> 1;
    const int k = p == 0 ? k0 : k1;
    const float scale = p == 0 ? scale0 : scale1;
    __global const float* v = taps + (p == 0 ? k0 : 2 * k0 + k1);
    __global const float* s = src + (size_t)z * height * width;
    __global float* out = field + (((size_t)n * height + y) * width) * 2 + p;
    const int r = k / 2;
    if (k > 0 && y >= r && y + r < height && x0 + 3 < width) {  // the windows inside the columns
        __global const float* c = s + (size_t)(y - r) * width + x0;
        float4 sum = (float4)(0.0f);
        for (int t = 0; t < k; ++t) {
            sum = fma((float4)(v[t]), vload4(0, c + (size_t)t * width), sum);
        }
        sum = sum * scale;
        out[(size_t)x0 * 2] = sum.x;
        out[(size_t)(x0 + 1) * 2] = sum.y;
        out[(size_t)(x0 + 2) * 2] = sum.z;
        out[(size_t)(x0 + 3) * 2] = sum.w;
        return;
    }
    for (int x = x0; x < min(x0 + 4, width); ++x) {
        float sum;
        if (k == 0) {
            sum = s[(size_t)y * width + x];
        } else {
            sum = 0.0f;
            for (int t = 0; t < k; ++t) {
                sum = fma(v[t], s[(size_t)elastic_reflect(y + t - r, height) * width + x], sum);
            }
        }
        out[(size_t)x * 2] = sum * scale;
    }
}
