// random.cl: device-side access to the counter-based generator of common.cl.
// CPU twin: Sources/Augment/Random/Philox.swift (+ RandomStream.swift).

// Fills out[i] with Philox block (i + first_block, counter_base.x, counter_base.y, counter_base.z)
// under key: lets the tests check this file's generator against the Swift mirror.
__kernel void random_philox_blocks(__global uint4* out, uint first_block, uint4 counter_base, uint2 key) {
    const uint i = get_global_id(0);
    out[i] = philox4x32_10((uint4)(first_block + i, counter_base.x, counter_base.y, counter_base.z), key);
}
