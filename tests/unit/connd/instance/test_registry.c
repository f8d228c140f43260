/* instance/registry.c: hash + ordered list, growth, removal, pb helpers. */
#include "instance/registry.h"
#include "wg_test.h"
#include <stdio.h>
#include <stdlib.h>

static Wg__Ipc__Instance *row(const char *name, const char *id)
{
    Wg__Ipc__Instance r = WG__IPC__INSTANCE__INIT;
    r.name = (char *)name;
    r.id = (char *)id;
    r.connection_status = "close";
    r.integration = "WHATSAPP-BAILEYS";
    r.token = "T";
    return wg_pb_clone(&r.base);
}

static void add_find_remove_many(void)
{
    wg_registry_t *reg = wg_registry_new();
    char name[32], id[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(name, sizeof name, "inst-%d", i);
        snprintf(id, sizeof id, "id-%d", i);
        wg_registry_add(reg, row(name, id));
    }
    WG_CHECK_INT(wg_registry_count(reg), 1000);
    WG_CHECK(wg_registry_find(reg, "inst-777") != NULL);
    WG_CHECK_STR(wg_registry_find_id(reg, "id-5")->row->name, "inst-5");
    WG_CHECK(wg_registry_find(reg, "inst-1000") == NULL);
    WG_CHECK(wg_registry_find(reg, NULL) == NULL);
    /* creation order */
    int i = 0, ordered = 1;
    for (wg_instance_t *it = wg_registry_first(reg); it; it = it->next_all, i++) {
        snprintf(name, sizeof name, "inst-%d", i);
        ordered &= strcmp(it->row->name, name) == 0;
    }
    WG_CHECK(ordered);
    for (int k = 0; k < 1000; k += 2) {
        snprintf(name, sizeof name, "inst-%d", k);
        wg_registry_remove(reg, wg_registry_find(reg, name));
    }
    WG_CHECK_INT(wg_registry_count(reg), 500);
    WG_CHECK(wg_registry_find(reg, "inst-2") == NULL);
    WG_CHECK(wg_registry_find(reg, "inst-3") != NULL);
    wg_registry_free(reg);
    wg_registry_free(NULL);
}

static void pb_set_str_replaces(void)
{
    Wg__Ipc__Instance *r = row("a", "b");
    wg_pb_set_str(&r->connection_status, "open");
    WG_CHECK_STR(r->connection_status, "open");
    wg_pb_set_str(&r->owner_jid, "1@s.whatsapp.net");
    wg_pb_set_str(&r->owner_jid, NULL);
    WG_CHECK(r->owner_jid == NULL);
    wg_pb_free(r);
    wg_pb_free(NULL);
}

int main(void)
{
    WG_RUN(add_find_remove_many);
    WG_RUN(pb_set_str_replaces);
    return wg_test_done();
}
