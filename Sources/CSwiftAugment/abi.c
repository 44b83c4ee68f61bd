// The C ABI's types live in include/swift_augment.h; the functions are Swift @_cdecl entry points
// in Sources/AugmentC. This file pins the struct layouts that bindings (Python ctypes) rely on.
#include "swift_augment.h"
#include <stddef.h>

_Static_assert(sizeof(sa_image_desc) == 40, "sa_image_desc layout changed: bump SA_ABI_VERSION");
_Static_assert(offsetof(sa_labels, data) == 24 && sizeof(sa_labels) == 40,
               "sa_labels layout changed: bump SA_ABI_VERSION");
_Static_assert(offsetof(sa_apply_options, replay_json) == 24 && offsetof(sa_apply_options, sample_indices) == 40 &&
               offsetof(sa_apply_options, output_is_scratch) == 56 && sizeof(sa_apply_options) == 64,
               "sa_apply_options layout changed: bump SA_ABI_VERSION");
