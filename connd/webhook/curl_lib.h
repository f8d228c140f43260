/* libcurl, loaded when webhook delivery starts (dlopen) instead of linked
 * into connd. Linked, its libraries (GnuTLS, Kerberos, LDAP, libssh2,
 * p11-kit and more: libcurl4's dependencies on Debian) were mapped and
 * initialised at every start, about 4 MB of resident memory that a gateway
 * without webhooks never uses. The table holds the functions deliverer.c
 * calls; curl.h still gives the types and constants. Any thread; loaded
 * once, never unloaded. */
#ifndef WG_WEBHOOK_CURL_LIB_H
#define WG_WEBHOOK_CURL_LIB_H

#include "wg_buf.h"

#include <curl/curl.h>

#define WG_CURL_SONAME "libcurl.so.4" /* libcurl4 (Debian), what libcurl4-openssl-dev builds against */

typedef struct {
    CURLcode (*global_init)(long flags);
    void (*global_cleanup)(void);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_cleanup)(CURLM *multi);
    CURLMcode (*multi_add_handle)(CURLM *multi, CURL *easy);
    CURLMcode (*multi_remove_handle)(CURLM *multi, CURL *easy);
    CURLMcode (*multi_perform)(CURLM *multi, int *running);
    CURLMcode (*multi_poll)(CURLM *multi, struct curl_waitfd *extra, unsigned int n, int timeout_ms,
                            int *numfds);
    CURLMcode (*multi_wakeup)(CURLM *multi);
    CURLMsg *(*multi_info_read)(CURLM *multi, int *left);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *easy);
    CURLcode (*easy_setopt)(CURL *easy, CURLoption option, ...);
    CURLcode (*easy_getinfo)(CURL *easy, CURLINFO info, ...);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
    void (*slist_free_all)(struct curl_slist *list);
} wg_curl_t;

/* The loaded library (the first call loads it), or NULL with the reason in
 * err (no libcurl.so.4, a missing function). */
const wg_curl_t *wg_curl(wg_buf_t *err);

#endif
