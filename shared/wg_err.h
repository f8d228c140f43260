/* Error codes shared by every wagate module.
 * 0 is success; failures are negative WG_E* values, named by wg_strerror().
 * Never add a code that means "success with a twist": return data instead. */
#ifndef WG_ERR_H
#define WG_ERR_H

enum {
    WG_OK = 0,
    WG_EINVAL = -1,     /* malformed or out-of-range input */
    WG_ENOMEM = -2,     /* reserved: allocation wrappers abort instead */
    WG_EIO = -3,        /* read/write/syscall failure */
    WG_ENOTFOUND = -4,  /* no such row / name / key */
    WG_EEXIST = -5,     /* unique name or key already taken */
    WG_ETOOBIG = -6,    /* input over a configured limit */
    WG_EAGAIN = -7,     /* incomplete input: feed more bytes */
    WG_ECLOSED = -8,    /* peer or socket closed */
    WG_ETIMEDOUT = -9,  /* deadline passed */
    WG_EAUTH = -10,     /* missing or wrong credentials */
    WG_ESTATE = -11,    /* operation not valid in the current state */
    WG_EDB = -12,       /* SQLite reported an error */
    WG_EPROTO = -13,    /* peer broke the protocol */
    WG_ECRYPTO = -14,   /* verification or decryption failed */
};

/* Returns a static, never-NULL name for an error code (unknown codes too). */
const char *wg_strerror(int err);

#endif
