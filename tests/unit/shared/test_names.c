/* Unit tests for fcgi-app/instance_name.c: the one instance name rule. */
#include "wg_names.h"
#include "wg_test.h"

static void accepted(void)
{
    const char *ok[] = {"a", "Z", "0", "abc", "my-inst_1.v2", "9lives",
                        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        WG_CHECK(wg_instance_name_valid(ok[i]));
}

static void rejected(void)
{
    const char *bad[] = {"", "-a", "_a", ".a", "a b", "a/b", "a%b", "ção", "a?", "a#",
                         "a\n", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        WG_CHECK(!wg_instance_name_valid(bad[i]));
    WG_CHECK(!wg_instance_name_valid(NULL));
}

static void rule_text_names_the_limits(void)
{
    WG_CHECK(strstr(WG_INSTANCE_NAME_RULE, "64") != NULL);
    WG_CHECK(strstr(WG_INSTANCE_NAME_RULE, "letter or digit") != NULL);
}

int main(void)
{
    WG_RUN(accepted);
    WG_RUN(rejected);
    WG_RUN(rule_text_names_the_limits);
    return wg_test_done();
}
