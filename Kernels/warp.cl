// warp.cl: geometric remapping of image batches. CPU twin: Sources/Augment/CPU/Warp.swift.
//
// warp_remap is the fused crop / flip / convert / normalize pass (the integer special case of a
// warp): output pixel (x, y) of sample n reads source pixel (w.x + w.z * x, w.y + w.w * y), where
// w = windows[n] is (x0, y0, dx, dy) with dx, dy in {-1, +1}; it converts to float on torchvision's
// scale, applies the per-channel epilogue fma(v, scale[c], bias[c]) and stores in the output
// format. One work-item per output pixel, all channels; NDRange (x, y, sample).
//
// warp_general is the general warp (the fast variant above is chosen by the host when every sample
// only moves whole pixels inside the image): output pixel (x, y) of sample n samples the input at
// (u, v) = M_n (x, y, 1) in pixel-index coordinates (M_n: 9 floats, row-major, from the host, who
// composed it in Double), dividing by the third row when PERSPECTIVE. Pixels outside the sample's
// region [x0, x1) x [y0, y1) follow the border rule. When every matrix is axis-aligned (scale,
// translation, flips) and the warp is bilinear with an edge or reflect border, or antialiased, the
// host builds it SEPARABLE: per-column and per-row source indices and weights, made once on the host
// (Sources/Augment/Plan/SeparableWarp.swift) and read by this kernel and the CPU twin alike. The input may be ragged: each sample has its own
// element offset and size. warp_mask moves integer masks with nearest sampling through the same
// matrices. Every float operation here is mirrored by Sources/Augment/CPU/Warp.swift in the same order.
//
// Build-time defines (chosen by the host per variant):
//   SRC_U8 / SRC_U16 / SRC_F32, SRC_NHWC / SRC_NCHW, DST_U8 / DST_U16 / DST_F16 / DST_F32, DST_NHWC / DST_NCHW,
//   CHANNELS (channel count), HAS_EPILOGUE (0 or 1);
//   warp_general also: INTERP (0 nearest, 1 bilinear), BORDER (0 constant, 1 edge, 2 reflect),
//   FILL (0 none, 1 torchvision mask blend, 2 extend), PERSPECTIVE (0 or 1), SEPARABLE (0 or 1:
//   sample through per-axis tap tables instead, see warp_sample_pixel) with TAPS_X, TAPS_Y;
//   warp_mask: MASK_U8 / MASK_I32, BORDER, PERSPECTIVE;
//   both: DISPLACEMENT (0 none, 1 or 2: an elastic field between the matrices, see below; never
//   with SEPARABLE).

// a*b+c is never contracted behind our back: the CPU twin must see the same roundings.
#pragma OPENCL FP_CONTRACT OFF

#if defined(SRC_U8)
typedef uchar src_t;
#define LOAD_UNIT(v) unit_from_u8(v)
#elif defined(SRC_U16)
// uint16 holds raw values (depth in millimetres, 16-bit images): not rescaled (PixelType.uint16).
typedef ushort src_t;
#define LOAD_UNIT(v) ((float)(v))
#else
typedef float src_t;
#define LOAD_UNIT(v) (v)
#endif

// STORE(p, i, v) writes the float v as element i of the output p in the output type.
#if defined(DST_U8)
typedef uchar dst_t;
#define STORE(p, i, v) ((p)[i] = u8_from_unit(v))
#elif defined(DST_U16)
// Raw values: clamp to [0, 65535] (fmax/fmin turn NaN into 0), round to nearest even.
typedef ushort dst_t;
#define STORE(p, i, v) ((p)[i] = (ushort)rint(fmin(fmax((v), 0.0f), 65535.0f)))
#elif defined(DST_F16)
// half is storage only (core OpenCL 1.2, no cl_khr_fp16): round to nearest even, as Float16(x).
typedef half dst_t;
#define STORE(p, i, v) vstore_half_rte((v), (i), (p))
#else
typedef float dst_t;
#define STORE(p, i, v) ((p)[i] = (v))
#endif

// The column direction of warp_remap, set by the host for its launches (other kernels of this file
// are built without it).
#ifndef DX
#define DX 1
#endif
#ifndef EXACT_WIDTH
#define EXACT_WIDTH 0
#endif

