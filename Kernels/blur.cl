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
// when every kernel along the axis has one tap), TILE_W, TILE_H (the work-group size), SINGLE_FOLD
// (width > RX and height > RY: borders reflect once), UNIFORM_X / UNIFORM_Y (every sample has
// the largest radius along that axis), EXACT_TILES (the tiles cover the image exactly).

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
#define STEPS_X ((TILE_W + 2 * RX + TILE_W - 1) / TILE_W)
#define STEPS_Y ((TILE_H + 2 * RY + TILE_H - 1) / TILE_H)
// The tile in local memory: its rows are the ones the column pass reads; its columns are padded
// to whole work-group widths so that no load along a row needs a guard (a guard that depends on
// the x index becomes a masked store, which CPU vectorisers refuse; a guard on the row is uniform
// along x and costs nothing): its last columns hold values nothing reads.
#define IN_W (STEPS_X * TILE_W)
#define IN_H (TILE_H + 2 * RY)

// reflect101 without a division, for images larger than the radius (SINGLE_FOLD: width > RX and
// height > RY): every index a written output reads lies in [-(n - 1), 2 (n - 1)], where one
// reflection is exact. Indices of work-items past the image edge (their outputs are not written)
// are clamped into the image so that every load stays in bounds.
#if SINGLE_FOLD
// Written with min/max, not as |i|: compilers turn `i < 0 ? -i : i` into llvm.abs, which
// Oclgrind 21.10 cannot run.
inline int reflect_tile(int i, int n) {
    const int m = n - 1;
    int r = i - 2 * min(i, 0);   // i < 0: -i
    r = r - 2 * max(r - m, 0);   // r > m: 2 m - r
    return min(max(r, 0), m);
}
#else
#define reflect_tile reflect101
#endif

// Tap t (0 ... 2 R) of a padded kernel belongs to a sample of radius r when R - r <= t <= R + r;
// the others are skipped (not multiplied by zero: an infinite input must not leak into a
// neighbour's sum). UNIFORM_X / UNIFORM_Y: every sample has radius RX / RY, nothing to skip.
#if UNIFORM_X
#define TAP_X(t) 1
#else
#define TAP_X(t) ((t) >= RX - rx && (t) <= RX + rx)
#endif
#if UNIFORM_Y
#define TAP_Y(t) 1
#else
#define TAP_Y(t) ((t) >= RY - ry && (t) <= RY + ry)
#endif

// Both passes in one launch. NDRange (roundUp(width, TILE_W), roundUp(height, TILE_H), N * CHANNELS),
// work-groups of TILE_W x TILE_H; weights_x holds 2 RX + 1 taps per sample centred on RX (likewise y).
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
    // Each phase below recomputes what it needs from the work-item ids: a value carried across a
    // barrier lives in a per-work-item array on CPU implementations, and reading the sample index
    // back from there makes the vectoriser treat the weights as gathers.

    {  // The tile: rows y0 - RY ... and columns x0 - RX ..., reflected into the image.
        const int lx = get_local_id(0);
        const int ly = get_local_id(1);
        const int x0 = get_group_id(0) * TILE_W;
        const int y0 = get_group_id(1) * TILE_H;
        const int n = get_global_id(2) / CHANNELS;
        const int c = get_global_id(2) - n * CHANNELS;
#pragma unroll
        for (int ky = 0; ky < STEPS_Y; ++ky) {
            const int ty = ly + ky * TILE_H;
            if (ty < IN_H) {
                const int sy = reflect_tile(y0 - RY + ty, height);
#pragma unroll
                for (int kx = 0; kx < STEPS_X; ++kx) {
                    const int tx = lx + kx * TILE_W;
                    tile[ty * IN_W + tx] = LOAD_INPUT(src, n, c, sy, reflect_tile(x0 - RX + tx, width), height, width);
                }
            }
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);

    {  // The row pass over every row of the tile (the column pass needs RY rows above and below).
        const int lx = get_local_id(0);
        const int ly = get_local_id(1);
#if RX > 0
        const int n = get_global_id(2) / CHANNELS;
#if !UNIFORM_X
        const int rx = radii_x[n];
#endif
        __global const float* wx = weights_x + (size_t)n * (2 * RX + 1);
#endif
#pragma unroll
        for (int ky = 0; ky < STEPS_Y; ++ky) {
            const int ty = ly + ky * TILE_H;
            if (ty < IN_H) {
#if RX > 0
                float sum = 0.0f;
#pragma unroll
                for (int t = 0; t <= 2 * RX; ++t) {
                    if (TAP_X(t)) {
                        sum = fma(wx[t], tile[ty * IN_W + lx + t], sum);
                    }
                }
                rows[ty * TILE_W + lx] = sum;
#else
                rows[ty * TILE_W + lx] = tile[ty * IN_W + lx];
#endif
            }
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);

    {  // The column pass, one output per work-item.
        const int lx = get_local_id(0);
        const int ly = get_local_id(1);
        const int x = get_group_id(0) * TILE_W + lx;
        const int y = get_group_id(1) * TILE_H + ly;
        const int plane = get_global_id(2);
#if EXACT_TILES
        {  // the NDRange is the image: no guard (a masked store would keep CPU vectorisers away)
#else
        if (x < width && y < height) {
#endif
#if RY > 0
            const int n = plane / CHANNELS;
#if !UNIFORM_Y
            const int ry = radii_y[n];
#endif
            __global const float* wy = weights_y + (size_t)n * (2 * RY + 1);
            float sum = 0.0f;
#pragma unroll
            for (int t = 0; t <= 2 * RY; ++t) {
                if (TAP_Y(t)) {
                    sum = fma(wy[t], rows[(ly + t) * TILE_W + lx], sum);
                }
            }
#else
            const float sum = rows[ly * TILE_W + lx];
#endif
            dst[((size_t)plane * height + y) * width + x] = sum;
        }
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
