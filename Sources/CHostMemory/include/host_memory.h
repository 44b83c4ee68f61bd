#ifndef SWIFT_AUGMENT_HOST_MEMORY_H
#define SWIFT_AUGMENT_HOST_MEMORY_H
// Keeps large freed blocks in the heap (glibc): returns 1 when applied, 0 elsewhere.
int augment_retain_large_blocks(void);
#endif