// Colour programs in the epilogue (ColorStage steps fused by the planner): COLOR_STEPS steps per
// sample, run on all channels of a pixel after sampling and fill, before the per-channel affine
// (normalize). 0 steps compiles to nothing. A step that needs an image statistic (contrast,
// autocontrast, equalize: at most one per sample) reads the sample's block of color_stats
// (stat_stride floats per sample), which warp_color_stats (below) took first over this warp's
// output pixels, so that the warp still writes its output once.
#ifndef COLOR_STEPS
#define COLOR_STEPS 0
#endif
#if COLOR_STEPS > 0
#define WARP_COLOR(px, n) {                                                                       \
        __global const int* cp = color_ops + (size_t)(n) * COLOR_STEPS;                           \
        __global const float* ca = color_args + (size_t)(n) * COLOR_STEPS * 2;                    \
        __global const float* cs = color_stats + (size_t)(n) * stat_stride;                      \
        COLOR_UNROLL for (int k = 0; k < COLOR_STEPS; ++k) color_step(px, cp[k], ca[2 * k], ca[2 * k + 1], cs); \
    }
#else
#define WARP_COLOR(px, n)
#endif

// Written so that PoCL vectorises across work-items (LLVM 15 vectorises PoCL's work-item loop only
// when the body is straight-line code whose addresses are affine in the work-item index): channel
// loops fully unrolled, parameters loaded as scalars (vector-typed values block it), the column
// step DX (+1 or -1) a compile-time constant (the host launches the samples of each direction
// separately), and no edge guard when the host found a work-group width that divides the output
// width (EXACT_WIDTH); then loads become wide loads + shuffles and stores wide stores.
__kernel void warp_remap(__global const src_t* restrict src,
                         __global dst_t* restrict dst,
                         __global const int* restrict windows,   // 4 ints per sample: x0, y0, dx, dy
                         __global const int* restrict samples,   // the samples of this launch
                         __constant float* scale,
                         __constant float* bias,
                         const int in_h, const int in_w,
                         const int out_h, const int out_w,
                         __global const int* restrict color_ops,     // samples x COLOR_STEPS
                         __global const float* restrict color_args,  // samples x COLOR_STEPS x 2
                         __global const float* restrict color_stats, // samples x stat_stride
                         const int stat_stride) {
    const size_t x = get_global_id(0);
    const int y = get_global_id(1);
    const int n = samples[get_global_id(2)];
#if !EXACT_WIDTH
    if (x >= (size_t)out_w) return;
#endif
    __global const int* w = windows + 4 * n;
    const int sy = w[1] + w[3] * y;
    const size_t in_plane = (size_t)in_h * in_w;
    const size_t out_plane = (size_t)out_h * out_w;
#if defined(SRC_NHWC)
    __global const src_t* row = src + (((size_t)n * in_h + sy) * in_w + w[0]) * CHANNELS;
    __global const src_t* s = row + DX * (ptrdiff_t)(x * CHANNELS);
    const size_t s_step = 1;
#else
    __global const src_t* row = src + (size_t)n * CHANNELS * in_plane + (size_t)sy * in_w + w[0];
    __global const src_t* s = row + DX * (ptrdiff_t)x;
    const size_t s_step = in_plane;
#endif
#if defined(DST_NHWC)
    __global dst_t* d = dst + (((size_t)n * out_h + y) * out_w) * CHANNELS + x * CHANNELS;
    const size_t d_step = 1;
#else
    __global dst_t* d = dst + (size_t)n * CHANNELS * out_plane + (size_t)y * out_w + x;
    const size_t d_step = out_plane;
#endif
    float pv[CHANNELS];
#pragma unroll
    for (int c = 0; c < CHANNELS; ++c) pv[c] = LOAD_UNIT(s[c * s_step]);
    WARP_COLOR(pv, n)
#pragma unroll
    for (int c = 0; c < CHANNELS; ++c) {
        float v = pv[c];
#if HAS_EPILOGUE
        v = fma(v, scale[c], bias[c]);
#endif
        STORE(d, c * d_step, v);
    }
}

// ---------------------------------------------------------------------------------------------
// General warp
// ---------------------------------------------------------------------------------------------

