// common.cl: helpers shared by every kernel family. The host prepends this file to each family's
// source before building, so every family sees the same definitions.

#ifndef SWIFT_AUGMENT_COMMON_CL
#define SWIFT_AUGMENT_COMMON_CL

// ---------------------------------------------------------------------------------------------
// Philox4x32-10 (Salmon et al., SC'11; Random123), mirrored bit for bit by
// Sources/Augment/Random/Philox.swift. The key comes from the host (RandomKey.philoxKey: seed and
// epoch mixed), counter word 0 counts blocks, word 1 is op index | domain << 24, words 2-3 are the
// 64-bit global sample index.
// ---------------------------------------------------------------------------------------------

inline uint4 philox4x32_10(uint4 counter, uint2 key) {
    for (int round = 0; round < 10; ++round) {
        if (round > 0) {
            key.x += 0x9E3779B9u;
            key.y += 0xBB67AE85u;
        }
        const uint lo0 = 0xD2511F53u * counter.x;
        const uint hi0 = mul_hi(0xD2511F53u, counter.x);
        const uint lo1 = 0xCD9E8D57u * counter.z;
        const uint hi1 = mul_hi(0xCD9E8D57u, counter.z);
        counter = (uint4)(hi1 ^ counter.y ^ key.x, lo1, hi0 ^ counter.w ^ key.y, lo0);
    }
    return counter;
}

// uint8 -> float on torchvision's scale: to_dtype(float32, scale=True) multiplies by 1/255.
inline float unit_from_u8(uchar value) {
    return (float)value * (1.0f / 255.0f);
}

// float -> uint8 as torchvision's to_dtype(uint8, scale=True): x * (255 + 1 - 1e-3), truncated,
// after clamping to [0, 1] (fmax/fmin turn NaN into 0).
inline uchar u8_from_unit(float value) {
    return (uchar)(fmin(fmax(value, 0.0f), 1.0f) * 255.999f);
}

#endif
