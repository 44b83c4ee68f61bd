#ifndef SWIFT_AUGMENT_CPNG_SHIM_H
#define SWIFT_AUGMENT_CPNG_SHIM_H
#include <png.h>
#endif