#ifndef INTERP
#define INTERP 0
#endif
#ifndef BORDER
#define BORDER 1
#endif
#ifndef FILL
#define FILL 0
#endif
#ifndef PERSPECTIVE
#define PERSPECTIVE 0
#endif

// An index outside [lo, hi) mapped back inside by the border rule (edge: clamp; reflect: mirror
// about the edge pixel without repeating it). Constant borders are handled by the caller.
inline int warp_border_index(int i, const int lo, const int hi) {
#if BORDER == 2
    const int n = hi - lo;
    if (n == 1) {
        return lo;
    }
    const int period = 2 * (n - 1);
    int j = (i - lo) % period;
    if (j < 0) {
        j += period;
    }
    if (j >= n) {
        j = period - j;
    }
    return lo + j;
#else
    return clamp(i, lo, hi - 1);
#endif
}

// The sampling point of output pixel (x, y) in pixel-index coordinates, clamped to +-1e7 so the
// integer conversions below are defined (NaN becomes -1e7: fmax returns the non-NaN operand).
inline void warp_point(__global const float* m, const int x, const int y, float* pu, float* pv) {
    const float fx = (float)x;
    const float fy = (float)y;
    float u = fma(m[0], fx, fma(m[1], fy, m[2]));
    float v = fma(m[3], fx, fma(m[4], fy, m[5]));
#if PERSPECTIVE
    const float w = fma(m[6], fx, fma(m[7], fy, m[8]));
    u = u / w;
    v = v / w;
#endif
    *pu = fmin(fmax(u, -1.0e7f), 1.0e7f);
    *pv = fmin(fmax(v, -1.0e7f), 1.0e7f);
}

#ifndef SEPARABLE
#define SEPARABLE 0
#endif
#ifndef TAPS_X
#define TAPS_X 2
#endif
#ifndef TAPS_Y
#define TAPS_Y 2
#endif
// Entries per output index in the tap tables (SeparableAxis.taps); TAPS_X / TAPS_Y bound the taps a
// variant reads (warp_general: the tap counts of the samples it is launched for).
#ifndef TABLE_TAPS_X
#define TABLE_TAPS_X TAPS_X
#endif
#ifndef TABLE_TAPS_Y
#define TABLE_TAPS_Y TAPS_Y
#endif

