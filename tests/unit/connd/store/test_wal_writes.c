/* connd/store/wal_writes: the store opens with its VFS; in a WAL file a
 * frame header waits for its page and both go out as one write, and every
 * other call (a read, a write elsewhere, a close) writes a waiting header
 * first, so the bytes are the same; a process that dies after its commits
 * (no close, no checkpoint) leaves a log that SQLite's own default VFS and
 * the store both recover, with exactly the committed rows. */
#include "store/store.h"
#include "store/store_internal.h"
#include "wg_err.h"
#include "wg_test.h"
#include "connd/store_fixture.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static store_fixture_t g_fx;

static void store_uses_it(void)
{
    sqlite3_vfs *vfs = NULL;
    WG_CHECK(store_vfs_name() != NULL);
    WG_CHECK_INT(sqlite3_file_control(g_fx.store->db, "main", SQLITE_FCNTL_VFS_POINTER, &vfs),
                 SQLITE_OK);
    WG_CHECK(vfs && strcmp(vfs->zName, STORE_VFS_NAME) == 0);
}

/* The file's bytes at off, read with plain POSIX calls. */
static int read_raw(const char *path, long off, void *buf, size_t n)
{
    int fd = open(path, O_RDONLY);
    ssize_t got = fd >= 0 ? pread(fd, buf, n, off) : -1;
    if (fd >= 0)
        close(fd);
    return got == (ssize_t)n ? 0 : -1;
}

static void headers_wait_for_their_page(void)
{
    char db[160], path[176];
    snprintf(db, sizeof db, "%s/raw.db", g_fx.dir);
    snprintf(path, sizeof path, "%s-wal", db); /* the VFS looks at its database's mode */
    int fd = open(db, O_CREAT | O_WRONLY, 0600);
    WG_CHECK(fd >= 0);
    if (fd >= 0)
        close(fd);
    sqlite3_vfs *vfs = sqlite3_vfs_find(STORE_VFS_NAME);
    WG_CHECK(vfs != NULL);
    if (!vfs)
        return;
    sqlite3_file *f = calloc(1, (size_t)vfs->szOsFile);
    int out = 0;
    int rc = vfs->xOpen(vfs, path, f, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_WAL,
                        &out);
    WG_CHECK_INT(rc, SQLITE_OK);
    if (rc != SQLITE_OK) {
        free(f);
        return;
    }
    unsigned char hdr[24], page[512], back[512];
    memset(hdr, 'h', sizeof hdr);
    memset(page, 'p', sizeof page);
    /* header then its page: one write, both there */
    WG_CHECK_INT(f->pMethods->xWrite(f, hdr, 24, 0), SQLITE_OK);
    WG_CHECK_INT(f->pMethods->xWrite(f, page, 512, 24), SQLITE_OK);
    WG_CHECK_INT(read_raw(path, 0, back, 24), 0);
    WG_CHECK(memcmp(back, hdr, 24) == 0);
    WG_CHECK_INT(read_raw(path, 24, back, 512), 0);
    WG_CHECK(memcmp(back, page, 512) == 0);
    /* a header, then a read of it: written before the read */
    hdr[0] = 'a';
    WG_CHECK_INT(f->pMethods->xWrite(f, hdr, 24, 1000), SQLITE_OK);
    memset(back, 0, sizeof back);
    WG_CHECK_INT(f->pMethods->xRead(f, back, 24, 1000), SQLITE_OK);
    WG_CHECK(memcmp(back, hdr, 24) == 0);
    /* a header, then a write elsewhere: both land where they were meant */
    hdr[0] = 'b';
    WG_CHECK_INT(f->pMethods->xWrite(f, hdr, 24, 2000), SQLITE_OK);
    WG_CHECK_INT(f->pMethods->xWrite(f, page, 100, 3000), SQLITE_OK);
    WG_CHECK_INT(read_raw(path, 2000, back, 24), 0);
    WG_CHECK(memcmp(back, hdr, 24) == 0);
    WG_CHECK_INT(read_raw(path, 3000, back, 100), 0);
    WG_CHECK(memcmp(back, page, 100) == 0);
    /* a header left waiting is written by the size query and by close */
    hdr[0] = 'c';
    WG_CHECK_INT(f->pMethods->xWrite(f, hdr, 24, 4000), SQLITE_OK);
    sqlite3_int64 size = 0;
    WG_CHECK_INT(f->pMethods->xFileSize(f, &size), SQLITE_OK);
    WG_CHECK(size == 4024);
    hdr[0] = 'd';
    WG_CHECK_INT(f->pMethods->xWrite(f, hdr, 24, 5000), SQLITE_OK);
    WG_CHECK_INT(f->pMethods->xClose(f), SQLITE_OK);
    WG_CHECK_INT(read_raw(path, 5000, back, 24), 0);
    WG_CHECK(memcmp(back, hdr, 24) == 0);
    free(f);
    unlink(path);
    unlink(db);
}

static int count_instances(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int n = -1;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM instance", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void a_killed_writer_keeps_its_commits(void)
{
    char path[160];
    snprintf(path, sizeof path, "%s/crash.db", g_fx.dir);
    int before = 0;
    pid_t pid = fork();
    if (pid == 0) {
        wg_store_t *s = NULL;
        if (wg_store_open(path, &s, NULL) < 0)
            _exit(2);
        char name[32], id[64];
        for (int i = 0; i < 300; i++) {
            snprintf(name, sizeof name, "crash%d", i);
            store_fixture_add_instance(s, name, id);
            if (!id[0])
                _exit(3);
        }
        /* one more, in a group never committed */
        if (wg_store_group_begin(s) < 0)
            _exit(4);
        store_fixture_add_instance(s, "uncommitted", id);
        _exit(0); /* no close: the log stays as a crash leaves it */
    }
    int status = -1;
    WG_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    WG_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char wal[176];
    snprintf(wal, sizeof wal, "%s-wal", path);
    WG_CHECK(access(wal, F_OK) == 0);
    /* SQLite's own VFS reads the log as the store wrote it */
    sqlite3 *db = NULL;
    WG_CHECK_INT(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    before = count_instances(db);
    WG_CHECK_INT(before, 300);
    char *err = NULL;
    sqlite3_stmt *st = NULL;
    WG_CHECK_INT(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    WG_CHECK(sqlite3_step(st) == SQLITE_ROW &&
             strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0);
    sqlite3_finalize(st);
    sqlite3_free(err);
    sqlite3_close(db);
    /* and the store reopens it */
    wg_store_t *s = NULL;
    WG_CHECK_INT(wg_store_open(path, &s, NULL), 0);
    Wg__Ipc__Instance *row = NULL;
    WG_CHECK_INT(wg_store_instance_get_by_name(s, "crash299", &row), 0);
    wg_store_instance_free(row);
    WG_CHECK_INT(wg_store_instance_get_by_name(s, "uncommitted", &row), WG_ENOTFOUND);
    WG_CHECK_INT(wg_store_close(s), 0);
    char shm[176];
    snprintf(shm, sizeof shm, "%s-shm", path);
    unlink(wal);
    unlink(shm);
    unlink(path);
}

int main(void)
{
    if (store_fixture_open(&g_fx, "wal_writes") < 0)
        return 1;
    WG_RUN(store_uses_it);
    WG_RUN(headers_wait_for_their_page);
    WG_RUN(a_killed_writer_keeps_its_commits);
    if (store_fixture_close(&g_fx) != 0)
        return 1;
    return wg_test_done();
}
