#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H
// The only header of libcurl that Swift sees; imported by HTTPTransport alone.
#include <curl/curl.h>

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift does not import; these
// typed shims are the whole reason this file has code.
typedef size_t (*CCurl_data_callback)(char *, size_t, size_t, void *);

static inline CURLcode CCurl_setopt_string(CURL *c, CURLoption o, const char *v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode CCurl_setopt_long(CURL *c, CURLoption o, long v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode CCurl_setopt_pointer(CURL *c, CURLoption o, void *v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode CCurl_setopt_off_t(CURL *c, CURLoption o, curl_off_t v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode CCurl_setopt_callback(CURL *c, CURLoption o, CCurl_data_callback f) { return curl_easy_setopt(c, o, f); }
static inline CURLcode CCurl_getinfo_long(CURL *c, CURLINFO i, long *out) { return curl_easy_getinfo(c, i, out); }
static inline CURLcode CCurl_getinfo_double(CURL *c, CURLINFO i, double *out) { return curl_easy_getinfo(c, i, out); }

// CURLOPT_XFERINFOFUNCTION takes a callback of another type than the data callbacks above; this
// typed setter lets HTTPTransport abort a transfer whose Swift task was cancelled (the callback
// returns non-zero and curl_easy_perform ends with CURLE_ABORTED_BY_CALLBACK).
typedef int (*CCurl_xferinfo_callback)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t);
static inline CURLcode CCurl_setopt_xferinfo(CURL *c, CCurl_xferinfo_callback f) { return curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, f); }

// CURLOPT_SEEKFUNCTION: libcurl rewinds a streamed request body through it when it must send the
// request again (a kept-alive connection that turned out closed). Its own callback type again.
typedef int (*CCurl_seek_callback)(void *, curl_off_t, int);
static inline CURLcode CCurl_setopt_seek(CURL *c, CCurl_seek_callback f) { return curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, f); }
#endif
