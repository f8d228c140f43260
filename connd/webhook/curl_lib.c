/* libcurl loaded on first use (see curl_lib.h). */
#include "webhook/curl_lib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static wg_curl_t g_curl;
static int g_ok;
static char g_error[256];

/* dlsym into a function pointer of any type (POSIX: the object and
 * function pointer representations agree). */
#define LOAD(field, name)                                                                          \
    do {                                                                                           \
        void *sym = dlsym(lib, name);                                                              \
        if (!sym) {                                                                                \
            snprintf(g_error, sizeof g_error, "%s has no %s", WG_CURL_SONAME, name);               \
            return;                                                                                \
        }                                                                                          \
        memcpy(&g_curl.field, &sym, sizeof sym);                                                   \
    } while (0)

static void load(void)
{
    void *lib = dlopen(WG_CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        snprintf(g_error, sizeof g_error, "cannot load %s: %s", WG_CURL_SONAME, why ? why : "?");
        return;
    }
    LOAD(global_init, "curl_global_init");
    LOAD(global_cleanup, "curl_global_cleanup");
    LOAD(multi_init, "curl_multi_init");
    LOAD(multi_cleanup, "curl_multi_cleanup");
    LOAD(multi_add_handle, "curl_multi_add_handle");
    LOAD(multi_remove_handle, "curl_multi_remove_handle");
    LOAD(multi_perform, "curl_multi_perform");
    LOAD(multi_poll, "curl_multi_poll");
    LOAD(multi_wakeup, "curl_multi_wakeup");
    LOAD(multi_info_read, "curl_multi_info_read");
    LOAD(easy_init, "curl_easy_init");
    LOAD(easy_cleanup, "curl_easy_cleanup");
    LOAD(easy_setopt, "curl_easy_setopt");
    LOAD(easy_getinfo, "curl_easy_getinfo");
    LOAD(easy_strerror, "curl_easy_strerror");
    LOAD(slist_append, "curl_slist_append");
    LOAD(slist_free_all, "curl_slist_free_all");
    g_ok = 1; /* the library stays loaded for the process's life */
}

const wg_curl_t *wg_curl(wg_buf_t *err)
{
    pthread_once(&g_once, load);
    if (g_ok)
        return &g_curl;
    if (err)
        wg_buf_append_str(err, g_error);
    return NULL;
}
