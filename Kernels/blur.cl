// blur.cl: separable Gaussian blur and torchvision's sharpness. CPU twin: Sources/Augment/CPU/Blur.swift.
//
// The Gaussian blur reads the batch in its own element type and layout (uint8 / uint16 / float32,
// NHWC / NCHW: the input conversion happens as each value is loaded, exactly as warp_remap converts)
// and writes float32 NCHW. Per-sample kernels (sizes and weights differ between samples) come as
// one array per axis padded to the batch's largest radius R and centred on R; sample n's radius r
// selects its taps, so the launches do not depend on the mix of sizes.
//
// blur_strip and blur_strip_edges (the path for R <= 16 on both axes) do both passes in one pass
// over memory: each work-item keeps the row sums of the input rows its outputs need in registers
// and writes its outputs once (1x the compulsory bytes); see the comment above them. blur_rows and
// blur_columns are the two-launch path for wider kernels.
// All compute every output as the CPU twin does: rows first, each sum fma'd from the leftmost tap
// of the sample's own kernel, then columns from the top tap.
//
// Build-time defines: SRC_U8 / SRC_U16 / SRC_F32 and SRC_NHWC / SRC_NCHW (the input of the launch),
// CHANNELS; blur_strip also RX, RY (the batch's largest radii; 0 skips that pass, as the twin does
// when every kernel along the axis has one tap), GROUP_W (the work-group width), STRIP (outputs per
// work-item), SINGLE_FOLD (width > RX and height > RY: borders reflect once), UNIFORM_X / UNIFORM_Y
// (every sample has the largest radius along that axis), EXACT_ROWS (STRIP divides the height).

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

#if defined(RX) && defined(RY) && defined(GROUP_W) && defined(STRIP)
// reflect101 without a division (integer divisions do not vectorise) where one fold is exact
// (SINGLE_FOLD: width > RX and height > RY: every index a written output reads lies in
// [-(n - 1), 2 (n - 1)]); indices of work-items past the image edge (their outputs are not
// written) are clamped into the image so that every load stays in bounds. Written with min/max,
// not as |i|: compilers turn `i < 0 ? -i : i` into llvm.abs, which Oclgrind 21.10 cannot run.
#if SINGLE_FOLD
inline int reflect_strip(int i, int n) {
    const int m = n - 1;
    int r = i - 2 * min(i, 0);   // i < 0: -i
    r = r - 2 * max(r - m, 0);   // r > m: 2 m - r
    return min(max(r, 0), m);
}
#else
#define reflect_strip reflect101
#endif

// Tap t (0 ... 2 R) of a padded kernel belongs to a sample of radius r when R - r <= t <= R + r;
// the others are skipped (not multiplied by zero: an infinite input must not leak into a
// neighbour's sum). UNIFORM_X / UNIFORM_Y: every sample has radius RX / RY, nothing to skip.
#if UNIFORM_X
#define STRIP_TAP_X(t) 1
#else
#define STRIP_TAP_X(t) ((t) >= RX - rx && (t) <= RX + rx)
#endif
#if UNIFORM_Y
#define STRIP_TAP_Y(t) 1
#else
#define STRIP_TAP_Y(t) ((t) >= RY - ry && (t) <= RY + ry)
#endif

// A work-item's lane e indexes the contiguous elements of one input row: in NHWC every channel of
// a sample's row (e = x CHANNELS + c, the launch's dimension 2 the sample), in NCHW one plane's row
// (e = x, dimension 2 the plane). STRIP_STEP: the distance between horizontal neighbours;
// STRIP_LANES: the row's length in lanes.
#if defined(SRC_NHWC)
#define STRIP_STEP CHANNELS
#define STRIP_ROW(z, y) (((size_t)(z) * height + (y)) * width * CHANNELS)
#else
#define STRIP_STEP 1
#define STRIP_ROW(z, y) (((size_t)(z) * height + (y)) * width)
#endif
#define STRIP_LANES (width * STRIP_STEP)
#define STRIP_ROWS (STRIP + 2 * RY)

// The row sums of the strip's input rows y0 - RY ... y0 + STRIP + RY - 1 (reflected into the
// image), sample n's taps from the leftmost; INDEX(t): the element tap t reads in a row.
#if RX > 0
#define STRIP_ROW_PASS(INDEX)                                                                      \
    _Pragma("unroll") for (int r = 0; r < STRIP_ROWS; ++r) {                                        \
        __global const src_t* row = src + STRIP_ROW(z, reflect_strip(y0 - RY + r, height));        \
        float sum = 0.0f;                                                                           \
        _Pragma("unroll") for (int t = 0; t <= 2 * RX; ++t) {                                       \
            if (STRIP_TAP_X(t)) {                                                                   \
                sum = fma(wx[t], LOAD_UNIT(row[INDEX]), sum);                                       \
            }                                                                                       \
        }                                                                                           \
        h[r] = sum;                                                                                 \
    }
#else
#define STRIP_ROW_PASS(INDEX)                                                                      \
    _Pragma("unroll") for (int r = 0; r < STRIP_ROWS; ++r) {                                        \
        const int t = 0;                                                                            \
        h[r] = LOAD_UNIT(src[STRIP_ROW(z, reflect_strip(y0 - RY + r, height)) + (INDEX)]);         \
    }
#endif

