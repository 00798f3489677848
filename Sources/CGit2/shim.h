#ifndef CGIT2_SHIM_H
#define CGIT2_SHIM_H
// The only header of libgit2 that Swift sees; imported by GitWatch alone.
#include <git2.h>
#endif
