// saliency.cl: the saliency peak of each image of a float32 NCHW batch, for saliency_mix (whose
// box is then pasted by mix.cl's mix_apply). CPU twin: Sources/Augment/CPU/Saliency.swift.
// Stage: MixStage with saliencyCuts (Sources/Augment/Plan/MixStage.swift).
//
// Frequency-tuned saliency (Achanta et al. 2009) in integers, so that every device finds the same
// peak as the CPU twin:
//   q_c(y, x) = rint(clamp(v, 0, 1) * 255)                                     (NaN -> 0)
//   B_c(y, x) = 5x5 binomial blur of q_c, weights [1 4 6 4 1] x [1 4 6 4 1] (sum 256), edges repeated
//   S_c       = sum of q_c over the image
//   s(y, x)   = sum_c |H W B_c(y, x) - 256 S_c|                                (64-bit integers)
//   peak      = the flat index y * W + x of the largest s, the lowest index on ties.
// One work-group of SAL_GROUP work-items (a power of two, fixed: the local arrays and the tree
// reductions are sized by it) per sample; NDRange (SAL_GROUP, samples). `wanted[n]` is 0 for a sample
// whose peak no pair needs: that group returns at once (uniformly, before any barrier). The channel
// sums go through `sums` (global, samples x channels), written by work-item 0 and read by the whole
// group after a global-memory barrier.

#ifndef SAL_GROUP
#define SAL_GROUP 64
#endif

inline long sal_level(const float v) {
    const float c = v > 0.0f ? (v < 1.0f ? v : 1.0f) : 0.0f;  // NaN -> 0, as the CPU twin
    return (long)convert_int_rte(c * 255.0f);
}

inline int sal_clamp(const int v, const int high) {
    return v < 0 ? 0 : (v > high ? high : v);
}

__kernel void saliency_peak(__global const float* restrict src,
                            __global const int* restrict wanted,
                            __global long* restrict sums,
                            __global int* restrict peaks,
                            const int height, const int width, const int channels) {
    const int lid = get_local_id(0);
    const int n = get_group_id(1);
    if (wanted[n] == 0) {
        return;  // uniform over the work-group
    }
    __local long partial[SAL_GROUP];
    __local int partial_index[SAL_GROUP];
    const int plane = height * width;
    __global const float* image = src + (size_t)n * channels * plane;
    __global long* image_sums = sums + (size_t)n * channels;

    for (int c = 0; c < channels; ++c) {
        long s = 0;
        for (int p = lid; p < plane; p += SAL_GROUP) s += sal_level(image[(size_t)c * plane + p]);
        partial[lid] = s;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int offset = SAL_GROUP / 2; offset > 0; offset >>= 1) {
            if (lid < offset) partial[lid] += partial[lid + offset];
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        if (lid == 0) image_sums[c] = partial[0];
        barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);
    }

    const long area = (long)plane;
    const long w[5] = {1, 4, 6, 4, 1};
    long best = -1;
    int best_index = plane;  // no pixel yet: loses every comparison
    for (int p = lid; p < plane; p += SAL_GROUP) {
        const int y = p / width;
        const int x = p - y * width;
        long saliency = 0;
        for (int c = 0; c < channels; ++c) {
            __global const float* channel = image + (size_t)c * plane;
            long blurred = 0;
            for (int i = -2; i <= 2; ++i) {
                __global const float* row = channel + (size_t)sal_clamp(y + i, height - 1) * width;
                long line = 0;
                for (int j = -2; j <= 2; ++j) line += w[j + 2] * sal_level(row[sal_clamp(x + j, width - 1)]);
                blurred += w[i + 2] * line;
            }
            // Both terms are >= 0: an unsigned difference, so that no compiler turns it into
            // llvm.abs (Oclgrind 21.10 has no implementation of that intrinsic).
            const ulong a = (ulong)(area * blurred);
            const ulong b = (ulong)(256 * image_sums[c]);
            saliency += (long)(a > b ? a - b : b - a);
        }
        if (saliency > best) {  // p increases: ties keep the lowest index
            best = saliency;
            best_index = p;
        }
    }
    partial[lid] = best;
    partial_index[lid] = best_index;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int offset = SAL_GROUP / 2; offset > 0; offset >>= 1) {
        if (lid < offset) {
            const long other = partial[lid + offset];
            const int other_index = partial_index[lid + offset];
            if (other > partial[lid] || (other == partial[lid] && other_index < partial_index[lid])) {
                partial[lid] = other;
                partial_index[lid] = other_index;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) peaks[n] = partial_index[0];
}
