/* Unit tests for wg_wa_url_split and wg_wa_host_is_loopback
 * (connd/wa/ws_client.c): the WA_SERVER_URL forms connd accepts, the ones
 * it refuses, and the loopback rule behind the WA_CERT_CHECK=off guard. */
#include "wa/ws_client.h"
#include "wg_test.h"

static void split_ok(void)
{
    char host[64], path[64];
    int tls, port;
    WG_CHECK_INT(wg_wa_url_split("wss://web.whatsapp.com/ws/chat", &tls, host, sizeof host, &port,
                                 path, sizeof path), 0);
    WG_CHECK_INT(tls, 1);
    WG_CHECK_INT(port, 443);
    WG_CHECK_STR(host, "web.whatsapp.com");
    WG_CHECK_STR(path, "/ws/chat");
    WG_CHECK_INT(wg_wa_url_split("ws://127.0.0.1:18181/ws/chat?access_token=x", &tls, host,
                                 sizeof host, &port, path, sizeof path), 0);
    WG_CHECK_INT(tls, 0);
    WG_CHECK_INT(port, 18181);
    WG_CHECK_STR(path, "/ws/chat?access_token=x");
    WG_CHECK_INT(wg_wa_url_split("ws://[::1]:9/", &tls, host, sizeof host, &port, path,
                                 sizeof path), 0);
    WG_CHECK_STR(host, "::1");
    WG_CHECK_INT(port, 9);
    WG_CHECK_INT(wg_wa_url_split("WS://localhost", &tls, host, sizeof host, &port, path,
                                 sizeof path), 0);
    WG_CHECK_STR(path, "/");
    WG_CHECK_INT(port, 80);
}

static void split_refused(void)
{
    const char *bad[] = {"http://h/", "ws://", "ws://:80/", "ws://h:0/", "ws://h:65536/",
                         "ws://h: +80/", "ws://h:80x/", "ws://[::1/", "ws://[]:80/",
                         "ws://[::1]x/", "wss://h:-1/"};
    char host[64], path[64];
    int tls, port;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = wg_wa_url_split(bad[i], &tls, host, sizeof host, &port, path, sizeof path);
        if (rc == 0)
            fprintf(stderr, "accepted: %s\n", bad[i]);
        WG_CHECK(rc != 0);
    }
    /* too long for the buffers: refused, never cut */
    WG_CHECK(wg_wa_url_split("ws://h/ws/chat?access_token=abcdef", &tls, host, sizeof host, &port,
                             path, 12) != 0);
    WG_CHECK(wg_wa_url_split("ws://hostname-longer-than-eight/", &tls, host, 8, &port, path,
                             sizeof path) != 0);
}

static void loopback(void)
{
    const char *yes[] = {"127.0.0.1", "127.1.2.3", "localhost", "LocalHost", "::1",
                         "0:0:0:0:0:0:0:1"};
    const char *no[] = {"127.evil.example", "127.0.0.1.nip.io", "128.0.0.1", "10.0.0.1", "::2",
                        "localhost.example", "", "0x7f000001", "::ffff:10.0.0.1"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        WG_CHECK(wg_wa_host_is_loopback(yes[i]));
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        if (wg_wa_host_is_loopback(no[i]))
            fprintf(stderr, "loopback?: %s\n", no[i]);
        WG_CHECK(!wg_wa_host_is_loopback(no[i]));
    }
}

int main(void)
{
    WG_RUN(split_ok);
    WG_RUN(split_refused);
    WG_RUN(loopback);
    return wg_test_done();
}
