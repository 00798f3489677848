#ifndef CHIREDIS_SHIM_H
#define CHIREDIS_SHIM_H
// The only header of hiredis that Swift sees; imported by RedisClient alone.
#include <hiredis/hiredis.h>

// redisContext.errstr is a fixed char[128], which Swift imports as a tuple; this hands it back as a C string.
static inline const char *CHiredis_errstr(const redisContext *context) { return context->errstr; }
#endif
