/* Helpers for the conformance corpus: print a call's result and errno name
 * in a form that is the same on every Linux-compatible kernel. */
#ifndef GOOSE_CHECK_H
#define GOOSE_CHECK_H
#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *errno_name(int e)
{
    switch (e) {
    case 0: return "0";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case ENXIO: return "ENXIO";
    case E2BIG: return "E2BIG";
    case ENOEXEC: return "ENOEXEC";
    case EBADF: return "EBADF";
    case ECHILD: return "ECHILD";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case EXDEV: return "EXDEV";
    case ENODEV: return "ENODEV";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case ENFILE: return "ENFILE";
    case EMFILE: return "EMFILE";
    case ENOTTY: return "ENOTTY";
    case EFBIG: return "EFBIG";
    case ENOSPC: return "ENOSPC";
    case ESPIPE: return "ESPIPE";
    case EROFS: return "EROFS";
    case EMLINK: return "EMLINK";
    case EPIPE: return "EPIPE";
    case EDOM: return "EDOM";
    case ERANGE: return "ERANGE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOSYS: return "ENOSYS";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ELOOP: return "ELOOP";
    case EOVERFLOW: return "EOVERFLOW";
    case ENOTSOCK: return "ENOTSOCK";
    case EPROTOTYPE: return "EPROTOTYPE";
    case EINPROGRESS: return "EINPROGRESS";
    case EALREADY: return "EALREADY";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EADDRINUSE: return "EADDRINUSE";
    case EMSGSIZE: return "EMSGSIZE";
    case ENOPROTOOPT: return "ENOPROTOOPT";
    case EISCONN: return "EISCONN";
    case ENOTCONN: return "ENOTCONN";
    case ECONNREFUSED: return "ECONNREFUSED";
    case ECONNRESET: return "ECONNRESET";
    case EDESTADDRREQ: return "EDESTADDRREQ";
    case EOWNERDEAD: return "EOWNERDEAD";
    case ENOBUFS: return "ENOBUFS";
    case EHOSTUNREACH: return "EHOSTUNREACH";
    case ENETUNREACH: return "ENETUNREACH";
    default: return "E?";
    }
}

/* CHECK(call): prints "call = result" or "call = -1 ERRNO". */
#define CHECK(call)                                                            \
    do {                                                                       \
        errno = 0;                                                             \
        long check_result_ = (long)(call);                                     \
        if (check_result_ == -1)                                               \
            printf("%s = -1 %s\n", #call, errno_name(errno));                  \
        else                                                                   \
            printf("%s = %ld\n", #call, check_result_);                        \
        fflush(stdout);                                                        \
    } while (0)

/* CHECK_OK(call): like CHECK but prints "ok" for any non-negative result,
 * for calls whose value varies (fds, pids). */
#define CHECK_OK(call)                                                         \
    do {                                                                       \
        errno = 0;                                                             \
        long check_result_ = (long)(call);                                     \
        if (check_result_ < 0)                                                 \
            printf("%s = -1 %s\n", #call, errno_name(errno));                  \
        else                                                                   \
            printf("%s = ok\n", #call);                                        \
        fflush(stdout);                                                        \
    } while (0)

/* CHECK_PID(call, pid): for calls that return a process id: prints
 * "call = pid" when the result is `pid`, "call = -1 ERRNO" on failure,
 * and "call = another pid" otherwise, so the output does not depend on
 * the numbers. */
#define CHECK_PID(call, pid)                                                   \
    do {                                                                       \
        errno = 0;                                                             \
        long check_result_ = (long)(call);                                     \
        if (check_result_ == -1)                                               \
            printf("%s = -1 %s\n", #call, errno_name(errno));                  \
        else if (check_result_ == (long)(pid))                                 \
            printf("%s = %s\n", #call, #pid);                                  \
        else                                                                   \
            printf("%s = another pid\n", #call);                               \
        fflush(stdout);                                                        \
    } while (0)

#endif
