/* The store's SQLite VFS (see store_internal.h store_vfs_name): the
 * platform's default VFS with one change, in the write-ahead log only.
 * SQLite writes each WAL frame as two write calls, its 24-byte header and
 * then the page right after it; here the header waits in the file object
 * and goes out with its page as one write, halving the system calls of a
 * commit. Nothing else changes: any other call on that file (a read, a
 * sync, a truncate, its size, a lock, a close, a write elsewhere) first
 * writes a waiting header, and a header that never reached the kernel is
 * what a crash just before its write would have left (the frame's
 * checksum does not match, recovery stops before it). It never holds a
 * page, so a commit that returned is in the kernel exactly as before. */
#include "store/store_internal.h"
#include "wg_alloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define FRAME_HEADER 24 /* WAL_FRAME_HDRSIZE, sqlite/src/wal.c */

typedef struct {
    sqlite3_file base;         /* our methods */
    sqlite3_file *real;        /* the default VFS's file, allocated right after this struct */
    int wal;                   /* a write-ahead log: headers wait for their page */
    int waiting;               /* header holds a frame header not yet written */
    sqlite3_int64 waiting_at;  /* its offset */
    unsigned char header[FRAME_HEADER]; /* the waiting header */
    unsigned char *frame;      /* header + page, for the one write; owned */
    size_t frame_cap;          /* its size */
} wal_file_t;

static sqlite3_vfs g_vfs;       /* ours, registered once */
static sqlite3_vfs *g_real;     /* the default VFS it wraps */
static sqlite3_io_methods g_io;    /* the file methods (version 3: shared memory, mmap) */
static sqlite3_io_methods g_io_v1; /* the same for a real file of version 1 or 2 */
static int g_ready;             /* registration succeeded */

/* Writes a waiting header on its own. */
static int flush(wal_file_t *f)
{
    if (!f->waiting)
        return SQLITE_OK;
    f->waiting = 0;
    return f->real->pMethods->xWrite(f->real, f->header, FRAME_HEADER, f->waiting_at);
}

static int f_close(sqlite3_file *p)
{
    wal_file_t *f = (wal_file_t *)p;
    int rc = flush(f);
    int rc2 = f->real->pMethods->xClose(f->real);
    free(f->frame);
    f->frame = NULL;
    return rc != SQLITE_OK ? rc : rc2;
}

static int f_read(sqlite3_file *p, void *buf, int amt, sqlite3_int64 off)
{
    wal_file_t *f = (wal_file_t *)p;
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xRead(f->real, buf, amt, off);
}

static int f_write(sqlite3_file *p, const void *buf, int amt, sqlite3_int64 off)
{
    wal_file_t *f = (wal_file_t *)p;
    if (f->waiting && off == f->waiting_at + FRAME_HEADER && amt > 0) {
        size_t need = FRAME_HEADER + (size_t)amt;
        if (need > f->frame_cap) {
            free(f->frame);
            f->frame = wg_malloc(need);
            f->frame_cap = need;
        }
        memcpy(f->frame, f->header, FRAME_HEADER);
        memcpy(f->frame + FRAME_HEADER, buf, (size_t)amt);
        f->waiting = 0;
        return f->real->pMethods->xWrite(f->real, f->frame, (int)need, f->waiting_at);
    }
    int rc = flush(f);
    if (rc != SQLITE_OK)
        return rc;
    if (f->wal && amt == FRAME_HEADER) {
        memcpy(f->header, buf, FRAME_HEADER);
        f->waiting_at = off;
        f->waiting = 1;
        return SQLITE_OK;
    }
    return f->real->pMethods->xWrite(f->real, buf, amt, off);
}

/* The methods that only pass through, after a waiting header is written. */
#define FLUSHED(call)                                                                              \
    wal_file_t *f = (wal_file_t *)p;                                                               \
    int rc = flush(f);                                                                             \
    return rc != SQLITE_OK ? rc : f->real->pMethods->call

static int f_truncate(sqlite3_file *p, sqlite3_int64 size)
{
    FLUSHED(xTruncate(f->real, size));
}

static int f_sync(sqlite3_file *p, int flags)
{
    FLUSHED(xSync(f->real, flags));
}

static int f_file_size(sqlite3_file *p, sqlite3_int64 *size)
{
    FLUSHED(xFileSize(f->real, size));
}

static int f_lock(sqlite3_file *p, int level)
{
    FLUSHED(xLock(f->real, level));
}

static int f_unlock(sqlite3_file *p, int level)
{
    FLUSHED(xUnlock(f->real, level));
}

static int f_check_reserved_lock(sqlite3_file *p, int *out)
{
    FLUSHED(xCheckReservedLock(f->real, out));
}

static int f_file_control(sqlite3_file *p, int op, void *arg)
{
    FLUSHED(xFileControl(f->real, op, arg));
}

static int f_sector_size(sqlite3_file *p)
{
    wal_file_t *f = (wal_file_t *)p;
    return f->real->pMethods->xSectorSize(f->real);
}

