/* THE instance name rule of wagate, in one place: 1-64 characters from
 * [A-Za-z0-9_.-], the first a letter or digit. Names become URL path
 * segments and Socket.IO namespaces (/<name>), so nothing that needs
 * escaping in either is allowed. Evolution itself accepts any string. */
#ifndef WG_FCGI_INSTANCE_NAME_H
#define WG_FCGI_INSTANCE_NAME_H

#define WG_INSTANCE_NAME_MAX 64

/* The rule as a sentence, for 400 messages and docs. */
extern const char wg_instance_name_rule[];

/* Returns 1 when name (NUL-terminated, may be NULL) follows the rule. */
int wg_instance_name_valid(const char *name);

#endif
