// shuffle.cl: channel_shuffle, channels reordered per sample. CPU twin: Sources/Augment/CPU/Shuffle.swift.
//
// shuffle_channels copies output (n, c, y, x) from input (n, order[n * channels + c], y, x), float32
// NCHW. NDRange (x, y, sample * channels + c), rounded up to the work-group width (guarded).

__kernel void shuffle_channels(__global const float* restrict src,
                               __global float* restrict dst,
                               __global const int* restrict order,
                               const int channels, const int height, const int width) {
    const int x = get_global_id(0);
    const int y = get_global_id(1);
    const int plane = get_global_id(2);
    if (x >= width || y >= height) {
        return;
    }
    const int n = plane / channels;
    const int source_plane = n * channels + order[plane];
    dst[((size_t)plane * height + y) * width + x] = src[((size_t)source_plane * height + y) * width + x];
}
