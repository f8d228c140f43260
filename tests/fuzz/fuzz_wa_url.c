/* libFuzzer target: wg_wa_url_split (WA_SERVER_URL parsing in
 * connd/wa/ws_client.c) and wg_wa_host_is_loopback on what it yields, with
 * exact and tight output buffers. Accepted URLs must give a NUL-terminated
 * host and path within their buffers, a port in 1..65535, and a path that
 * starts with '/', never cut; a host called loopback is "localhost" or an
 * address in 127.0.0.0/8 or ::1 (the WA_CERT_CHECK=off guard). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wa/ws_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(const char *url, size_t host_len, size_t path_len)
{
    char host[300], path[1100];
    memset(host, 'X', sizeof host);
    memset(path, 'X', sizeof path);
    int tls = -1, port = -1;
    if (wg_wa_url_split(url, &tls, host, host_len, &port, path, path_len) != 0)
        return;
    if (memchr(host, '\0', host_len) == NULL || memchr(path, '\0', path_len) == NULL)
        abort();
    if (host[host_len] != 'X' || path[path_len] != 'X')
        abort(); /* wrote past the buffer */
    if ((tls != 0 && tls != 1) || port < 1 || port > 65535 || path[0] != '/')
        abort();
    /* the WA_CERT_CHECK=off guard: only loopback addresses or "localhost" */
    if (wg_wa_host_is_loopback(host)) {
        struct in_addr v4;
        struct in6_addr v6;
        int ok = strcasecmp(host, "localhost") == 0 ||
                 (inet_pton(AF_INET, host, &v4) == 1 && ((const uint8_t *)&v4)[0] == 127) ||
                 (inet_pton(AF_INET6, host, &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6));
        if (!ok)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 2048)
        return 0;
    char *url = malloc(size + 1);
    memcpy(url, data, size);
    url[size] = '\0';
    one(url, 256, 1024);
    one(url, 16, 8);
    one(url, 1, 1);
    (void)wg_wa_host_is_loopback(url);
    free(url);
    return 0;
}
