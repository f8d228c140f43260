/* realtime/client_auth.c: the connect decision for every kind of namespace,
 * client address behind trusted proxies, allowed hosts, key sources. */
#include "realtime/client_auth.h"
#include "wg_test.h"

static wg_client_auth_result_t decide(wg_client_need_t need, int host, int has_key, int global,
                                      int own, int some, int exists, int enabled)
{
    wg_client_auth_input_t in = {need, host, has_key, global, own, some, exists, enabled};
    return wg_client_auth_decide(&in);
}

static void instance_namespace(void)
{
    const wg_client_need_t I = WG_CLIENT_NEED_INSTANCE;
    WG_CHECK_INT(decide(I, 1, 1, 0, 1, 1, 1, 1), WG_CLIENT_AUTH_OK);         /* own token */
    WG_CHECK_INT(decide(I, 1, 1, 1, 0, 0, 1, 1), WG_CLIENT_AUTH_OK);         /* global key */
    WG_CHECK_INT(decide(I, 1, 1, 0, 0, 1, 1, 1), WG_CLIENT_AUTH_WRONG_INSTANCE);
    WG_CHECK_INT(decide(I, 1, 1, 0, 0, 0, 1, 1), WG_CLIENT_AUTH_INVALID_KEY);
    WG_CHECK_INT(decide(I, 1, 0, 0, 0, 0, 1, 1), WG_CLIENT_AUTH_MISSING_KEY);
    WG_CHECK_INT(decide(I, 1, 1, 0, 1, 1, 1, 0), WG_CLIENT_AUTH_NAMESPACE_DISABLED);
    /* a wrong key learns nothing about the instance's settings */
    WG_CHECK_INT(decide(I, 1, 1, 0, 0, 0, 1, 0), WG_CLIENT_AUTH_INVALID_KEY);
    /* allowed hosts restrict first, and never replace the key */
    WG_CHECK_INT(decide(I, 0, 1, 1, 0, 0, 1, 1), WG_CLIENT_AUTH_HOST_NOT_ALLOWED);
    WG_CHECK_INT(decide(I, 1, 0, 0, 0, 0, 1, 1), WG_CLIENT_AUTH_MISSING_KEY);
    WG_CHECK_INT(decide(I, 1, 1, 1, 0, 0, 0, 1), WG_CLIENT_AUTH_UNKNOWN_INSTANCE);
}

static void global_and_any(void)
{
    const wg_client_need_t G = WG_CLIENT_NEED_GLOBAL, A = WG_CLIENT_NEED_ANY;
    WG_CHECK_INT(decide(G, 1, 1, 1, 0, 0, 0, 1), WG_CLIENT_AUTH_OK);
    WG_CHECK_INT(decide(G, 1, 1, 0, 0, 1, 0, 1), WG_CLIENT_AUTH_GLOBAL_REQUIRED);
    WG_CHECK_INT(decide(G, 1, 1, 0, 0, 0, 0, 1), WG_CLIENT_AUTH_INVALID_KEY);
    WG_CHECK_INT(decide(G, 1, 1, 1, 0, 0, 0, 0), WG_CLIENT_AUTH_NAMESPACE_DISABLED);
    WG_CHECK_INT(decide(A, 1, 1, 0, 0, 1, 0, 1), WG_CLIENT_AUTH_OK);
    WG_CHECK_INT(decide(A, 1, 1, 1, 0, 0, 0, 1), WG_CLIENT_AUTH_OK);
    WG_CHECK_INT(decide(A, 1, 1, 0, 0, 0, 0, 1), WG_CLIENT_AUTH_INVALID_KEY);
    WG_CHECK_STR(wg_client_auth_code(WG_CLIENT_AUTH_HOST_NOT_ALLOWED), "host_not_allowed");
    WG_CHECK_STR(wg_client_auth_code(WG_CLIENT_AUTH_NAMESPACE_DISABLED), "namespace_disabled");
}

static void addresses(void)
{
    const char *trusted = "127.0.0.1, ::1";
    char out[64];
    wg_client_address("127.0.0.1", NULL, trusted, out, sizeof out);
    WG_CHECK_STR(out, "127.0.0.1");
    wg_client_address("127.0.0.1", "10.0.0.7", trusted, out, sizeof out);
    WG_CHECK_STR(out, "10.0.0.7");
    /* client-supplied entries to the left of the last untrusted hop are ignored */
    wg_client_address("127.0.0.1", "6.6.6.6, 10.0.0.7, 127.0.0.1", trusted, out, sizeof out);
    WG_CHECK_STR(out, "10.0.0.7");
    /* all trusted: the leftmost */
    wg_client_address("::1", "127.0.0.1,::1", trusted, out, sizeof out);
    WG_CHECK_STR(out, "127.0.0.1");
    /* an untrusted peer's X-Forwarded-For is not believed */
    wg_client_address("192.0.2.9", "127.0.0.1", trusted, out, sizeof out);
    WG_CHECK_STR(out, "192.0.2.9");
    wg_client_address("127.0.0.1", "", trusted, out, sizeof out);
    WG_CHECK_STR(out, "127.0.0.1");
}

static void allowed_hosts(void)
{
    const char *def = "127.0.0.1,::1,::ffff:127.0.0.1";
    WG_CHECK(wg_client_host_allowed(def, "127.0.0.1"));
    WG_CHECK(wg_client_host_allowed(def, "::ffff:127.0.0.1"));
    WG_CHECK(!wg_client_host_allowed(def, "127.0.0.2"));
    WG_CHECK(!wg_client_host_allowed(def, "127.0.0"));
    WG_CHECK(wg_client_host_allowed(" 10.1.1.1 , * ", "8.8.8.8"));
    WG_CHECK(!wg_client_host_allowed("", "127.0.0.1"));
    WG_CHECK(!wg_client_host_allowed(NULL, "127.0.0.1"));
}

static void key_sources(void)
{
    char key[64];
    WG_CHECK_INT(wg_client_key_pick("{\"apikey\":\"A\",\"token\":\"T\"}", "apikey=Q", "H", key,
                                    sizeof key),
                 WG_CLIENT_KEY_AUTH);
    WG_CHECK_STR(key, "A");
    WG_CHECK_INT(wg_client_key_pick("{\"token\":\"T\"}", NULL, NULL, key, sizeof key),
                 WG_CLIENT_KEY_AUTH);
    WG_CHECK_STR(key, "T");
    WG_CHECK_INT(wg_client_key_pick("{}", "EIO=4&apikey=a%2Bb&t=x", "H", key, sizeof key),
                 WG_CLIENT_KEY_QUERY);
    WG_CHECK_STR(key, "a+b");
    WG_CHECK_INT(wg_client_key_pick("{\"apikey\":\"\"}", "EIO=4", "H", key, sizeof key),
                 WG_CLIENT_KEY_HEADER);
    WG_CHECK_STR(key, "H");
    WG_CHECK_INT(wg_client_key_pick("not json", "", "", key, sizeof key), WG_CLIENT_KEY_NONE);
    WG_CHECK_INT(wg_client_key_pick("{\"apikey\":5}", NULL, NULL, key, sizeof key),
                 WG_CLIENT_KEY_NONE);
    WG_CHECK_INT(wg_client_key_pick(NULL, NULL, "0123456789", key, 5), WG_CLIENT_KEY_HEADER);
    WG_CHECK_STR(key, "0123");
}

int main(void)
{
    WG_RUN(instance_namespace);
    WG_RUN(global_and_any);
    WG_RUN(addresses);
    WG_RUN(allowed_hosts);
    WG_RUN(key_sources);
    return wg_test_done();
}