#ifndef DISPLACEMENT
#define DISPLACEMENT 0
#endif
#if DISPLACEMENT
// An elastic_transform inside the warp (-DDISPLACEMENT=1: the post matrices move whole pixels, the
// field is read at a grid pixel; 2: read bilinearly): q = post (x, y) clamped into the grid,
// q' = q + field(q), then the group matrix m maps q' to the input. field: this sample's (H, W, 2)
// pixels (elastic.cl makes drawn ones). *pmask is the grid's own fill mask at q' (torchvision's
// all-ones image sampled there: bilinear, the sum of the in-grid tap weights; nearest, 1 or 0),
// which WARP_ELASTIC_FILL blends with the elastic fill. CPU twin: CPUDisplacement.point.
inline void warp_displaced_point(__global const float* m, __global const float* post,
                                 __global const float* field, const int fh, const int fw,
                                 const int x, const int y, float* pu, float* pv, float* pmask) {
    float qx, qy;
    warp_point(post, x, y, &qx, &qy);
    qx = fmin(fmax(qx, 0.0f), (float)(fw - 1));
    qy = fmin(fmax(qy, 0.0f), (float)(fh - 1));
#if DISPLACEMENT == 1
    const size_t at = ((size_t)(int)qy * fw + (int)qx) * 2;
    const float dx = field[at];
    const float dy = field[at + 1];
#else
    const float fx = floor(qx);
    const float fy = floor(qy);
    const float ax = qx - fx;
    const float ay = qy - fy;
    const float bx = 1.0f - ax;
    const float by = 1.0f - ay;
    const int xa = (int)fx;
    const int ya = (int)fy;
    const int xb = min(xa + 1, fw - 1);
    const int yb = min(ya + 1, fh - 1);
    const size_t a00 = ((size_t)ya * fw + xa) * 2, a01 = ((size_t)ya * fw + xb) * 2;
    const size_t a10 = ((size_t)yb * fw + xa) * 2, a11 = ((size_t)yb * fw + xb) * 2;
    const float k00 = bx * by, k01 = ax * by, k10 = bx * ay, k11 = ax * ay;
    float dx = k00 * field[a00];
    dx = fma(k01, field[a01], dx);
    dx = fma(k10, field[a10], dx);
    dx = fma(k11, field[a11], dx);
    float dy = k00 * field[a00 + 1];
    dy = fma(k01, field[a01 + 1], dy);
    dy = fma(k10, field[a10 + 1], dy);
    dy = fma(k11, field[a11 + 1], dy);
#endif
    const float ux = qx + dx;
    const float uy = qy + dy;
#if INTERP == 0
    const float rx = floor(ux + 0.5f);
    const float ry = floor(uy + 0.5f);
    *pmask = (rx >= 0.0f && rx < (float)fw && ry >= 0.0f && ry < (float)fh) ? 1.0f : 0.0f;
#else
    {
        const float gx = floor(ux);
        const float gy = floor(uy);
        const float ex = ux - gx;
        const float ey = uy - gy;
        const float fx0 = 1.0f - ex;
        const float fy0 = 1.0f - ey;
        const bool ixa = gx >= 0.0f && gx < (float)fw, ixb = gx + 1.0f >= 0.0f && gx + 1.0f < (float)fw;
        const bool iya = gy >= 0.0f && gy < (float)fh, iyb = gy + 1.0f >= 0.0f && gy + 1.0f < (float)fh;
        float mask = (ixa && iya) ? fx0 * fy0 : 0.0f;
        mask = mask + ((ixb && iya) ? ex * fy0 : 0.0f);
        mask = mask + ((ixa && iyb) ? fx0 * ey : 0.0f);
        mask = mask + ((ixb && iyb) ? ex * ey : 0.0f);
        *pmask = mask;
    }
#endif
    const float u = fma(m[0], ux, fma(m[1], uy, m[2]));
    const float v = fma(m[3], ux, fma(m[4], uy, m[5]));
    *pu = fmin(fmax(u, -1.0e7f), 1.0e7f);
    *pv = fmin(fmax(v, -1.0e7f), 1.0e7f);
}
#define WARP_DISPLACEMENT_ARGS , __global const float* restrict field, __global const float* restrict post, \
                               const int field_h, const int field_w, __global const float* restrict elastic_fill
// The same, as parameters of warp_sample_pixel (not restrict: see there) and as its call's arguments.
#define WARP_DISPLACEMENT_PARAMS , __global const float* field, __global const float* post, \
                                 const int field_h, const int field_w, __global const float* elastic_fill
#define WARP_DISPLACEMENT_PASS , field, post, field_h, field_w, elastic_fill
#define WARP_POINT(n, x, y, pu, pv) float emask; warp_displaced_point(matrices + 9 * (size_t)(n), \
        post + 9 * (size_t)(n), field + (size_t)(n) * field_h * field_w * 2, field_h, field_w, x, y, pu, pv, &emask)
#if INTERP == 0
#define WARP_ELASTIC_FILL(px) { for (int c = 0; c < CHANNELS; ++c) px[c] = emask != 0.0f ? px[c] : elastic_fill[c]; }
#else
#define WARP_ELASTIC_FILL(px) { for (int c = 0; c < CHANNELS; ++c) px[c] = fma(emask, px[c] - elastic_fill[c], elastic_fill[c]); }
#endif
#if SEPARABLE
#error "DISPLACEMENT and SEPARABLE exclude each other (WarpStage.isSeparable is false with a displacement)"
#endif
#else
#define WARP_DISPLACEMENT_ARGS
#define WARP_DISPLACEMENT_PARAMS
#define WARP_DISPLACEMENT_PASS
#define WARP_POINT(n, x, y, pu, pv) warp_point(matrices + 9 * (size_t)(n), x, y, pu, pv)
#define WARP_ELASTIC_FILL(px)
#endif

