// color.cl: per-pixel colour programs (ColorStage). CPU twin: Sources/Augment/CPU/Color.swift.
//
// Every sample has its own program: up to `steps` (op, a, b) triples, padded with COLOR_IDENTITY.
// color_apply runs sample n's program on each of its pixels, one work-item per pixel with all
// channels, NDRange (x, y, sample). A program may hold one step that needs an image statistic
// (contrast: mean of the grayscale image; autocontrast: per-channel minimum and range; equalize:
// per-channel lookup table from the histogram). color_stats_rows and color_stats_finish compute it
// first, over the image as it is just before that step, by running the program's earlier steps on
// the fly (see below).
//
// Build-time defines: CHANNELS (channels the programs see), OUT_CHANNELS (1 when a 3-channel program
// ends in grayscale, 3 when a 1-channel image is replicated, else CHANNELS), STEPS (the programs'
// length), ROW_GROUP and EXACT_WIDTH (the work-group width of color_apply and color_stats_rows, and
// whether it divides the width), USE_<OP> for each op the stage uses, so that a variant compiles
// only the math it needs, BLEND_FORM and HUE_SLOT (common.cl), HAS_EPILOGUE (color_apply ends with
// the per-channel fma(v, scale[c], bias[c]) of a warp it was split from, see Backend/Warp.swift). A stage on some channels only (ColorStage.channelIndices:
// multispectral bands, RGBA) also gets IMAGE_CHANNELS (the image's channels) and CHANNEL_MAP (the
// CHANNELS image channels the programs see, comma-separated); color_apply copies every other
// channel unchanged and OUT_CHANNELS is then CHANNELS.

#if defined(CHANNEL_MAP)
__constant int color_channel_map[CHANNELS] = {CHANNEL_MAP};
#define COLOR_SOURCE_CHANNEL(c) color_channel_map[c]
#else
#define IMAGE_CHANNELS CHANNELS
#define COLOR_SOURCE_CHANNEL(c) (c)
#endif

// The op codes and the per-pixel colour math (color_step and its helpers) live in common.cl, so
// that the warp kernels can run colour programs in their epilogue too.

// ---------------------------------------------------------------------------------------------
// Kernels
// ---------------------------------------------------------------------------------------------

// Written so that PoCL vectorises across work-items (see warp.cl's warp_remap): the step loop runs
// to the compile-time STEPS (the host's step count, padded with identity steps), steps dispatch
// with an if-chain (LLVM 15 does not vectorise loops containing a switch), the per-pixel math is
// forced inline (a call blocks vectorisation), arguments are loaded as scalars, channel loops are
// unrolled, and EXACT_WIDTH drops the edge guard when the work-group width divides the width.
__kernel void color_apply(__global const float* restrict src,
                          __global float* restrict dst,
                          __global const int* restrict ops,      // samples x steps
                          __global const float* restrict args,   // samples x steps x 2: (a, b)
                          __global const float* restrict stats,  // samples x stat_stride
                          __constant float* scale,                // OUT_CHANNELS, HAS_EPILOGUE
                          __constant float* bias,                 // OUT_CHANNELS, HAS_EPILOGUE
                          const int steps, const int stat_stride,
                          const int height, const int width) {
    const int x = get_global_id(0);
    const int y = get_global_id(1);
    const int n = get_global_id(2);
#if !EXACT_WIDTH
    if (x >= width) {
        return;
    }
#endif
    const size_t plane = (size_t)height * width;
    const size_t p = (size_t)y * width + x;
    __global const float* s = src + (size_t)n * IMAGE_CHANNELS * plane + p;
    float v[CHANNELS];
    COLOR_UNROLL for (int c = 0; c < CHANNELS; ++c) v[c] = s[COLOR_SOURCE_CHANNEL(c) * plane];
    __global const int* program = ops + (size_t)n * steps;
    __global const float* program_args = args + (size_t)n * steps * 2;
    __global const float* sample_stats = stats + (size_t)n * stat_stride;
    COLOR_RUN_PROGRAM(v, program, program_args, sample_stats);
#if defined(CHANNEL_MAP)
    // The other channels pass through bit for bit; the selected ones are overwritten after.
    __global float* d = dst + (size_t)n * IMAGE_CHANNELS * plane + p;
    for (int c = 0; c < IMAGE_CHANNELS; ++c) d[c * plane] = s[c * plane];
    COLOR_UNROLL for (int c = 0; c < CHANNELS; ++c) d[COLOR_SOURCE_CHANNEL(c) * plane] = v[c];
#else
    __global float* d = dst + (size_t)n * OUT_CHANNELS * plane + p;
    COLOR_UNROLL for (int c = 0; c < OUT_CHANNELS; ++c) {
        const float out = v[OUT_CHANNELS == CHANNELS ? c : 0];
#if HAS_EPILOGUE
        d[c * plane] = fma(out, scale[c], bias[c]);  // as warp.cl's epilogue
#else
        d[c * plane] = out;
#endif
    }
#endif
}

