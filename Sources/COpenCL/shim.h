#ifndef SWIFT_AUGMENT_COPENCL_SHIM_H
#define SWIFT_AUGMENT_COPENCL_SHIM_H
// Target the OpenCL 1.2 host API: it is what every vendor's driver implements (NVIDIA, AMD,
// Intel, Apple, PoCL), and it keeps the 1.2 entry points free of deprecation warnings.
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#endif