// The sampled (and filled) channel values pv[0..CHANNELS) of output pixel (x, y) of sample n, on
// torchvision's float scale, before colour programs and the epilogue: the one place a warp samples
// its input (warp_general calls it; a pass that needs the same samples, such as image statistics of
// the warped image, calls it with the same arguments). With SEPARABLE the matrices, regions and fill
// are not read: the per-axis tap tables (WarpStage.separableTables) give each output column taps_x
// input columns and weights and each output row taps_y input rows and weights (the sample's own tap
// counts, SeparableAxis.sampleTaps, at most TAPS_X and TAPS_Y: warp_general passes the compile-time
// counts of its launch, so the loops unroll fully and PoCL vectorises them), and the pixel is
// sum_ty wy * (sum_tx wx * in[iy][ix]) accumulated with fma from 0 in tap order (antialiased
// resampling, and the axis-aligned fast path of bilinear warps). Otherwise the matrix of sample n
// gives the sampling point, read through the border rule and filled. Forced inline (PoCL otherwise
// keeps the call, measured 10-25% slower on the affine pipeline); its pointers are not `restrict`
// (the kernel's are): inlined restrict parameters emit llvm.experimental.noalias.scope.decl, which
// Oclgrind cannot run.
inline __attribute__((always_inline)) void warp_sample_pixel(__global const src_t* src,
                              __global const float* matrices,
                              __global const int* regions,
                              __global const long* offsets,
                              __global const int* sizes,
                              __constant float* fill,
                              __global const int* col_index,
                              __global const float* col_weight,
                              __global const int* row_index,
                              __global const float* row_weight,
                              const int out_h, const int out_w,
                              const int x, const int y, const int n, const int taps_x, const int taps_y,
                              float* pv WARP_DISPLACEMENT_PARAMS) {
    const int in_h = sizes[2 * n];
    const int in_w = sizes[2 * n + 1];
    __global const src_t* s = src + offsets[n];
#if defined(SRC_NHWC)
    const size_t s_step = 1;
#define PIXEL(ix, iy) (((size_t)(iy) * in_w + (ix)) * CHANNELS)
#else
    const size_t s_step = (size_t)in_h * in_w;
#define PIXEL(ix, iy) ((size_t)(iy) * in_w + (ix))
#endif
#if SEPARABLE
    __global const int* ci = col_index + ((size_t)n * out_w + x) * TABLE_TAPS_X;
    __global const float* cw = col_weight + ((size_t)n * out_w + x) * TABLE_TAPS_X;
    __global const int* ri = row_index + ((size_t)n * out_h + y) * TABLE_TAPS_Y;
    __global const float* rw = row_weight + ((size_t)n * out_h + y) * TABLE_TAPS_Y;
#pragma unroll
    for (int c = 0; c < CHANNELS; ++c) pv[c] = 0.0f;
#pragma unroll
    for (int ty = 0; ty < min(taps_y, TAPS_Y); ++ty) {
        const int iy = ri[ty];
        const float wy = rw[ty];
        float h[CHANNELS];
#pragma unroll
        for (int c = 0; c < CHANNELS; ++c) h[c] = 0.0f;
#pragma unroll
        for (int tx = 0; tx < min(taps_x, TAPS_X); ++tx) {
            const size_t at = PIXEL(ci[tx], iy);
            const float wx = cw[tx];
#pragma unroll
            for (int c = 0; c < CHANNELS; ++c) h[c] = fma(wx, LOAD_UNIT(s[at + c * s_step]), h[c]);
        }
#pragma unroll
        for (int c = 0; c < CHANNELS; ++c) pv[c] = fma(wy, h[c], pv[c]);
    }
#else
    float px, py;
    WARP_POINT(n, x, y, &px, &py);
    __global const int* rp = regions + 4 * n;
    const int rx0 = rp[0], ry0 = rp[1], rx1 = rp[2], ry1 = rp[3];
#if INTERP == 0
    int ix = (int)floor(px + 0.5f);
    int iy = (int)floor(py + 0.5f);
#if BORDER == 0
    const bool ok = ix >= rx0 && ix < rx1 && iy >= ry0 && iy < ry1;
    ix = clamp(ix, rx0, rx1 - 1);
    iy = clamp(iy, ry0, ry1 - 1);
#else
    ix = warp_border_index(ix, rx0, rx1);
    iy = warp_border_index(iy, ry0, ry1);
#endif
    const size_t at = PIXEL(ix, iy);
#pragma unroll
    for (int c = 0; c < CHANNELS; ++c) {
        float value = LOAD_UNIT(s[at + c * s_step]);
#if BORDER == 0
#if FILL == 0
        value = ok ? value : 0.0f;
#else
        value = ok ? value : fill[c];
#endif
#endif
        pv[c] = value;
    }
    WARP_ELASTIC_FILL(pv)
#else
    const float x0f = floor(px);
    const float y0f = floor(py);
    const float ax = px - x0f;
    const float ay = py - y0f;
    const float bx = 1.0f - ax;
    const float by = 1.0f - ay;
    float k00 = bx * by;
    float k01 = ax * by;
    float k10 = bx * ay;
    float k11 = ax * ay;
    int xa = (int)x0f;
    int ya = (int)y0f;
#if BORDER == 0
    const bool okxa = xa >= rx0 && xa < rx1;
    const bool okxb = xa >= rx0 - 1 && xa < rx1 - 1;
    const bool okya = ya >= ry0 && ya < ry1;
    const bool okyb = ya >= ry0 - 1 && ya < ry1 - 1;
    const bool ok00 = okxa && okya;
    const bool ok01 = okxb && okya;
    const bool ok10 = okxa && okyb;
    const bool ok11 = okxb && okyb;
    k00 = ok00 ? k00 : 0.0f;
    k01 = ok01 ? k01 : 0.0f;
    k10 = ok10 ? k10 : 0.0f;
    k11 = ok11 ? k11 : 0.0f;
    float mask = k00 + k01;
    mask = mask + k10;
    mask = mask + k11;
#endif
#if BORDER == 0 || BORDER == 1
    // Clamping is the same for both borders: one clamp per axis, and the second tap is the first
    // plus 0 or 1 pixels (exactly clamp(xa + 1, rx0, rx1 - 1), since xa + 1 stays inside only when
    // xa is in [rx0, rx1 - 1)). Clamping xa and xa + 1 separately gave two isomorphic chains that
    // LLVM's SLP vectoriser packed into <2 x i32> / <4 x i64> values, which stopped PoCL's
    // work-item loop vectoriser ("instruction return type cannot be vectorized").
    const int stepx = (xa >= rx0 && xa < rx1 - 1) ? 1 : 0;
    const int stepy = (ya >= ry0 && ya < ry1 - 1) ? 1 : 0;
    xa = clamp(xa, rx0, rx1 - 1);
    ya = clamp(ya, ry0, ry1 - 1);
    const size_t a00 = PIXEL(xa, ya);
    const size_t a01 = a00 + (size_t)stepx * PIXEL(1, 0);
    const size_t a10 = a00 + (size_t)stepy * (PIXEL(0, 1) - PIXEL(0, 0));
    const size_t a11 = a10 + (size_t)stepx * PIXEL(1, 0);
#else
    const int xb = warp_border_index(xa + 1, rx0, rx1);
    const int yb = warp_border_index(ya + 1, ry0, ry1);
    xa = warp_border_index(xa, rx0, rx1);
    ya = warp_border_index(ya, ry0, ry1);
    const size_t a00 = PIXEL(xa, ya);
    const size_t a01 = PIXEL(xb, ya);
    const size_t a10 = PIXEL(xa, yb);
    const size_t a11 = PIXEL(xb, yb);
#endif
#pragma unroll
    for (int c = 0; c < CHANNELS; ++c) {
        const size_t cs = c * s_step;
        float v00 = LOAD_UNIT(s[a00 + cs]);
        float v01 = LOAD_UNIT(s[a01 + cs]);
        float v10 = LOAD_UNIT(s[a10 + cs]);
        float v11 = LOAD_UNIT(s[a11 + cs]);
#if BORDER == 0
        v00 = ok00 ? v00 : 0.0f;
        v01 = ok01 ? v01 : 0.0f;
        v10 = ok10 ? v10 : 0.0f;
        v11 = ok11 ? v11 : 0.0f;
#endif
        float value = k00 * v00;
        value = fma(k01, v01, value);
        value = fma(k10, v10, value);
        value = fma(k11, v11, value);
#if BORDER == 0 && FILL == 1
        value = fma(mask, value - fill[c], fill[c]);
#elif BORDER == 0 && FILL == 2
        value = fma(1.0f - mask, fill[c], value);
#endif
        pv[c] = value;
    }
    WARP_ELASTIC_FILL(pv)
#endif
#endif
#undef PIXEL
}