#if !UNIFORM_X && RX > 0
#define STRIP_RX const int rx = radii_x[n];
#else
#define STRIP_RX
#endif
#if !UNIFORM_Y && RY > 0
#define STRIP_RY const int ry = radii_y[n];
#else
#define STRIP_RY
#endif

// The body of both kernels: lane LANE, INDEX(t) as above. Indices are long from the lane on: a
// 32-bit index sign-extended after the add is not affine in the work-item id for LLVM, which then
// turns every load into a gather (PoCL: byte by byte).
#define STRIP_BODY(LANE, INDEX)                                                                    \
    const long e = (LANE);                                                                          \
    const int z = get_global_id(2);                                                                 \
    const int y0 = get_group_id(1) * STRIP;                                                         \
    const long x = e / STRIP_STEP;                                                                  \
    const int n = STRIP_STEP == 1 ? z / CHANNELS : z;                                               \
    const int plane = STRIP_STEP == 1 ? z : z * CHANNELS + (e - x * STRIP_STEP);                    \
    STRIP_RX                                                                                        \
    STRIP_RY                                                                                        \
    __global const float* wx = weights_x + (size_t)n * (2 * RX + 1);                                \
    __global const float* wy = weights_y + (size_t)n * (2 * RY + 1);                                \
    float h[STRIP_ROWS];                                                                            \
    STRIP_ROW_PASS(INDEX)                                                                           \
    __global float* out = dst + ((size_t)plane * height + y0) * width + x;                          \
    _Pragma("unroll") for (int s = 0; s < STRIP; ++s) {                                             \
        STRIP_COLUMN_SUM(s, sum)                                                                    \
        STRIP_STORE(s, sum)                                                                         \
    }

// The column sum of output row s, sample n's taps from the top, and its store (float32 NCHW).
#if RY > 0
#define STRIP_COLUMN_SUM(s, sum)                                                                   \
    float sum = 0.0f;                                                                               \
    _Pragma("unroll") for (int t = 0; t <= 2 * RY; ++t) {                                           \
        if (STRIP_TAP_Y(t)) {                                                                       \
            sum = fma(wy[t], h[(s) + t], sum);                                                      \
        }                                                                                           \
    }
#else
#define STRIP_COLUMN_SUM(s, sum) const float sum = h[s];
#endif
// STRIP_GUARD: whether the lane lies in the row (see the kernels).
#if EXACT_ROWS
#define STRIP_STORE(s, sum)                                                                        \
    if (STRIP_GUARD) {                                                                              \
        out[(size_t)(s) * width] = (sum);                                                           \
    }
#else
#define STRIP_STORE(s, sum)                                                                        \
    if (STRIP_GUARD && y0 + (s) < height) {                                                         \
        out[(size_t)(s) * width] = (sum);                                                           \
    }
#endif

// Both passes without local memory: each work-item computes STRIP vertically adjacent outputs of
// one input element (one lane of a row, see above). It forms the row sums of the STRIP + 2 RY input
// rows they need (in registers: every loop is unrolled at the compile-time RX, RY, STRIP), then the
// column sums. Neighbouring work-items read neighbouring elements (coalesced loads on a GPU,
// consecutive lanes for CPU vectorisers, which vectorise across work-items), and the horizontal
// halo comes through the cache. Two kernels share the work, each output written once: blur_strip
// takes the interior lanes, whose taps all lie inside the row (interior_lanes of them, a multiple
// of GROUP_W, from lane RX * step), and indexes the input affinely (vector loads on CPUs);
// blur_strip_edges takes the others (the first RX * step lanes, and from RX * step + interior_lanes
// to the row's end) and reflects. A branch between the two inside one kernel, even a
// work-group-uniform one, keeps PoCL's work-item loops from vectorising (measured, see
// docs/benchmarks.md). NDRange (interior_lanes, ceil(height / STRIP), N (NHWC) or N * CHANNELS
// (NCHW)), and for the edges (roundUp(lanes - interior_lanes, GROUP_W), same); weights_x holds
// 2 RX + 1 taps per sample centred on RX (likewise y).
__kernel __attribute__((reqd_work_group_size(GROUP_W, 1, 1)))
void blur_strip(__global const src_t* restrict src,
                __global float* restrict dst,
                __global const float* restrict weights_x,
                __global const int* restrict radii_x,
                __global const float* restrict weights_y,
                __global const int* restrict radii_y,
                const int height, const int width) {
    const long lane = get_global_id(0) + RX * STRIP_STEP;
#define STRIP_GUARD 1
    STRIP_BODY(lane, e + (t - RX) * STRIP_STEP)
#undef STRIP_GUARD
}

__kernel __attribute__((reqd_work_group_size(GROUP_W, 1, 1)))
void blur_strip_edges(__global const src_t* restrict src,
                      __global float* restrict dst,
                      __global const float* restrict weights_x,
                      __global const int* restrict radii_x,
                      __global const float* restrict weights_y,
                      __global const int* restrict radii_y,
                      const int height, const int width, const int interior_lanes) {
    const int b = get_global_id(0);
    const long lane = b < RX * STRIP_STEP ? b : b + interior_lanes;
#define STRIP_GUARD (e < STRIP_LANES)
    STRIP_BODY(lane, (long)reflect_strip((int)x + t - RX, width) * STRIP_STEP + (e - x * STRIP_STEP))
#undef STRIP_GUARD
}
#endif

// The two-launch path (kernels wider than blur_strip takes). One horizontal pass: out(x) = sum over t = 0 .. 2r of w[t] * in(reflect101(x + t - r)), summed
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
