// erase.cl: torchvision's erase with one box and fill per sample. CPU twin: Sources/Augment/CPU/Erase.swift.
//
// erase_boxes writes every output element: the input outside sample n's box, the fill inside.
// NDRange (x, y, sample * channels + c). boxes[n] = (y0, y1, x0, x1), half-open and clipped to the
// image (empty when y0 == y1). modes[n] = 0 fills with values[n * channels + c]; 1 fills with the
// standard normal value of element (c * H + y) * W + x of the sample's device noise stream
// (keys[n], bases[n]; see noise_normal in common.cl).

__kernel void erase_boxes(__global const float* restrict src,
                          __global float* restrict dst,
                          __global const int4* restrict boxes,
                          __global const int* restrict modes,
                          __global const float* restrict values,
                          __global const uint2* restrict keys,
                          __global const uint4* restrict bases,
                          const int channels, const int height, const int width) {
    const int x = get_global_id(0);
    const int y = get_global_id(1);
    const int plane = get_global_id(2);
    if (x >= width || y >= height) {
        return;
    }
    const int n = plane / channels;
    const int c = plane - n * channels;
    const size_t index = ((size_t)plane * height + y) * width + x;
    const int4 box = boxes[n];
    float value = src[index];
    if (y >= box.x && y < box.y && x >= box.z && x < box.w) {
        value = modes[n] == 0 ? values[plane]
                              : noise_normal(keys[n], bases[n], ((ulong)c * height + y) * width + x);
    }
    dst[index] = value;
}
