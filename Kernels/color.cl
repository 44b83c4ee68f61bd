// color.cl: per-pixel colour programs (ColorStage). CPU twin: Sources/Augment/CPU/Color.swift.
//
// Every sample has its own program: up to `steps` (op, a, b) triples, padded with COLOR_IDENTITY.
// color_apply runs sample n's program on each of its pixels, one work-item per pixel with all
// channels, NDRange (x, y, sample). A program may hold one step that needs an image statistic
// (contrast: mean of the grayscale image; autocontrast: per-channel minimum and range; equalize:
// per-channel lookup table from the histogram). color_stats computes it first, over the image as
// it is just before that step, by running the program's earlier steps on the fly; one work-group
// per (sample, channel), NDRange (STAT_GROUP, channels, samples).
//
// Build-time defines: CHANNELS (channels the programs see), OUT_CHANNELS (1 when a 3-channel program
// ends in grayscale, 3 when a 1-channel image is replicated, else CHANNELS), STAT_GROUP (work-group
// size of color_stats, a power of two), and USE_<OP> for each op the stage uses, so that a variant
// compiles only the math it needs. A stage on some channels only (ColorStage.channelIndices:
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
    COLOR_UNROLL for (int k = 0; k < STEPS; ++k) {
        color_step(v, program[k], program_args[2 * k], program_args[2 * k + 1], sample_stats);
    }
#if defined(CHANNEL_MAP)
    // The other channels pass through bit for bit; the selected ones are overwritten after.
    __global float* d = dst + (size_t)n * IMAGE_CHANNELS * plane + p;
    for (int c = 0; c < IMAGE_CHANNELS; ++c) d[c * plane] = s[c * plane];
    COLOR_UNROLL for (int c = 0; c < CHANNELS; ++c) d[COLOR_SOURCE_CHANNEL(c) * plane] = v[c];
#else
    __global float* d = dst + (size_t)n * OUT_CHANNELS * plane + p;
    COLOR_UNROLL for (int c = 0; c < OUT_CHANNELS; ++c) d[c * plane] = v[OUT_CHANNELS == CHANNELS ? c : 0];
#endif
}

#if USE_CONTRAST || USE_AUTOCONTRAST || USE_EQUALIZE

// Statistics of sample n for the program step stat_step[n] (-1: none), taken over the image after
// the steps before it. One work-group per (sample, channel); contrast uses only channel 0's group.
// What is written: color_stat_finish in common.cl (shared with warp.cl's warp_color_stats).
__kernel void color_stats(__global const float* restrict src,
                          __global const int* restrict ops,
                          __global const float2* restrict args,
                          __global const int* restrict stat_step,
                          __global float* restrict stats,
                          const int steps, const int stat_stride,
                          const int height, const int width, const float mean_scale) {
    const int lid = get_local_id(0);
    const int channel = get_group_id(1);
    const int n = get_group_id(2);
    const int s = stat_step[n];
    if (s < 0) {
        return;  // uniform over the work-group
    }
    __global const int* program = ops + (size_t)n * steps;
    __global const float2* program_args = args + (size_t)n * steps;
    // max(s, 0): Intel's CPU compiler hoists this load above the return and sign-extends nothing,
    // so program[-1] became a load 16 GiB past the buffer (SIGSEGV); the index is valid either way.
    const int op = program[max(s, 0)];
    if (op == COLOR_CONTRAST && channel != 0) {
        return;
    }
    __local ulong sums[STAT_GROUP];  // unsigned: wrapping addition, as Swift's &+
    __local float minima[STAT_GROUP];
    __local float maxima[STAT_GROUP];
    __local uint histogram[256];
    for (int k = lid; k < 256; k += STAT_GROUP) histogram[k] = 0;
    barrier(CLK_LOCAL_MEM_FENCE);

    const size_t plane = (size_t)height * width;
    __global const float* image = src + (size_t)n * IMAGE_CHANNELS * plane;
    ulong sum = 0;
    float minimum = INFINITY;
    float maximum = -INFINITY;
    for (size_t p = lid; p < plane; p += STAT_GROUP) {
        float v[CHANNELS];
        for (int c = 0; c < CHANNELS; ++c) v[c] = image[COLOR_SOURCE_CHANNEL(c) * plane + p];
        for (int k = 0; k < s; ++k) {
            const float2 ab = program_args[k];
            color_step(v, program[k], ab.x, ab.y, stats);  // earlier steps never read statistics
        }
        color_stat_add(v, op, channel, &sum, &minimum, &maximum, histogram);
    }
    color_stat_finish(op, channel, lid, (int)plane, sum, minimum, maximum, sums, minima, maxima, histogram,
                      stats + (size_t)n * stat_stride, mean_scale);
}

#endif
