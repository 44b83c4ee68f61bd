// warp.cl: geometric remapping of image batches. CPU twin: Sources/Augment/CPU/Warp.swift.
//
// warp_remap is the fused crop / flip / convert / normalize pass (the integer special case of a
// warp): output pixel (x, y) of sample n reads source pixel (w.x + w.z * x, w.y + w.w * y), where
// w = windows[n] is (x0, y0, dx, dy) with dx, dy in {-1, +1}; it converts to float on torchvision's
// scale, applies the per-channel epilogue fma(v, scale[c], bias[c]) and stores in the output
// format. One work-item per output pixel, all channels; NDRange (x, y, sample).
//
// Build-time defines (chosen by the host per variant):
//   SRC_U8 / SRC_F32, SRC_NHWC / SRC_NCHW, DST_U8 / DST_F32, DST_NHWC / DST_NCHW,
//   CHANNELS (channel count), HAS_EPILOGUE (0 or 1).

#if defined(SRC_U8)
typedef uchar src_t;
#define LOAD_UNIT(v) unit_from_u8(v)
#else
typedef float src_t;
#define LOAD_UNIT(v) (v)
#endif

#if defined(DST_U8)
typedef uchar dst_t;
#define STORE_UNIT(v) u8_from_unit(v)
#else
typedef float dst_t;
#define STORE_UNIT(v) (v)
#endif

__kernel void warp_remap(__global const src_t* restrict src,
                         __global dst_t* restrict dst,
                         __global const int4* restrict windows,
                         __constant float* scale,
                         __constant float* bias,
                         const int in_h, const int in_w,
                         const int out_h, const int out_w) {
    const int x = get_global_id(0);
    const int y = get_global_id(1);
    const int n = get_global_id(2);
    if (x >= out_w || y >= out_h) {
        return;
    }
    const int4 w = windows[n];
    const int sx = w.x + w.z * x;
    const int sy = w.y + w.w * y;

    const size_t in_plane = (size_t)in_h * in_w;
    const size_t out_plane = (size_t)out_h * out_w;
#if defined(SRC_NHWC)
    __global const src_t* s = src + (((size_t)n * in_h + sy) * in_w + sx) * CHANNELS;
    const size_t s_step = 1;
#else
    __global const src_t* s = src + (size_t)n * CHANNELS * in_plane + (size_t)sy * in_w + sx;
    const size_t s_step = in_plane;
#endif
#if defined(DST_NHWC)
    __global dst_t* d = dst + (((size_t)n * out_h + y) * out_w + x) * CHANNELS;
    const size_t d_step = 1;
#else
    __global dst_t* d = dst + (size_t)n * CHANNELS * out_plane + (size_t)y * out_w + x;
    const size_t d_step = out_plane;
#endif

    for (int c = 0; c < CHANNELS; ++c) {
        float v = LOAD_UNIT(s[c * s_step]);
#if HAS_EPILOGUE
        v = fma(v, scale[c], bias[c]);
#endif
        d[c * d_step] = STORE_UNIT(v);
    }
}
