/* JID text form: parse, format, predicates, Signal address names. */
#include "wa/jid.h"

#include "wg_err.h"
#include "wg_test.h"

static wg_jid_t parse_ok(const char *s)
{
    wg_jid_t j;
    memset(&j, 0, sizeof j);
    int rc = wg_jid_parse(s, strlen(s), &j);
    WG_CHECK_INT(rc, 0);
    wg_buf_t out = WG_BUF_INIT;
    wg_jid_format(&j, &out);
    WG_CHECK_STR(wg_buf_cstr(&out), s); /* canonical inputs format back */
    wg_buf_free(&out);
    return j;
}

static void test_kinds(void)
{
    wg_jid_t j = parse_ok("15551234567@s.whatsapp.net");
    WG_CHECK_STR(j.user, "15551234567");
    WG_CHECK_STR(j.server, "s.whatsapp.net");
    WG_CHECK(!j.has_device && !j.has_agent && wg_jid_is_user(&j) && !wg_jid_is_lid(&j));
    WG_CHECK_INT(wg_jid_domain_type(&j), 0);

    j = parse_ok("15551234567:12@s.whatsapp.net");
    WG_CHECK(j.has_device && j.device == 12);
    j = parse_ok("15551234567:0@s.whatsapp.net");
    WG_CHECK(j.has_device && j.device == 0);
    j = parse_ok("15551234567_5:2@s.whatsapp.net");
    WG_CHECK(j.has_agent && j.agent == 5 && j.device == 2 && strcmp(j.user, "15551234567") == 0);
    WG_CHECK_INT(wg_jid_domain_type(&j), 5);
    j = parse_ok("123456789012345:3@lid");
    WG_CHECK(wg_jid_is_lid(&j) && wg_jid_is_user(&j));
    WG_CHECK_INT(wg_jid_domain_type(&j), WG_JID_DOMAIN_LID);
    j = parse_ok("123:3@hosted");
    WG_CHECK_INT(wg_jid_domain_type(&j), WG_JID_DOMAIN_HOSTED);
    j = parse_ok("123:3@hosted.lid");
    WG_CHECK_INT(wg_jid_domain_type(&j), WG_JID_DOMAIN_HOSTED_LID);
    j = parse_ok("120363012345678901@g.us");
    WG_CHECK(wg_jid_is_group(&j) && !wg_jid_is_user(&j));
    j = parse_ok("15551234567-1600000000@g.us");
    WG_CHECK_STR(j.user, "15551234567-1600000000");
    j = parse_ok("status@broadcast");
    WG_CHECK(wg_jid_is_broadcast(&j) && wg_jid_is_status_broadcast(&j));
    j = parse_ok("1600000000@broadcast");
    WG_CHECK(wg_jid_is_broadcast(&j) && !wg_jid_is_status_broadcast(&j));
    j = parse_ok("120363123456789012@newsletter");
    WG_CHECK(wg_jid_is_newsletter(&j));
    j = parse_ok("@s.whatsapp.net");
    WG_CHECK_STR(j.user, "");
    j = parse_ok("16505361212@c.us");
    WG_CHECK(wg_jid_is_user(&j));
    j = parse_ok("13135550002@bot");
    j = parse_ok("123:7@msgr");
    WG_CHECK(j.device == 7);
    j = parse_ok("42-123:7@interop");
    WG_CHECK(j.has_integrator && j.integrator == 42 && strcmp(j.user, "123") == 0 && j.device == 7);
    j = parse_ok("alice_bob@s.whatsapp.net"); /* '_' + non-digits stays in the user */
    WG_CHECK(!j.has_agent && strcmp(j.user, "alice_bob") == 0);
    j = parse_ok("ABCDEF0123456789@call");
}

