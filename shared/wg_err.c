/* Names for WG_E* codes. Owns nothing else. */
#include "wg_err.h"

const char *wg_strerror(int err)
{
    switch (err) {
    case WG_OK: return "ok";
    case WG_EINVAL: return "invalid input";
    case WG_ENOMEM: return "out of memory";
    case WG_EIO: return "i/o error";
    case WG_ENOTFOUND: return "not found";
    case WG_EEXIST: return "already exists";
    case WG_ETOOBIG: return "too big";
    case WG_EAGAIN: return "need more input";
    case WG_ECLOSED: return "closed";
    case WG_ETIMEDOUT: return "timed out";
    case WG_EAUTH: return "unauthorized";
    case WG_ESTATE: return "wrong state";
    case WG_EDB: return "database error";
    case WG_EPROTO: return "protocol error";
    case WG_ECRYPTO: return "crypto failure";
    default: return "unknown error";
    }
}
