#ifndef SWIFT_AUGMENT_CTURBOJPEG_SHIM_H
#define SWIFT_AUGMENT_CTURBOJPEG_SHIM_H
#include <turbojpeg.h>
#endif