static void test_rejects(void)
{
    static const char *const bad[] = {
        "",
        "15551234567",
        "user@",
        "a@b@c",
        "u:@s.whatsapp.net",
        "u:x@s.whatsapp.net",
        "u:65536@s.whatsapp.net",
        "u:1:2@s.whatsapp.net",
        "u:-1@s.whatsapp.net",
        "a\nb@s.whatsapp.net",
        "u@s.what:sapp.net",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wg_jid_t j;
        int rc = wg_jid_parse(bad[i], strlen(bad[i]), &j);
        if (rc == 0)
            fprintf(stderr, "accepted \"%s\"\n", bad[i]);
        WG_CHECK(rc != 0);
    }
    char long_user[200];
    memset(long_user, '1', 150);
    strcpy(long_user + 150, "@s.whatsapp.net");
    wg_jid_t j;
    WG_CHECK_INT(wg_jid_parse(long_user, strlen(long_user), &j), WG_ETOOBIG);
    WG_CHECK_INT(wg_jid_parse("u@a-very-long-server-name-over-31-bytes", 39, &j), WG_ETOOBIG);
    /* only the given length is read */
    WG_CHECK_INT(wg_jid_parse("u@g.usXXXX", 6, &j), 0);
    WG_CHECK_STR(j.server, "g.us");
    WG_CHECK_INT(wg_jid_parse(NULL, 0, &j), WG_EINVAL);
}

static void test_make_and_helpers(void)
{
    wg_jid_t a, b;
    WG_CHECK_INT(wg_jid_make(&a, "15551234567", WG_JID_SERVER_USER), 0);
    WG_CHECK_INT(wg_jid_make(&b, NULL, WG_JID_SERVER_USER), 0);
    WG_CHECK_STR(b.user, "");
    WG_CHECK_INT(wg_jid_make(&b, "x", ""), WG_EINVAL);
    WG_CHECK_INT(wg_jid_make(&b, "x@y", "g.us"), WG_EINVAL);
    wg_jid_parse("15551234567:9@s.whatsapp.net", 28, &b);
    WG_CHECK(wg_jid_same_user(&a, &b));
    wg_jid_parse("15551234567@lid", 15, &b);
    WG_CHECK(!wg_jid_same_user(&a, &b));

    wg_buf_t name = WG_BUF_INIT;
    uint32_t device = 99;
    wg_jid_signal_address(&a, &name, &device);
    WG_CHECK_STR(wg_buf_cstr(&name), "15551234567");
    WG_CHECK_INT(device, 0);
    wg_buf_reset(&name);
    wg_jid_parse("12345:7@lid", 11, &b);
    wg_jid_signal_address(&b, &name, &device);
    WG_CHECK_STR(wg_buf_cstr(&name), "12345_1"); /* wa-protocol.md §4.3 */
    WG_CHECK_INT(device, 7);
    wg_buf_reset(&name);
    wg_jid_parse("12345:2@hosted", 14, &b);
    wg_jid_signal_address(&b, &name, &device);
    WG_CHECK_STR(wg_buf_cstr(&name), "12345_128");
    wg_buf_free(&name);
}

static void test_bare_text(void)
{
    char out[64];
    wg_jid_t parsed;
    WG_CHECK_INT(wg_jid_bare_text("5511999:12@s.whatsapp.net", out, sizeof out, &parsed), 0);
    WG_CHECK_STR(out, "5511999@s.whatsapp.net");
    WG_CHECK_INT(parsed.device, 12);
    WG_CHECK_INT(wg_jid_bare_text("123-456@g.us", out, sizeof out, NULL), 0);
    WG_CHECK_STR(out, "123-456@g.us");
    WG_CHECK_INT(wg_jid_bare_text("@s.whatsapp.net", out, sizeof out, NULL), WG_EINVAL);
    WG_CHECK_INT(wg_jid_bare_text(NULL, out, sizeof out, NULL), WG_EINVAL);
    WG_CHECK_INT(wg_jid_bare_text("5511999@s.whatsapp.net", out, 10, NULL), WG_EINVAL);
}

int main(void)
{
    WG_RUN(test_kinds);
    WG_RUN(test_rejects);
    WG_RUN(test_make_and_helpers);
    WG_RUN(test_bare_text);
    return wg_test_done();
}
