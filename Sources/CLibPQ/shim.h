#ifndef CLIBPQ_SHIM_H
#define CLIBPQ_SHIM_H
// The only header of libpq that Swift sees; imported by PostgresClient alone.
#include <postgresql/libpq-fe.h>

// libpq prints NOTICE messages (e.g. "relation already exists, skipping") to stderr by default.
// Swift cannot form a C function pointer from a closure that captures context, so the no-op
// processor lives here.
static inline void CLibPQ_ignoreNotice(void *arg, const char *message) { (void)arg; (void)message; }
static inline void CLibPQ_silenceNotices(PGconn *conn) { PQsetNoticeProcessor(conn, CLibPQ_ignoreNotice, 0); }

// The diagnostic field codes of PQresultErrorField are character-literal macros ('C', 'M', 'D'),
// which Swift does not import; these constants carry them across.
static const int CLibPQ_DIAG_SQLSTATE = PG_DIAG_SQLSTATE;
static const int CLibPQ_DIAG_MESSAGE_PRIMARY = PG_DIAG_MESSAGE_PRIMARY;
static const int CLibPQ_DIAG_MESSAGE_DETAIL = PG_DIAG_MESSAGE_DETAIL;
#endif
