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
#endif
