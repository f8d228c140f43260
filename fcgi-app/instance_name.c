/* Instance name rule (see instance_name.h). Pure function, no allocation. */
#include "instance_name.h"
#include <stddef.h>

const char wg_instance_name_rule[] =
    "an instance name is 1 to 64 characters from A-Z a-z 0-9 _ . -, "
    "starting with a letter or digit";

static int is_alnum(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int wg_instance_name_valid(const char *name)
{
    if (!name || !is_alnum((unsigned char)name[0]))
        return 0;
    size_t i = 0;
    for (; name[i]; i++) {
        unsigned char c = (unsigned char)name[i];
        if (i >= WG_INSTANCE_NAME_MAX)
            return 0;
        if (!is_alnum(c) && c != '_' && c != '.' && c != '-')
            return 0;
    }
    return 1;
}
