// blur.cl: separable Gaussian blur and torchvision's sharpness. CPU twin: Sources/Augment/CPU/Blur.swift.
//
// Every kernel here runs one work-item per output element: NDRange (x, y, sample * channels + c),
// and finds its sample as plane / channels. Per-sample kernels (sizes and weights differ between
// samples) come as one array padded to the batch's largest radius, so a batch is one launch per
// pass whatever the mix of sizes.

// Index i reflected into [0, n) without repeating the edge (BORDER_REFLECT_101), folding again as
// often as needed when a kernel is wider than the image.
inline int reflect101(int i, int n) {
    if (n == 1) {
        return 0;
    }
    const int period = 2 * (n - 1);
    int m = i % period;
    if (m < 0) {
        m += period;
    }
    return m >= n ? period - m : m;
}

// One horizontal pass: out(x) = sum over t = 0 .. 2r of w[t] * in(reflect101(x + t - r)), summed
// from t = 0 upwards with fma. weights holds, per sample, 2 * max_radius + 1 taps centred on
// max_radius; radii[n] is sample n's radius.
__kernel void blur_rows(__global const float* restrict src,
                        __global float* restrict dst,
                        __global const float* restrict weights,
                        __global const int* restrict radii,
                        const int max_radius, const int channels,
                        const int height, const int width) {
    const int x = get_global_id(0);
    const int y = get_global_id(1);
    const int plane = get_global_id(2);
    if (x >= width || y >= height) {
        return;
    }
    const int n = plane / channels;
    const int r = radii[n];
    __global const float* w = weights + (size_t)n * (2 * max_radius + 1) + (max_radius - r);
    __global const float* row = src + ((size_t)plane * height + y) * width;
    float sum = 0.0f;
    if (x >= r && x + r < width) {
        __global const float* in = row + (x - r);
        for (int t = 0; t <= 2 * r; ++t) sum = fma(w[t], in[t], sum);
    } else {
        for (int t = 0; t <= 2 * r; ++t) sum = fma(w[t], row[reflect101(x + t - r, width)], sum);
    }
    dst[((size_t)plane * height + y) * width + x] = sum;
}

// The vertical pass, the same along y.
__kernel void blur_columns(__global const float* restrict src,
                           __global float* restrict dst,
                           __global const float* restrict weights,
                           __global const int* restrict radii,
                           const int max_radius, const int channels,
                           const int height, const int width) {
    const int x = get_global_id(0);
    const int y = get_global_id(1);
    const int plane = get_global_id(2);
    if (x >= width || y >= height) {
        return;
    }
    const int n = plane / channels;
    const int r = radii[n];
    __global const float* w = weights + (size_t)n * (2 * max_radius + 1) + (max_radius - r);
    __global const float* column = src + (size_t)plane * height * width + x;
    float sum = 0.0f;
    if (y >= r && y + r < height) {
        __global const float* in = column + (size_t)(y - r) * width;
        for (int t = 0; t <= 2 * r; ++t) sum = fma(w[t], in[(size_t)t * width], sum);
    } else {
        for (int t = 0; t <= 2 * r; ++t) sum = fma(w[t], column[(size_t)reflect101(y + t - r, height) * width], sum);
    }
    dst[((size_t)plane * height + y) * width + x] = sum;
}

// torchvision's adjust_sharpness. factors[n] = (f, 1 - f); applied[n] = 0 copies the sample. On
// images larger than 2x2, interior pixels become clamp(fma(s - x, 1 - f, x), 0, 1) with s the 3x3
// smoothing [[1,1,1],[1,5,1],[1,1,1]] / 13 summed row by row from the top-left tap; border pixels
// become clamp(x, 0, 1).
__kernel void blur_sharpness(__global const float* restrict src,
                             __global float* restrict dst,
                             __global const float2* restrict factors,
                             __global const int* restrict applied,
                             const int channels, const int height, const int width,
                             const float edge_weight, const float centre_weight) {
    const int x = get_global_id(0);
    const int y = get_global_id(1);
    const int plane = get_global_id(2);
    if (x >= width || y >= height) {
        return;
    }
    const int n = plane / channels;
    __global const float* image = src + (size_t)plane * height * width;
    const float v = image[(size_t)y * width + x];
    float out = v;
    if (applied[n] && height > 2 && width > 2) {
        if (y == 0 || x == 0 || y == height - 1 || x == width - 1) {
            out = torch_clamp01(v);
        } else {
            float sum = 0.0f;
            for (int dy = -1; dy <= 1; ++dy) {
                for (int dx = -1; dx <= 1; ++dx) {
                    const float weight = (dy == 0 && dx == 0) ? centre_weight : edge_weight;
                    sum = fma(weight, image[(size_t)(y + dy) * width + x + dx], sum);
                }
            }
            out = torch_clamp01(fma(sum - v, factors[n].y, v));
        }
    }
    dst[(size_t)plane * height * width + (size_t)y * width + x] = out;
}
