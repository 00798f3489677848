#ifndef CGIT2_SHIM_H
#define CGIT2_SHIM_H
// The only header of libgit2 that Swift sees; imported by GitWatch alone.
#include <git2.h>
#include <git2/sys/stream.h>

// The socket stream GitWatch registers with `git_stream_register(GIT_STREAM_STANDARD, ...)`, so
// every fetch's sockets (plain, under TLS, under SSH) obey the fetch's deadline.
//
// The first four fields repeat libgit2 1.5's private `git_socket_stream` on purpose: its SSH
// transport reads the descriptor `s` from a standard stream by that layout. `scope` is GitWatch's
// own retained pointer to the fetch the stream belongs to.
typedef struct cgit2_socket_stream {
    git_stream parent;
    char *host;
    char *port;
    int s;
    void *scope;
} cgit2_socket_stream;

#endif