#if USE_CONTRAST || USE_AUTOCONTRAST || USE_EQUALIZE

// The statistic of sample n's step stat_step[n] (-1: none), taken over the image after the steps
// before it, in two launches that read the image once:
//   color_stats_rows, NDRange and work-groups as color_apply (one work-item per pixel with all
//   channels, a work-group per row segment): every work-item runs the earlier steps on its pixel
//   (the same unrolled STEPS loop as color_apply over the programs as the host cut them: the
//   statistic step and every step after it set to identity, so that no step depends on a
//   per-sample limit, which PoCL vectorised 1.7x slower), the group's partials (contrast: the sum of color_contrast_term; autocontrast: each
//   channel's minimum and maximum) are reduced by its first work-item and written per (sample,
//   segment); equalize counts each channel's pixels into the sample's global histogram (zeroed by
//   the host) with atomics.
//   color_stats_finish, one work-item per (sample, channel): the totals of the segments, written
//   with COLOR_STAT_WRITE (common.cl). Integer sums and counts make the result independent of the
//   order of additions, as the CPU twin's.
// Per-pixel work-items are what a GPU wants (a work-group per sample would leave most of a GPU idle
// and is one scalar loop per sample on CPU devices); the reduction in a work-group is a serial loop
// over local memory after one barrier, which CPU compilers vectorise (a tree of barriers is not).
__kernel void color_stats_rows(__global const float* restrict src,
                               __global const int* restrict ops,      // samples x steps, see below
                               __global const float* restrict args,   // samples x steps x 2: (a, b)
                               __global const int* restrict stat_ops, // samples: the statistic's op
                               __global ulong* restrict sums,         // samples x segments
                               __global float* restrict extrema,      // samples x segments x CHANNELS x 2
                               __global uint* restrict histograms,    // samples x CHANNELS x 256, zeroed
                               const int steps, const int height, const int width) {
    // Only the partials of the statistics the stage takes are kept (USE_<OP>).
#if USE_CONTRAST
    __local int group_units[ROW_GROUP];       // color_contrast_parts
    __local uint group_fractions[ROW_GROUP];
#endif
#if USE_AUTOCONTRAST
    __local float group_minima[ROW_GROUP * CHANNELS];
    __local float group_maxima[ROW_GROUP * CHANNELS];
#endif
    {
        const int x = get_global_id(0);
        const int y = get_global_id(1);
        const int n = get_global_id(2);
        const int lid = get_local_id(0);
        // A work-item past the right edge (no EXACT_WIDTH) reads the last pixel and adds nothing
        // (an index clamped per work-item is not affine: CPU vectorisers gather it, hence two forms).
#if EXACT_WIDTH
        const bool inside = true;
        const int column = x;
#else
        const bool inside = x < width;
        const int column = min(x, width - 1);
#endif
        const size_t plane = (size_t)height * width;
        __global const float* p = src + (size_t)n * IMAGE_CHANNELS * plane + (size_t)y * width + column;
        float v[CHANNELS];
        COLOR_UNROLL for (int c = 0; c < CHANNELS; ++c) v[c] = p[COLOR_SOURCE_CHANNEL(c) * plane];
        __global const int* program = ops + (size_t)n * steps;
        __global const float* program_args = args + (size_t)n * steps * 2;
        // Steps before the statistic's never read statistics: `args` only stands in for the block.
        COLOR_RUN_PROGRAM(v, program, program_args, args);
        const int op = stat_ops[n];
#if USE_CONTRAST
        // The term is computed for every pixel and kept by select(): with `cond ? term : 0` LLVM
        // sank the whole program into a branch on the sample's op, and PoCL's vectoriser then ran
        // every step with masked gathers of the program.
        int units;
        uint fraction;
        color_contrast_parts(v, &units, &fraction);
        const int contrast = inside && op == COLOR_CONTRAST;
        group_units[lid] = select(0, units, contrast);
        group_fractions[lid] = select(0u, fraction, (uint)contrast);
#endif
#if USE_AUTOCONTRAST
        const bool extremes = inside && op == COLOR_AUTOCONTRAST;
        COLOR_UNROLL for (int c = 0; c < CHANNELS; ++c) {
            group_minima[c * ROW_GROUP + lid] = extremes ? v[c] : INFINITY;
            group_maxima[c * ROW_GROUP + lid] = extremes ? v[c] : -INFINITY;
        }
#endif
#if USE_EQUALIZE
        if (inside && op == COLOR_EQUALIZE) {
            __global uint* histogram = histograms + (size_t)n * CHANNELS * 256;
            for (int c = 0; c < CHANNELS; ++c) atomic_inc(&histogram[c * 256 + u8_from_unit(v[c])]);
        }
#endif
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    if (get_local_id(0) == 0) {
        // Work-groups are one row high and one sample deep: group ids name the segment.
        const int n = get_group_id(2);
        const size_t segments = get_num_groups(0) * (size_t)height;
        const size_t segment = (size_t)get_group_id(1) * get_num_groups(0) + get_group_id(0);
#if USE_CONTRAST
        ulong sum = 0;
        for (int i = 0; i < ROW_GROUP; ++i) sum += color_contrast_join(group_units[i], group_fractions[i]);
        sums[(size_t)n * segments + segment] = sum;
#endif
#if USE_AUTOCONTRAST
        __global float* e = extrema + ((size_t)n * segments + segment) * CHANNELS * 2;
        for (int c = 0; c < CHANNELS; ++c) {
            float minimum = INFINITY;
            float maximum = -INFINITY;
            for (int i = 0; i < ROW_GROUP; ++i) {
                minimum = fmin(minimum, group_minima[c * ROW_GROUP + i]);
                maximum = fmax(maximum, group_maxima[c * ROW_GROUP + i]);
            }
            e[2 * c] = minimum;
            e[2 * c + 1] = maximum;
        }
#endif
    }
}

// NDRange (CHANNELS, samples); contrast writes from channel 0's work-item only.
__kernel void color_stats_finish(__global const int* restrict stat_ops,
                                 __global const ulong* restrict sums,
                                 __global const float* restrict extrema,
                                 __global const uint* restrict histograms,
                                 __global float* restrict stats,  // samples x stat_stride
                                 const int stat_stride, const int segments,
                                 const int plane, const float mean_scale) {
    const int channel = get_global_id(0);
    const int n = get_global_id(1);
    const int op = stat_ops[n];
    if (op == COLOR_IDENTITY) {
        if (channel == 0) {
            stats[(size_t)n * stat_stride] = 0.0f;  // the blend form reads a mean from every block
        }
        return;
    }
    if (op == COLOR_CONTRAST && channel != 0) {
        return;
    }
    ulong sum = 0;
    float minimum = INFINITY;
    float maximum = -INFINITY;
    for (int i = 0; i < segments; ++i) {
#if USE_CONTRAST
        sum += sums[(size_t)n * segments + i];
#endif
#if USE_AUTOCONTRAST
        __global const float* e = extrema + ((size_t)n * segments + i) * CHANNELS * 2 + 2 * channel;
        minimum = fmin(minimum, e[0]);
        maximum = fmax(maximum, e[1]);
#endif
    }
    __global const uint* histogram = histograms + ((size_t)n * CHANNELS + channel) * 256;
    __global float* out = stats + (size_t)n * stat_stride;
    COLOR_STAT_WRITE(op, channel, plane, sum, minimum, maximum, histogram, out, mean_scale);
}

#endif
