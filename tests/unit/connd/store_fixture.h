/* The store a connd unit test runs against: a fresh database, in memory or in a
 * file of a new mkdtemp directory under /tmp, instances added under a name, and
 * the cleanup that closes it and removes that directory. Tests only; it never
 * removes a path it did not create. */
#ifndef STORE_FIXTURE_H
#define STORE_FIXTURE_H
#include "store/store.h"
#include "wg_test.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct {
    wg_store_t *store; /* the open store, NULL until opened */
    char dir[64];      /* the mkdtemp directory, "" in memory */
    char path[96];     /* the database file, ":memory:" in memory */
} store_fixture_t;

/* Opens a fresh store into f: in the file store.db of a new directory
 * /tmp/wg_<tag>_XXXXXX when tag is not NULL, else ":memory:". 0, or -1 with
 * the reason on stderr. */
static inline int store_fixture_open(store_fixture_t *f, const char *tag)
{
    wg_buf_t err = WG_BUF_INIT;
    int rc = -1;
    f->store = NULL;
    f->dir[0] = '\0';
    snprintf(f->path, sizeof f->path, ":memory:");
    if (tag) {
        snprintf(f->dir, sizeof f->dir, "/tmp/wg_%s_XXXXXX", tag);
        if (!mkdtemp(f->dir)) {
            perror("mkdtemp");
            f->dir[0] = '\0';
            goto done;
        }
        snprintf(f->path, sizeof f->path, "%s/store.db", f->dir);
    }
    if (wg_store_open(f->path, &f->store, &err) < 0) {
        fprintf(stderr, "%s\n", wg_buf_cstr(&err));
        goto done;
    }
    rc = 0;
done:
    wg_buf_free(&err);
    return rc;
}

/* Adds the instance name (WHATSAPP-BAILEYS, token "T") as a check and writes
 * its id into id ("" when the insert failed). */
static inline void store_fixture_add_instance(wg_store_t *s, const char *name, char id[64])
{
    Wg__Ipc__Instance in = WG__IPC__INSTANCE__INIT, *row = NULL;
    in.name = (char *)name;
    in.integration = "WHATSAPP-BAILEYS";
    in.token = "T";
    WG_CHECK_INT(wg_store_instance_insert(s, &in, &row), 0);
    snprintf(id, 64, "%s", row ? row->id : "");
    wg_store_instance_free(row);
}

/* Closes the store (when open) and removes the directory store_fixture_open
 * made, with every file in it (the database, its -wal and -shm). 0, or -1 when
 * something could not be removed. */
static inline int store_fixture_close(store_fixture_t *f)
{
    int rc = 0;
    wg_store_close(f->store);
    f->store = NULL;
    if (!f->dir[0])
        return 0;
    DIR *d = opendir(f->dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        char p[384];
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", f->dir, e->d_name);
        if (unlink(p) != 0)
            rc = -1;
    }
    if (d)
        closedir(d);
    if (rmdir(f->dir) != 0)
        rc = -1;
    f->dir[0] = '\0';
    return rc;
}
#endif