__kernel void warp_general(__global const src_t* restrict src,
                           __global dst_t* restrict dst,
                           __global const float* restrict matrices,
                           __global const int* restrict regions,   // 4 ints per sample: x0, y0, x1, y1
                           __global const long* restrict offsets,
                           __global const int* restrict sizes,     // 2 ints per sample: height, width
                           __constant float* scale,
                           __constant float* bias,
                           __constant float* fill,
                           const int out_h, const int out_w,
                           __global const int* restrict color_ops,     // samples x COLOR_STEPS
                           __global const float* restrict color_args,  // samples x COLOR_STEPS x 2
                           __global const float* restrict color_stats, // samples x stat_stride
                           const int stat_stride,
                           __global const int* restrict col_index,     // SEPARABLE: samples x out_w x TABLE_TAPS_X
                           __global const float* restrict col_weight,
                           __global const int* restrict row_index,     // SEPARABLE: samples x out_h x TABLE_TAPS_Y
                           __global const float* restrict row_weight,
                           __global const int* restrict samples        // the samples of this launch
                           WARP_DISPLACEMENT_ARGS) {
    const int x = get_global_id(0);
    const int y = get_global_id(1);
    const int n = samples[get_global_id(2)];
#if !EXACT_WIDTH
    if (x >= out_w) {
        return;
    }
#endif
    const size_t out_plane = (size_t)out_h * out_w;
#if defined(DST_NHWC)
    __global dst_t* d = dst + (((size_t)n * out_h + y) * out_w + x) * CHANNELS;
    const size_t d_step = 1;
#else
    __global dst_t* d = dst + (size_t)n * CHANNELS * out_plane + (size_t)y * out_w + x;
    const size_t d_step = out_plane;
#endif
    float pv[CHANNELS];
    warp_sample_pixel(src, matrices, regions, offsets, sizes, fill, col_index, col_weight, row_index, row_weight,
                      out_h, out_w, x, y, n, TAPS_X, TAPS_Y, pv WARP_DISPLACEMENT_PASS);
    WARP_COLOR(pv, n)
#pragma unroll
    for (int c = 0; c < CHANNELS; ++c) {
        float value = pv[c];
#if HAS_EPILOGUE
        value = fma(value, scale[c], bias[c]);
#endif
        STORE(d, c * d_step, value);
    }
}

