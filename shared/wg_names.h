/* The instance-name rule, in one place for both programs. Names become URL
 * segments and Socket.IO namespaces, so they are 1-64 characters of
 * [A-Za-z0-9_.-], starting with a letter or a digit. */
#ifndef WG_NAMES_H
#define WG_NAMES_H

#define WG_INSTANCE_NAME_MAX 64
#define WG_INSTANCE_NAME_RULE                                                                      \
    "instanceName must be 1-64 characters of letters, digits, '_', '.' or '-', starting with a "   \
    "letter or digit"

/* 1 when name follows the rule. */
int wg_instance_name_valid(const char *name);

#endif
