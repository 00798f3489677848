#ifndef CLIBPQ_SHIM_H
#define CLIBPQ_SHIM_H
// The only header of libpq that Swift sees; imported by PostgresClient alone.
#include <postgresql/libpq-fe.h>

// libpq prints NOTICE messages (e.g. "relation already exists, skipping") to stderr by default.
// Swift cannot form a C function pointer from a closure that captures context, so the no-op
// processor lives here.
static inline void CLibPQ_ignoreNotice(void *arg, const char *message) { (void)arg; (void)message; }
static inline void CLibPQ_silenceNotices(PGconn *conn) { PQsetNoticeProcessor(conn, CLibPQ_ignoreNotice, 0); }
#endif