#if COLOR_STEPS > 0 && (USE_CONTRAST || USE_AUTOCONTRAST || USE_EQUALIZE) && defined(STAT_GROUP)
// The image statistics of the colour epilogue (see color_stat_finish in common.cl), taken over the
// output pixels of warp_general with the same arguments: each pixel is sampled through
// warp_sample_pixel, run through the steps of the sample's program before its statistic step
// stat_step[n] (-1: none) and added; nothing is written but the statistics (a compute-only
// pre-pass: the warp then writes its output once). One work-group of STAT_GROUP work-items per
// (sample, channel), NDRange (STAT_GROUP, channels, samples); contrast uses channel 0's group only.
// A remap's statistics run through this kernel too, with its windows as integer matrices
// (RemapStage.asWarp): nearest sampling of the same pixels, the same values.
__kernel void warp_color_stats(__global const src_t* restrict src,
                               __global const float* restrict matrices,
                               __global const int* restrict regions,
                               __global const long* restrict offsets,
                               __global const int* restrict sizes,
                               __constant float* fill,
                               const int out_h, const int out_w,
                               __global const int* restrict color_ops,     // samples x COLOR_STEPS
                               __global const float* restrict color_args,  // samples x COLOR_STEPS x 2
                               __global const int* restrict stat_step,     // samples
                               __global float* restrict stats,             // samples x stat_stride
                               const int stat_stride, const float mean_scale,
                               __global const int* restrict col_index,
                               __global const float* restrict col_weight,
                               __global const int* restrict row_index,
                               __global const float* restrict row_weight,
                               __global const int* restrict tap_counts     // SEPARABLE: samples x 2 (x, y)
                               WARP_DISPLACEMENT_ARGS) {
    const int lid = get_local_id(0);
    const int channel = get_group_id(1);
    const int n = get_group_id(2);
    const int s = stat_step[n];
    if (s < 0) {
        return;  // uniform over the work-group
    }
    __global const int* program = color_ops + (size_t)n * COLOR_STEPS;
    __global const float* program_args = color_args + (size_t)n * COLOR_STEPS * 2;
    const int op = program[max(s, 0)];  // max: see color_stats in color.cl
    if (op == COLOR_CONTRAST && channel != 0) {
        return;
    }
#if SEPARABLE
    const int taps_x = tap_counts[2 * n], taps_y = tap_counts[2 * n + 1];
#else
    const int taps_x = TAPS_X, taps_y = TAPS_Y;  // unused: tap_counts is a placeholder
#endif
    __local ulong sums[STAT_GROUP];  // unsigned: wrapping addition, as Swift's &+
    __local float minima[STAT_GROUP];
    __local float maxima[STAT_GROUP];
    __local uint histogram[256];
    for (int k = lid; k < 256; k += STAT_GROUP) histogram[k] = 0;
    barrier(CLK_LOCAL_MEM_FENCE);

    const int plane = out_h * out_w;
    ulong sum = 0;
    float minimum = INFINITY;
    float maximum = -INFINITY;
    // Pixel p = y * out_w + x, stepped without a division (a division and remainder pair becomes a
    // `freeze` instruction that Oclgrind 21.10 cannot run).
    int x = lid, y = 0;
    while (x >= out_w) {
        x -= out_w;
        ++y;
    }
    for (int p = lid; p < plane; p += STAT_GROUP) {
        float v[CHANNELS];
        warp_sample_pixel(src, matrices, regions, offsets, sizes, fill, col_index, col_weight, row_index, row_weight,
                          out_h, out_w, x, y, n, taps_x, taps_y, v WARP_DISPLACEMENT_PASS);
        x += STAT_GROUP;
        while (x >= out_w) {
            x -= out_w;
            ++y;
        }
        for (int k = 0; k < s; ++k) {
            // Earlier steps never read statistics.
            color_step(v, program[k], program_args[2 * k], program_args[2 * k + 1], stats);
        }
        color_stat_add(v, op, channel, &sum, &minimum, &maximum, histogram);
    }
    color_stat_finish(op, channel, lid, plane, sum, minimum, maximum, sums, minima, maxima, histogram,
                      stats + (size_t)n * stat_stride, mean_scale);
}
#endif

