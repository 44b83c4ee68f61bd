// blur.cl: separable Gaussian blur and torchvision's sharpness. CPU twin: Sources/Augment/CPU/Blur.swift.
//
// The Gaussian blur reads the batch in its own element type and layout (uint8 / uint16 / float32,
// NHWC / NCHW: the input conversion happens as each value is loaded, exactly as warp_remap converts)
// and writes float32 NCHW. Per-sample kernels (sizes and weights differ between samples) come as
// one array per axis padded to the batch's largest radius R and centred on R; sample n's radius r
// selects its taps, so a batch is one launch whatever the mix of sizes.
//
// blur_tile (the path for R <= 16 on both axes) does both passes in one launch: a work-group loads
// a (TILE_H + 2 RY) x (TILE_W + 2 RX) tile of one plane into local memory, runs the row pass on all
// of its rows, then the column pass, and writes the output once (1x the compulsory bytes, what a
// GPU wants; the fixed tap loops also let CPU compilers vectorise across work-items). blur_rows and
// blur_columns are the two-launch path for wider kernels (their tiles would not fit local memory).
// Both compute every output as the CPU twin does: rows first, each sum fma'd from the leftmost tap
// of the sample's own kernel.
//
// Build-time defines: SRC_U8 / SRC_U16 / SRC_F32 and SRC_NHWC / SRC_NCHW (the input of the launch),
// CHANNELS; blur_tile also RX, RY (the batch's largest radii; 0 skips that pass, as the twin does
// when every kernel along the axis has one tap), TILE_W, TILE_H (the work-group size).

#pragma OPENCL FP_CONTRACT OFF

#if defined(SRC_U8)
typedef uchar src_t;
#define LOAD_UNIT(v) unit_from_u8(v)
#elif defined(SRC_U16)
typedef ushort src_t;
#define LOAD_UNIT(v) ((float)(v))
#else
typedef float src_t;
#define LOAD_UNIT(v) (v)
#endif

// Element (n, c, y, x) of the input in its layout, as a float on torchvision's scale.
#if defined(SRC_NHWC)
#define LOAD_INPUT(src, n, c, y, x, height, width) \
    LOAD_UNIT((src)[((((size_t)(n) * (height) + (y)) * (width) + (x)) * CHANNELS) + (c)])
#else
#define LOAD_INPUT(src, n, c, y, x, height, width) \
    LOAD_UNIT((src)[(((size_t)(n) * CHANNELS + (c)) * (height) + (y)) * (width) + (x)])
#endif

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

#if defined(RX) && defined(RY) && defined(TILE_W) && defined(TILE_H)
#define IN_W (TILE_W + 2 * RX)
#define IN_H (TILE_H + 2 * RY)
#define GROUP_SIZE (TILE_W * TILE_H)
#define LOAD_STEPS ((IN_H * IN_W + GROUP_SIZE - 1) / GROUP_SIZE)
#define ROW_STEPS ((IN_H * TILE_W + GROUP_SIZE - 1) / GROUP_SIZE)

// Both passes in one launch. NDRange (roundUp(width, TILE_W), roundUp(height, TILE_H), N * CHANNELS),
// work-groups of TILE_W x TILE_H; weights_x holds 2 RX + 1 taps per sample centred on RX (likewise y).
// A tap t of the padded kernel belongs to sample n's kernel when |t - R| <= r; the others are
// skipped (not multiplied by zero: an infinite input must not leak into a neighbour's sum).
__kernel __attribute__((reqd_work_group_size(TILE_W, TILE_H, 1)))
void blur_tile(__global const src_t* restrict src,
               __global float* restrict dst,
               __global const float* restrict weights_x,
               __global const int* restrict radii_x,
               __global const float* restrict weights_y,
               __global const int* restrict radii_y,
               const int height, const int width) {
    __local float tile[IN_H * IN_W];
    __local float rows[IN_H * TILE_W];
    const int lx = get_local_id(0);
    const int ly = get_local_id(1);
    const int lid = ly * TILE_W + lx;
    const int x0 = get_group_id(0) * TILE_W;
    const int y0 = get_group_id(1) * TILE_H;
    const int plane = get_global_id(2);
    const int n = plane / CHANNELS;
    const int c = plane - n * CHANNELS;

    // The tile, rows y0 - RY ... and columns x0 - RX ..., reflected into the image.
#pragma unroll
    for (int k = 0; k < LOAD_STEPS; ++k) {
        const int i = k * GROUP_SIZE + lid;
        if (i < IN_H * IN_W) {
            const int ty = i / IN_W;
            const int tx = i - ty * IN_W;
            const int sy = reflect101(y0 - RY + ty, height);
            const int sx = reflect101(x0 - RX + tx, width);
            tile[i] = LOAD_INPUT(src, n, c, sy, sx, height, width);
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);

    // The row pass over every row of the tile (the column pass needs RY rows above and below).
#if RX > 0
    const int rx = radii_x[n];
    __global const float* wx = weights_x + (size_t)n * (2 * RX + 1);
#endif
#pragma unroll
    for (int k = 0; k < ROW_STEPS; ++k) {
        const int i = k * GROUP_SIZE + lid;
        if (i < IN_H * TILE_W) {
            const int ty = i / TILE_W;
            const int tx = i - ty * TILE_W;
#if RX > 0
            float sum = 0.0f;
#pragma unroll
            for (int t = 0; t <= 2 * RX; ++t) {
                if (abs(t - RX) <= rx) {
                    sum = fma(wx[t], tile[ty * IN_W + tx + t], sum);
                }
            }
            rows[i] = sum;
#else
            rows[i] = tile[ty * IN_W + tx];
#endif
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);

    const int x = x0 + lx;
    const int y = y0 + ly;
    if (x < width && y < height) {
#if RY > 0
        const int ry = radii_y[n];
        __global const float* wy = weights_y + (size_t)n * (2 * RY + 1);
        float sum = 0.0f;
#pragma unroll
        for (int t = 0; t <= 2 * RY; ++t) {
            if (abs(t - RY) <= ry) {
                sum = fma(wy[t], rows[(ly + t) * TILE_W + lx], sum);
            }
        }
#else
        const float sum = rows[ly * TILE_W + lx];
#endif
        dst[((size_t)plane * height + y) * width + x] = sum;
    }
}
#endif

// The two-launch path (kernels wider than blur_tile takes). One horizontal pass: out(x) = sum over t = 0 .. 2r of w[t] * in(reflect101(x + t - r)), summed
// from t = 0 upwards with fma. weights holds, per sample, 2 * max_radius + 1 taps centred on
// max_radius; radii[n] is sample n's radius.
__kernel void blur_rows(__global const src_t* restrict src,
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
    const int c = plane - n * channels;
    __global const float* w = weights + (size_t)n * (2 * max_radius + 1) + (max_radius - r);
    float sum = 0.0f;
    for (int t = 0; t <= 2 * r; ++t) {
        sum = fma(w[t], LOAD_INPUT(src, n, c, y, reflect101(x + t - r, width), height, width), sum);
    }
    dst[((size_t)plane * height + y) * width + x] = sum;
}

// The vertical pass, the same along y.
__kernel void blur_columns(__global const src_t* restrict src,
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
    const int c = plane - n * channels;
    __global const float* w = weights + (size_t)n * (2 * max_radius + 1) + (max_radius - r);
    float sum = 0.0f;
    for (int t = 0; t <= 2 * r; ++t) {
        sum = fma(w[t], LOAD_INPUT(src, n, c, reflect101(y + t - r, height), x, height, width), sum);
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
