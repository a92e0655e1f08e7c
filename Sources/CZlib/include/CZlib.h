#ifndef SPUR_CZLIB_H
#define SPUR_CZLIB_H
#include <zlib.h>

/// zlib's init functions are macros; Swift cannot call macros, so wrap them.
static inline int spur_deflateInit2(z_streamp strm, int level, int windowBits) {
    return deflateInit2(strm, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}

static inline int spur_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