#if defined(MASK_U8)
typedef uchar mask_t;
#else
typedef int mask_t;
#endif

// Integer class-id masks (N, H, W): nearest sampling through the same matrices and regions as the
// images; `fill_value` (the ignore index) where a constant border applies.
__kernel void warp_mask(__global const mask_t* restrict src,
                        __global mask_t* restrict dst,
                        __global const float* restrict matrices,
                        __global const int4* restrict regions,
                        __global const long* restrict offsets,
                        __global const int2* restrict sizes,
                        const int fill_value,
                        const int out_h, const int out_w
                        WARP_DISPLACEMENT_ARGS) {
    const int x = get_global_id(0);
    const int y = get_global_id(1);
    const int n = get_global_id(2);
    if (x >= out_w || y >= out_h) {
        return;
    }
    float px, py;
    WARP_POINT(n, x, y, &px, &py);
    const int4 r = regions[n];
    const int in_w = sizes[n].y;
    int ix = (int)floor(px + 0.5f);
    int iy = (int)floor(py + 0.5f);
    __global mask_t* d = dst + ((size_t)n * out_h + y) * out_w + x;
#if DISPLACEMENT
    if (emask == 0.0f) {  // displaced out of the elastic grid
        *d = (mask_t)fill_value;
        return;
    }
#endif
#if BORDER == 0
    if (ix < r.x || ix >= r.z || iy < r.y || iy >= r.w) {
        *d = (mask_t)fill_value;
        return;
    }
#else
    ix = warp_border_index(ix, r.x, r.z);
    iy = warp_border_index(iy, r.y, r.w);
#endif
    *d = src[offsets[n] + (size_t)iy * in_w + ix];
}
