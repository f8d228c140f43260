/* The instance-name rule (see wg_names.h). */
#include "wg_names.h"
#include <ctype.h>
#include <string.h>

int wg_instance_name_valid(const char *name)
{
    if (!name || !isalnum((unsigned char)name[0]))
        return 0;
    size_t n = strlen(name);
    if (n > WG_INSTANCE_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!(isalnum(c) || c == '_' || c == '.' || c == '-'))
            return 0;
    }
    return 1;
}