static int f_device_characteristics(sqlite3_file *p)
{
    wal_file_t *f = (wal_file_t *)p;
    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

/* Shared memory (the WAL index) and memory-mapped pages pass through: they
 * never touch the log's bytes. */
static int f_shm_map(sqlite3_file *p, int region, int size, int extend, void volatile **out)
{
    wal_file_t *f = (wal_file_t *)p;
    return f->real->pMethods->xShmMap(f->real, region, size, extend, out);
}

static int f_shm_lock(sqlite3_file *p, int offset, int n, int flags)
{
    wal_file_t *f = (wal_file_t *)p;
    return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void f_shm_barrier(sqlite3_file *p)
{
    wal_file_t *f = (wal_file_t *)p;
    f->real->pMethods->xShmBarrier(f->real);
}

static int f_shm_unmap(sqlite3_file *p, int delete_flag)
{
    wal_file_t *f = (wal_file_t *)p;
    return f->real->pMethods->xShmUnmap(f->real, delete_flag);
}

static int f_fetch(sqlite3_file *p, sqlite3_int64 off, int amt, void **out)
{
    FLUSHED(xFetch(f->real, off, amt, out));
}

static int f_unfetch(sqlite3_file *p, sqlite3_int64 off, void *page)
{
    wal_file_t *f = (wal_file_t *)p;
    return f->real->pMethods->xUnfetch(f->real, off, page);
}

static int v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *p, int flags, int *out_flags)
{
    (void)vfs;
    wal_file_t *f = (wal_file_t *)p;
    memset(f, 0, sizeof *f);
    f->real = (sqlite3_file *)(f + 1);
    int rc = g_real->xOpen(g_real, name, f->real, flags, out_flags);
    if (rc != SQLITE_OK || !f->real->pMethods)
        return rc; /* base.pMethods stays NULL: SQLite will not close it */
    f->wal = (flags & SQLITE_OPEN_WAL) != 0;
    f->base.pMethods = f->real->pMethods->iVersion >= 3 ? &g_io : &g_io_v1;
    return SQLITE_OK;
}

static int v_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
    (void)vfs;
    return g_real->xDelete(g_real, name, sync_dir);
}

static int v_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs;
    return g_real->xAccess(g_real, name, flags, out);
}

static int v_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    (void)vfs;
    return g_real->xFullPathname(g_real, name, n, out);
}

static void *v_dl_open(sqlite3_vfs *vfs, const char *name)
{
    (void)vfs;
    return g_real->xDlOpen(g_real, name);
}

static void v_dl_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    g_real->xDlError(g_real, n, out);
}

static void (*v_dl_sym(sqlite3_vfs *vfs, void *lib, const char *sym))(void)
{
    (void)vfs;
    return g_real->xDlSym(g_real, lib, sym);
}

static void v_dl_close(sqlite3_vfs *vfs, void *lib)
{
    (void)vfs;
    g_real->xDlClose(g_real, lib);
}

static int v_randomness(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return g_real->xRandomness(g_real, n, out);
}

static int v_sleep(sqlite3_vfs *vfs, int us)
{
    (void)vfs;
    return g_real->xSleep(g_real, us);
}

static int v_current_time(sqlite3_vfs *vfs, double *out)
{
    (void)vfs;
    return g_real->xCurrentTime(g_real, out);
}

static int v_get_last_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return g_real->xGetLastError ? g_real->xGetLastError(g_real, n, out) : 0;
}

static int v_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    (void)vfs;
    return g_real->xCurrentTimeInt64(g_real, out);
}

static void register_once(void)
{
    g_real = sqlite3_vfs_find(NULL);
    /* version 2 of the VFS (xCurrentTimeInt64) and 3 of the files (shared
     * memory, mmap) are what the default unix VFS has had since 3.7.17 */
    if (!g_real || g_real->iVersion < 2)
        return;
    g_io = (sqlite3_io_methods){
        .iVersion = 3,
        .xClose = f_close,
        .xRead = f_read,
        .xWrite = f_write,
        .xTruncate = f_truncate,
        .xSync = f_sync,
        .xFileSize = f_file_size,
        .xLock = f_lock,
        .xUnlock = f_unlock,
        .xCheckReservedLock = f_check_reserved_lock,
        .xFileControl = f_file_control,
        .xSectorSize = f_sector_size,
        .xDeviceCharacteristics = f_device_characteristics,
        .xShmMap = f_shm_map,
        .xShmLock = f_shm_lock,
        .xShmBarrier = f_shm_barrier,
        .xShmUnmap = f_shm_unmap,
        .xFetch = f_fetch,
        .xUnfetch = f_unfetch,
    };
    g_io_v1 = g_io;
    g_io_v1.iVersion = 1;
    g_io_v1.xShmMap = NULL;
    g_io_v1.xShmLock = NULL;
    g_io_v1.xShmBarrier = NULL;
    g_io_v1.xShmUnmap = NULL;
    g_io_v1.xFetch = NULL;
    g_io_v1.xUnfetch = NULL;
    g_vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)sizeof(wal_file_t) + g_real->szOsFile,
        .mxPathname = g_real->mxPathname,
        .zName = STORE_VFS_NAME,
        .xOpen = v_open,
        .xDelete = v_delete,
        .xAccess = v_access,
        .xFullPathname = v_full_pathname,
        .xDlOpen = v_dl_open,
        .xDlError = v_dl_error,
        .xDlSym = v_dl_sym,
        .xDlClose = v_dl_close,
        .xRandomness = v_randomness,
        .xSleep = v_sleep,
        .xCurrentTime = v_current_time,
        .xGetLastError = v_get_last_error,
        .xCurrentTimeInt64 = v_current_time_int64,
    };
    g_ready = sqlite3_vfs_register(&g_vfs, 0) == SQLITE_OK;
}

const char *store_vfs_name(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, register_once);
    return g_ready ? STORE_VFS_NAME : NULL;
}
