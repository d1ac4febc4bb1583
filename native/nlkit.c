/*
 * nlkit native binding: file descriptors and system calls, nothing else.
 *
 * This file knows no netlink protocol: it opens sockets, moves bytes, switches network
 * namespaces for the length of one call and tells the event loop when a descriptor is readable.
 * Everything above it (framing, attributes, sessions) lives in TypeScript.
 *
 * Rules kept throughout:
 *   - Every failure becomes a thrown JS Error with `code` (the errno name, from the table below,
 *     never strerror), `errno` (positive number), `syscall` and a message such as
 *     "socket(NETLINK_ROUTE): Protocol not supported". Nothing aborts the process, except the
 *     single case where the thread cannot be put back into its own network namespace (see
 *     netns_leave): continuing there would silently act on the wrong namespace.
 *   - Calls that run in another network namespace do setns -> work -> setns back within ONE
 *     native call, so the JS thread is never observed in another namespace, even on failure.
 *   - Readiness is a one-shot uv_poll: the poll is stopped before the callback runs, so a
 *     level-triggered readable descriptor that nobody reads cannot spin the loop.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>

#include <node_api.h>
#include <uv.h>

/* The calling thread's own network namespace. /proc/self would name the main thread's. */
#define THREAD_NETNS_PATH "/proc/thread-self/ns/net"

/* ------------------------------------------------------------------------------------------ */
/* errno names                                                                                 */
/* ------------------------------------------------------------------------------------------ */

/* Kernel spellings; where two names share a number, the first listed wins (EAGAIN over
 * EWOULDBLOCK, EDEADLK over EDEADLOCK, EOPNOTSUPP over ENOTSUP). */
#define ERRNO_NAME(e) { e, #e },
static const struct { int num; const char *name; } errno_names[] = {
  ERRNO_NAME(EPERM) ERRNO_NAME(ENOENT) ERRNO_NAME(ESRCH) ERRNO_NAME(EINTR) ERRNO_NAME(EIO)
  ERRNO_NAME(ENXIO) ERRNO_NAME(E2BIG) ERRNO_NAME(ENOEXEC) ERRNO_NAME(EBADF) ERRNO_NAME(ECHILD)
  ERRNO_NAME(EAGAIN) ERRNO_NAME(ENOMEM) ERRNO_NAME(EACCES) ERRNO_NAME(EFAULT)
  ERRNO_NAME(ENOTBLK) ERRNO_NAME(EBUSY) ERRNO_NAME(EEXIST) ERRNO_NAME(EXDEV) ERRNO_NAME(ENODEV)
  ERRNO_NAME(ENOTDIR) ERRNO_NAME(EISDIR) ERRNO_NAME(EINVAL) ERRNO_NAME(ENFILE)
  ERRNO_NAME(EMFILE) ERRNO_NAME(ENOTTY) ERRNO_NAME(ETXTBSY) ERRNO_NAME(EFBIG) ERRNO_NAME(ENOSPC)
  ERRNO_NAME(ESPIPE) ERRNO_NAME(EROFS) ERRNO_NAME(EMLINK) ERRNO_NAME(EPIPE) ERRNO_NAME(EDOM)
  ERRNO_NAME(ERANGE) ERRNO_NAME(EDEADLK) ERRNO_NAME(ENAMETOOLONG) ERRNO_NAME(ENOLCK)
  ERRNO_NAME(ENOSYS) ERRNO_NAME(ENOTEMPTY) ERRNO_NAME(ELOOP) ERRNO_NAME(ENOMSG)
  ERRNO_NAME(EIDRM) ERRNO_NAME(ECHRNG) ERRNO_NAME(EL2NSYNC) ERRNO_NAME(EL3HLT)
  ERRNO_NAME(EL3RST) ERRNO_NAME(ELNRNG) ERRNO_NAME(EUNATCH) ERRNO_NAME(ENOCSI)
  ERRNO_NAME(EL2HLT) ERRNO_NAME(EBADE) ERRNO_NAME(EBADR) ERRNO_NAME(EXFULL) ERRNO_NAME(ENOANO)
  ERRNO_NAME(EBADRQC) ERRNO_NAME(EBADSLT) ERRNO_NAME(EBFONT) ERRNO_NAME(ENOSTR)
  ERRNO_NAME(ENODATA) ERRNO_NAME(ETIME) ERRNO_NAME(ENOSR) ERRNO_NAME(ENONET) ERRNO_NAME(ENOPKG)
  ERRNO_NAME(EREMOTE) ERRNO_NAME(ENOLINK) ERRNO_NAME(EADV) ERRNO_NAME(ESRMNT) ERRNO_NAME(ECOMM)
  ERRNO_NAME(EPROTO) ERRNO_NAME(EMULTIHOP) ERRNO_NAME(EDOTDOT) ERRNO_NAME(EBADMSG)
  ERRNO_NAME(EOVERFLOW) ERRNO_NAME(ENOTUNIQ) ERRNO_NAME(EBADFD) ERRNO_NAME(EREMCHG)
  ERRNO_NAME(ELIBACC) ERRNO_NAME(ELIBBAD) ERRNO_NAME(ELIBSCN) ERRNO_NAME(ELIBMAX)
  ERRNO_NAME(ELIBEXEC) ERRNO_NAME(EILSEQ) ERRNO_NAME(ERESTART) ERRNO_NAME(ESTRPIPE)
  ERRNO_NAME(EUSERS) ERRNO_NAME(ENOTSOCK) ERRNO_NAME(EDESTADDRREQ) ERRNO_NAME(EMSGSIZE)
  ERRNO_NAME(EPROTOTYPE) ERRNO_NAME(ENOPROTOOPT) ERRNO_NAME(EPROTONOSUPPORT)
  ERRNO_NAME(ESOCKTNOSUPPORT) ERRNO_NAME(EOPNOTSUPP) ERRNO_NAME(EPFNOSUPPORT)
  ERRNO_NAME(EAFNOSUPPORT) ERRNO_NAME(EADDRINUSE) ERRNO_NAME(EADDRNOTAVAIL)
  ERRNO_NAME(ENETDOWN) ERRNO_NAME(ENETUNREACH) ERRNO_NAME(ENETRESET) ERRNO_NAME(ECONNABORTED)
  ERRNO_NAME(ECONNRESET) ERRNO_NAME(ENOBUFS) ERRNO_NAME(EISCONN) ERRNO_NAME(ENOTCONN)
  ERRNO_NAME(ESHUTDOWN) ERRNO_NAME(ETOOMANYREFS) ERRNO_NAME(ETIMEDOUT)
  ERRNO_NAME(ECONNREFUSED) ERRNO_NAME(EHOSTDOWN) ERRNO_NAME(EHOSTUNREACH)
  ERRNO_NAME(EALREADY) ERRNO_NAME(EINPROGRESS) ERRNO_NAME(ESTALE) ERRNO_NAME(EUCLEAN)
  ERRNO_NAME(ENOTNAM) ERRNO_NAME(ENAVAIL) ERRNO_NAME(EISNAM) ERRNO_NAME(EREMOTEIO)
  ERRNO_NAME(EDQUOT) ERRNO_NAME(ENOMEDIUM) ERRNO_NAME(EMEDIUMTYPE) ERRNO_NAME(ECANCELED)
  ERRNO_NAME(ENOKEY) ERRNO_NAME(EKEYEXPIRED) ERRNO_NAME(EKEYREVOKED) ERRNO_NAME(EKEYREJECTED)
  ERRNO_NAME(EOWNERDEAD) ERRNO_NAME(ENOTRECOVERABLE)
#ifdef ERFKILL
  ERRNO_NAME(ERFKILL)
#endif
#ifdef EHWPOISON
  ERRNO_NAME(EHWPOISON)
#endif
};

static const char *errno_name(int e) {
  for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++) {
    if (errno_names[i].num == e) return errno_names[i].name;
  }
  return NULL;
}

/* strerror_r has two incompatible signatures; only its text goes into the message. */
static const char *errno_text(int e, char *buf, size_t len) {
#if defined(__GLIBC__)
  return strerror_r(e, buf, len);
#else
  if (strerror_r(e, buf, len) != 0) snprintf(buf, len, "Unknown error %d", e);
  return buf;
#endif
}

/* ------------------------------------------------------------------------------------------ */
/* throwing                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/*
 * Throws Error("<what>: <text>") with code/errno/syscall. `syscall` is the name of the failing
 * system call; `fmt` formats the "<what>" part (e.g. "socket(NETLINK_ROUTE)"). Always returns
 * NULL so that callbacks can `return throw_errno(...)`. If creating the error fails, an
 * exception is already pending and that one propagates instead.
 */
__attribute__((format(printf, 4, 5)))
static napi_value throw_errno(napi_env env, int err, const char *syscall_name, const char *fmt, ...) {
  char what[512];
  char textbuf[128];
  char message[768];
  char codebuf[32];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  snprintf(message, sizeof message, "%s: %s", what, errno_text(err, textbuf, sizeof textbuf));

  const char *code = errno_name(err);
  if (code == NULL) {
    snprintf(codebuf, sizeof codebuf, "ERRNO_%d", err);
    code = codebuf;
  }

  napi_value js_code, js_msg, js_errno, js_syscall, error;
  if (napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &js_code) != napi_ok) return NULL;
  if (napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &js_msg) != napi_ok) return NULL;
  if (napi_create_error(env, js_code, js_msg, &error) != napi_ok) return NULL;
  if (napi_create_int32(env, err, &js_errno) != napi_ok) return NULL;
  if (napi_set_named_property(env, error, "errno", js_errno) != napi_ok) return NULL;
  if (napi_create_string_utf8(env, syscall_name, NAPI_AUTO_LENGTH, &js_syscall) != napi_ok) return NULL;
  if (napi_set_named_property(env, error, "syscall", js_syscall) != napi_ok) return NULL;
  napi_throw(env, error);
  return NULL;
}

__attribute__((format(printf, 3, 4)))
static napi_value throw_type(napi_env env, const char *code, const char *fmt, ...) {
  char message[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  napi_throw_type_error(env, code, message);
  return NULL;
}

__attribute__((format(printf, 3, 4)))
static napi_value throw_range(napi_env env, const char *code, const char *fmt, ...) {
  char message[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  napi_throw_range_error(env, code, message);
  return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* arguments                                                                                   */
/* ------------------------------------------------------------------------------------------ */

#define MAX_ARGS 6

/* Fetches up to MAX_ARGS arguments; missing ones read as undefined. */
static bool get_args(napi_env env, napi_callback_info info, napi_value *argv, napi_value *self) {
  size_t argc = MAX_ARGS;
  if (napi_get_cb_info(env, info, &argc, argv, self, NULL) != napi_ok) return false;
  if (argc < MAX_ARGS) {
    napi_value undef;
    if (napi_get_undefined(env, &undef) != napi_ok) return false;
    for (size_t i = argc; i < MAX_ARGS; i++) argv[i] = undef;
  }
  return true;
}

static bool is_type(napi_env env, napi_value v, napi_valuetype want) {
  napi_valuetype t;
  return napi_typeof(env, v, &t) == napi_ok && t == want;
}

/* An integral number within [min, max]; throws TypeError/RangeError otherwise. */
static bool arg_int(napi_env env, napi_value v, const char *name, int64_t min, int64_t max, int64_t *out) {
  double d;
  if (!is_type(env, v, napi_number) || napi_get_value_double(env, v, &d) != napi_ok) {
    throw_type(env, "ERR_INVALID_ARG_TYPE", "The \"%s\" argument must be of type number", name);
    return false;
  }
  if (!isfinite(d) || trunc(d) != d || d < (double)min || d > (double)max) {
    throw_range(env, "ERR_OUT_OF_RANGE",
                "The value of \"%s\" is out of range. It must be an integer >= %lld and <= %lld. Received %g",
                name, (long long)min, (long long)max, d);
    return false;
  }
  *out = (int64_t)d;
  return true;
}

static bool arg_i32(napi_env env, napi_value v, const char *name, int *out) {
  int64_t x;
  if (!arg_int(env, v, name, INT32_MIN, INT32_MAX, &x)) return false;
  *out = (int)x;
  return true;
}

static bool arg_u32(napi_env env, napi_value v, const char *name, uint32_t *out) {
  int64_t x;
  if (!arg_int(env, v, name, 0, UINT32_MAX, &x)) return false;
  *out = (uint32_t)x;
  return true;
}

/* Optional int: undefined gives `dflt`. */
static bool arg_i32_opt(napi_env env, napi_value v, const char *name, int dflt, int *out) {
  if (is_type(env, v, napi_undefined)) {
    *out = dflt;
    return true;
  }
  return arg_i32(env, v, name, out);
}

/*
 * A string argument, copied into malloc'ed memory the caller frees. With `nullable`, null and
 * undefined give *out = NULL. Strings with an embedded NUL are refused: C would silently cut
 * them short.
 */
static bool arg_string(napi_env env, napi_value v, const char *name, bool nullable, char **out) {
  *out = NULL;
  if (nullable && (is_type(env, v, napi_null) || is_type(env, v, napi_undefined))) return true;
  size_t len;
  if (!is_type(env, v, napi_string) || napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) {
    throw_type(env, "ERR_INVALID_ARG_TYPE", "The \"%s\" argument must be of type string%s", name,
               nullable ? " or null" : "");
    return false;
  }
  char *s = malloc(len + 1);
  if (s == NULL) {
    throw_errno(env, ENOMEM, "malloc", "copying argument \"%s\"", name);
    return false;
  }
  size_t got;
  if (napi_get_value_string_utf8(env, v, s, len + 1, &got) != napi_ok) {
    free(s);
    return false;
  }
  if (strlen(s) != got) {
    free(s);
    throw_type(env, "ERR_INVALID_ARG_VALUE", "The \"%s\" argument must not contain null bytes", name);
    return false;
  }
  *out = s;
  return true;
}

/* A Uint8Array (Buffer included): its bytes, honouring byteOffset/byteLength. */
static bool arg_bytes(napi_env env, napi_value v, const char *name, uint8_t **data, size_t *len) {
  bool is_ta = false;
  napi_typedarray_type type;
  size_t length;
  void *ptr;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, v, &type, &length, &ptr, NULL, NULL) != napi_ok ||
      (type != napi_uint8_array && type != napi_uint8_clamped_array)) {
    throw_type(env, "ERR_INVALID_ARG_TYPE", "The \"%s\" argument must be a Uint8Array", name);
    return false;
  }
  *data = ptr;
  *len = length;
  return true;
}

static napi_value make_int(napi_env env, int64_t x) {
  napi_value v;
  if (napi_create_int64(env, x, &v) != napi_ok) return NULL;
  return v;
}

static napi_value make_undefined(napi_env env) {
  napi_value v;
  if (napi_get_undefined(env, &v) != napi_ok) return NULL;
  return v;
}

/* ------------------------------------------------------------------------------------------ */
/* network namespace switching                                                                 */
/* ------------------------------------------------------------------------------------------ */

/*
 * Moves the calling thread into the network namespace `target` (a namespace fd) and returns in
 * *saved an fd of the namespace it came from. target < 0 means "stay": *saved = -1. On failure
 * returns the errno, sets *failed to the step that failed, and leaves the thread where it was.
 */
static int netns_enter(int target, int *saved, const char **failed) {
  *saved = -1;
  if (target < 0) return 0;
  int self = open(THREAD_NETNS_PATH, O_RDONLY | O_CLOEXEC);
  if (self < 0) {
    *failed = "open(" THREAD_NETNS_PATH ")";
    return errno;
  }
  if (setns(target, CLONE_NEWNET) < 0) {
    int e = errno;
    close(self);
    *failed = "setns";
    return e;
  }
  *saved = self;
  return 0;
}

/*
 * Puts the thread back into the namespace netns_enter saved and closes the saved fd; errno is
 * preserved. If that setns fails the JS thread would carry on in a foreign namespace, acting on
 * the wrong network for everything it does next: the only case in which this binding aborts.
 */
static void netns_leave(int saved) {
  if (saved < 0) return;
  int keep = errno;
  if (setns(saved, CLONE_NEWNET) < 0) {
    char buf[128];
    fprintf(stderr,
            "nlkit: FATAL: cannot return thread %ld to its own network namespace (setns: %s); "
            "aborting rather than continuing in the wrong namespace\n",
            (long)syscall(SYS_gettid), errno_text(errno, buf, sizeof buf));
    fflush(stderr);
    abort();
  }
  close(saved);
  errno = keep;
}

/* ------------------------------------------------------------------------------------------ */
/* sockets                                                                                     */
/* ------------------------------------------------------------------------------------------ */

static const char *const netlink_protocol_names[] = {
  [0] = "NETLINK_ROUTE", [1] = "NETLINK_UNUSED", [2] = "NETLINK_USERSOCK",
  [3] = "NETLINK_FIREWALL", [4] = "NETLINK_SOCK_DIAG", [5] = "NETLINK_NFLOG",
  [6] = "NETLINK_XFRM", [7] = "NETLINK_SELINUX", [8] = "NETLINK_ISCSI", [9] = "NETLINK_AUDIT",
  [10] = "NETLINK_FIB_LOOKUP", [11] = "NETLINK_CONNECTOR", [12] = "NETLINK_NETFILTER",
  [13] = "NETLINK_IP6_FW", [14] = "NETLINK_DNRTMSG", [15] = "NETLINK_KOBJECT_UEVENT",
  [16] = "NETLINK_GENERIC", [18] = "NETLINK_SCSITRANSPORT", [19] = "NETLINK_ECRYPTFS",
  [20] = "NETLINK_RDMA", [21] = "NETLINK_CRYPTO", [22] = "NETLINK_SMC",
};

/* "NETLINK_ROUTE" or "netlink protocol 99", for messages only. */
static const char *protocol_label(int protocol, char *buf, size_t len) {
  if (protocol >= 0 && (size_t)protocol < sizeof netlink_protocol_names / sizeof netlink_protocol_names[0] &&
      netlink_protocol_names[protocol] != NULL) {
    return netlink_protocol_names[protocol];
  }
  snprintf(buf, len, "netlink protocol %d", protocol);
  return buf;
}

/* socket(protocol, netnsFd = -1): a non-blocking close-on-exec AF_NETLINK socket. */
static napi_value js_socket(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  int protocol, netns;
  if (!get_args(env, info, argv, NULL)) return NULL;
  if (!arg_i32(env, argv[0], "protocol", &protocol)) return NULL;
  if (!arg_i32_opt(env, argv[1], "netnsFd", -1, &netns)) return NULL;

  char pbuf[40];
  const char *label = protocol_label(protocol, pbuf, sizeof pbuf);
  int saved;
  const char *failed = NULL;
  int err = netns_enter(netns, &saved, &failed);
  if (err != 0) {
    return throw_errno(env, err, strcmp(failed, "setns") == 0 ? "setns" : "open",
                       "socket(%s) in netns fd %d: %s", label, netns, failed);
  }
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol);
  err = fd < 0 ? errno : 0;
  netns_leave(saved);
  if (fd < 0) {
    if (netns >= 0) return throw_errno(env, err, "socket", "socket(%s) in netns fd %d", label, netns);
    return throw_errno(env, err, "socket", "socket(%s)", label);
  }
  return make_int(env, fd);
}

/* bind(fd, groups): binds with nl_pid 0 and returns the port id the kernel assigned. */
static napi_value js_bind(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  int fd;
  uint32_t groups;
  if (!get_args(env, info, argv, NULL)) return NULL;
  if (!arg_i32(env, argv[0], "fd", &fd)) return NULL;
  if (!arg_u32(env, argv[1], "groups", &groups)) return NULL;

  struct sockaddr_nl sa;
  memset(&sa, 0, sizeof sa);
  sa.nl_family = AF_NETLINK;
  sa.nl_pid = 0;
  sa.nl_groups = groups;
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    return throw_errno(env, errno, "bind", "bind(fd %d, groups 0x%x)", fd, groups);
  }
  socklen_t len = sizeof sa;
  if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
    return throw_errno(env, errno, "getsockname", "getsockname(fd %d)", fd);
  }
  return make_int(env, sa.nl_pid);
}

/* setsockopt(fd, level, name, value): an int option. */
static napi_value js_setsockopt(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  int fd, level, name, value;
  if (!get_args(env, info, argv, NULL)) return NULL;
  if (!arg_i32(env, argv[0], "fd", &fd)) return NULL;
  if (!arg_i32(env, argv[1], "level", &level)) return NULL;
  if (!arg_i32(env, argv[2], "name", &name)) return NULL;
  if (!arg_i32(env, argv[3], "value", &value)) return NULL;
  if (setsockopt(fd, level, name, &value, sizeof value) < 0) {
    return throw_errno(env, errno, "setsockopt", "setsockopt(fd %d, level %d, option %d, %d)", fd, level,
                       name, value);
  }
  return make_undefined(env);
}

/* getsockopt(fd, level, name): an int option. */
static napi_value js_getsockopt(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  int fd, level, name, value = 0;
  if (!get_args(env, info, argv, NULL)) return NULL;
  if (!arg_i32(env, argv[0], "fd", &fd)) return NULL;
  if (!arg_i32(env, argv[1], "level", &level)) return NULL;
  if (!arg_i32(env, argv[2], "name", &name)) return NULL;
  socklen_t len = sizeof value;
  if (getsockopt(fd, level, name, &value, &len) < 0) {
    return throw_errno(env, errno, "getsockopt", "getsockopt(fd %d, level %d, option %d)", fd, level, name);
  }
  return make_int(env, value);
}

/* send(fd, buf, offset = 0, length = rest): one datagram to the kernel (nl_pid 0). */
static napi_value js_send(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  int fd;
  uint8_t *data;
  size_t len;
  if (!get_args(env, info, argv, NULL)) return NULL;
  if (!arg_i32(env, argv[0], "fd", &fd)) return NULL;
  if (!arg_bytes(env, argv[1], "buf", &data, &len)) return NULL;

  int64_t offset = 0, length;
  if (!is_type(env, argv[2], napi_undefined) && !arg_int(env, argv[2], "offset", 0, (int64_t)len, &offset)) {
    return NULL;
  }
  length = (int64_t)len - offset;
  if (!is_type(env, argv[3], napi_undefined) && !arg_int(env, argv[3], "length", 0, (int64_t)len - offset, &length)) {
    return NULL;
  }

  struct sockaddr_nl to;
  memset(&to, 0, sizeof to);
  to.nl_family = AF_NETLINK;
  ssize_t n;
  do {
    n = sendto(fd, data + offset, (size_t)length, 0, (struct sockaddr *)&to, sizeof to);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return throw_errno(env, errno, "sendto", "sendto(fd %d, %lld bytes)", fd, (long long)length);
  return make_int(env, n);
}

/*
 * recv(fd, buf): one datagram, without waiting. Returns its full length (more than
 * buf.byteLength means it was truncated) or -1 when nothing is queued.
 */
static napi_value js_recv(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  int fd;
  uint8_t *data;
  size_t len;
  if (!get_args(env, info, argv, NULL)) return NULL;
  if (!arg_i32(env, argv[0], "fd", &fd)) return NULL;
  if (!arg_bytes(env, argv[1], "buf", &data, &len)) return NULL;

  struct sockaddr_nl from;
  struct iovec iov = { .iov_base = data, .iov_len = len };
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  ssize_t n;
  do {
    /* MSG_TRUNC: on netlink, the return value is the datagram's real length even when longer. */
    n = recvmsg(fd, &msg, MSG_TRUNC | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return make_int(env, -1);
    return throw_errno(env, errno, "recvmsg", "recvmsg(fd %d)", fd);
  }
  return make_int(env, n);
}

/* close(fd) */
static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  int fd;
  if (!get_args(env, info, argv, NULL)) return NULL;
  if (!arg_i32(env, argv[0], "fd", &fd)) return NULL;
  /* On Linux the fd is released even when close reports EINTR: never retry. */
  if (close(fd) < 0 && errno != EINTR) return throw_errno(env, errno, "close", "close(fd %d)", fd);
  return make_undefined(env);
}

/* ------------------------------------------------------------------------------------------ */
/* namespaces and mounts                                                                       */
/* ------------------------------------------------------------------------------------------ */

static napi_value js_setns(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  int fd, nstype;
  if (!get_args(env, info, argv, NULL)) return NULL;
  if (!arg_i32(env, argv[0], "fd", &fd)) return NULL;
  if (!arg_i32(env, argv[1], "nstype", &nstype)) return NULL;
  if (setns(fd, nstype) < 0) return throw_errno(env, errno, "setns", "setns(fd %d, 0x%x)", fd, nstype);
  return make_undefined(env);
}

static napi_value js_unshare(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  int flags;
  if (!get_args(env, info, argv, NULL)) return NULL;
  if (!arg_i32(env, argv[0], "flags", &flags)) return NULL;
  if (unshare(flags) < 0) return throw_errno(env, errno, "unshare", "unshare(0x%x)", flags);
  return make_undefined(env);
}

static napi_value js_mount(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  char *source = NULL, *target = NULL, *fstype = NULL, *data = NULL;
  uint32_t flags;
  napi_value result = NULL;
  if (!get_args(env, info, argv, NULL)) return NULL;
  if (!arg_string(env, argv[0], "source", true, &source)) goto out;
  if (!arg_string(env, argv[1], "target", false, &target)) goto out;
  if (!arg_string(env, argv[2], "fstype", true, &fstype)) goto out;
  if (!arg_u32(env, argv[3], "flags", &flags)) goto out;
  if (!arg_string(env, argv[4], "data", true, &data)) goto out;
  if (mount(source, target, fstype, flags, data) < 0) {
    throw_errno(env, errno, "mount", "mount(%s, %s, %s, 0x%x)", source ? source : "null", target,
                fstype ? fstype : "null", flags);
    goto out;
  }
  result = make_undefined(env);
out:
  free(source);
  free(target);
  free(fstype);
  free(data);
  return result;
}

static napi_value js_umount2(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  char *target = NULL;
  int flags;
  napi_value result = NULL;
  if (!get_args(env, info, argv, NULL)) return NULL;
  if (!arg_string(env, argv[0], "target", false, &target)) goto out;
  if (!arg_i32(env, argv[1], "flags", &flags)) goto out;
  if (umount2(target, flags) < 0) {
    throw_errno(env, errno, "umount2", "umount2(%s, 0x%x)", target, flags);
    goto out;
  }
  result = make_undefined(env);
out:
  free(target);
  return result;
}

/* openInNetns(netnsFd, path, flags, mode): open(2) performed inside another network namespace. */
static napi_value js_open_in_netns(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  int netns, flags;
  uint32_t mode;
  char *path = NULL;
  napi_value result = NULL;
  if (!get_args(env, info, argv, NULL)) return NULL;
  if (!arg_i32(env, argv[0], "netnsFd", &netns)) return NULL;
  if (!arg_string(env, argv[1], "path", false, &path)) return NULL;
  if (!arg_i32(env, argv[2], "flags", &flags)) goto out;
  if (!arg_u32(env, argv[3], "mode", &mode)) goto out;

  int saved;
  const char *failed = NULL;
  int err = netns_enter(netns, &saved, &failed);
  if (err != 0) {
    throw_errno(env, err, strcmp(failed, "setns") == 0 ? "setns" : "open", "open(%s) in netns fd %d: %s",
                path, netns, failed);
    goto out;
  }
  int fd;
  do {
    fd = open(path, flags | O_CLOEXEC, (mode_t)mode);
  } while (fd < 0 && errno == EINTR);
  err = fd < 0 ? errno : 0;
  netns_leave(saved);
  if (fd < 0) {
    if (netns >= 0) {
      throw_errno(env, err, "open", "open(%s) in netns fd %d", path, netns);
    } else {
      throw_errno(env, err, "open", "open(%s)", path);
    }
    goto out;
  }
  result = make_int(env, fd);
out:
  free(path);
  return result;
}

/*
 * netnsCreate(path): what `ip netns add` does, leaving the thread where it was: a new network
 * namespace, kept alive by bind-mounting it onto `path` (an existing file).
 */
static napi_value js_netns_create(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  char *path = NULL;
  if (!get_args(env, info, argv, NULL)) return NULL;
  if (!arg_string(env, argv[0], "path", false, &path)) return NULL;

  int saved = open(THREAD_NETNS_PATH, O_RDONLY | O_CLOEXEC);
  if (saved < 0) {
    throw_errno(env, errno, "open", "netnsCreate(%s): open(" THREAD_NETNS_PATH ")", path);
    free(path);
    return NULL;
  }
  if (unshare(CLONE_NEWNET) < 0) {
    int err = errno;
    close(saved);
    throw_errno(env, err, "unshare", "netnsCreate(%s): unshare(CLONE_NEWNET)", path);
    free(path);
    return NULL;
  }
  /* From here on the thread is in the new namespace: every path goes through netns_leave. */
  int err = 0;
  if (mount(THREAD_NETNS_PATH, path, "none", MS_BIND, NULL) < 0) err = errno;
  netns_leave(saved);
  napi_value result;
  if (err != 0) {
    result = throw_errno(env, err, "mount", "netnsCreate(%s): bind mount of " THREAD_NETNS_PATH, path);
  } else {
    result = make_undefined(env);
  }
  free(path);
  return result;
}

/* tunOpen(netnsFd, name, flags): open /dev/net/tun and TUNSETIFF, inside the namespace. */
static napi_value js_tun_open(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  int netns, flags;
  char *name = NULL;
  napi_value result = NULL;
  if (!get_args(env, info, argv, NULL)) return NULL;
  if (!arg_i32(env, argv[0], "netnsFd", &netns)) return NULL;
  if (!arg_string(env, argv[1], "name", false, &name)) return NULL;
  {
    int64_t f;
    if (!arg_int(env, argv[2], "flags", 0, 0xffff, &f)) goto out;
    flags = (int)f;
  }
  if (strlen(name) >= IFNAMSIZ) {
    throw_range(env, "ERR_OUT_OF_RANGE", "The \"name\" argument must be at most %d bytes long. Received \"%s\"",
                IFNAMSIZ - 1, name);
    goto out;
  }

  int saved;
  const char *failed = NULL;
  int err = netns_enter(netns, &saved, &failed);
  if (err != 0) {
    throw_errno(env, err, strcmp(failed, "setns") == 0 ? "setns" : "open", "tunOpen(%s) in netns fd %d: %s",
                name, netns, failed);
    goto out;
  }
  /* The namespace of the device is that of the thread that opens /dev/net/tun. */
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  const char *step = NULL;
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    err = errno;
    step = "open";
  } else {
    memcpy(ifr.ifr_name, name, strlen(name));
    ifr.ifr_flags = (short)flags;
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
      err = errno;
      step = "ioctl";
      close(fd);
      fd = -1;
    }
  }
  netns_leave(saved);
  if (fd < 0) {
    if (strcmp(step, "open") == 0) {
      throw_errno(env, err, "open", "tunOpen(%s): open(/dev/net/tun)", name);
    } else {
      throw_errno(env, err, "ioctl", "tunOpen(%s): ioctl(TUNSETIFF, flags 0x%x)", name, (unsigned)flags);
    }
    goto out;
  }

  napi_value obj, jfd, jname;
  char chosen[IFNAMSIZ + 1];
  memcpy(chosen, ifr.ifr_name, IFNAMSIZ);
  chosen[IFNAMSIZ] = '\0';
  if (napi_create_object(env, &obj) != napi_ok || napi_create_int32(env, fd, &jfd) != napi_ok ||
      napi_create_string_utf8(env, chosen, NAPI_AUTO_LENGTH, &jname) != napi_ok ||
      napi_set_named_property(env, obj, "fd", jfd) != napi_ok ||
      napi_set_named_property(env, obj, "name", jname) != napi_ok) {
    close(fd);
    goto out;
  }
  result = obj;
out:
  free(name);
  return result;
}

/* ioctlInt(fd, request, value): an ioctl whose argument is an int passed by value. */
static napi_value js_ioctl_int(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  int fd;
  uint32_t request;
  int64_t value;
  if (!get_args(env, info, argv, NULL)) return NULL;
  if (!arg_i32(env, argv[0], "fd", &fd)) return NULL;
  if (!arg_u32(env, argv[1], "request", &request)) return NULL;
  if (!arg_int(env, argv[2], "value", INT32_MIN, UINT32_MAX, &value)) return NULL;
  if (ioctl(fd, (unsigned long)request, (unsigned long)value) < 0) {
    return throw_errno(env, errno, "ioctl", "ioctl(fd %d, 0x%x, %lld)", fd, request, (long long)value);
  }
  return make_undefined(env);
}

static napi_value js_gettid(napi_env env, napi_callback_info info) {
  (void)info;
  return make_int(env, (int64_t)syscall(SYS_gettid));
}

/* ------------------------------------------------------------------------------------------ */
/* watchers: one-shot readiness                                                                */
/* ------------------------------------------------------------------------------------------ */

/*
 * Life of a watcher. The JS object wraps the struct; the uv handle lives inside it. Two things
 * must both have happened before the memory is freed: libuv's close callback (the handle is
 * no longer referenced by the loop) and the JS finalizer (no JS object points at it). While
 * armed, `self` is a strong reference, so an armed watcher keeps its object (and the callback,
 * stored on it as the `callback` property) alive; otherwise `self` is weak, so nothing native
 * roots the callback and a forgotten, disarmed watcher is collected and its handle closed.
 */
typedef struct instance instance;
typedef struct watcher {
  uv_poll_t poll;
  napi_env env;
  napi_ref self;
  napi_async_context ctx;
  instance *inst;
  struct watcher *prev, *next; /* in inst->open while not closing */
  int fd;
  bool armed;
  bool closing;
  bool close_done;
  bool finalized;
} watcher;

struct instance {
  napi_ref watcher_ctor;
  watcher *open;
};

/* Only C code can construct a Watcher: the constructor wants this token. */
static int watcher_token;

static void watcher_unlink(watcher *w) {
  if (w->inst == NULL) return;
  if (w->prev) w->prev->next = w->next;
  else w->inst->open = w->next;
  if (w->next) w->next->prev = w->prev;
  w->prev = w->next = NULL;
  w->inst = NULL;
}

static void watcher_on_close(uv_handle_t *handle) {
  watcher *w = handle->data;
  w->close_done = true;
  if (w->finalized) free(w);
}

/* Starts closing the uv handle (no JS involved). Safe to call repeatedly. */
static void watcher_begin_close(watcher *w) {
  if (w->closing) return;
  w->closing = true;
  if (w->armed) {
    uv_poll_stop(&w->poll);
    w->armed = false;
  }
  watcher_unlink(w);
  uv_close((uv_handle_t *)&w->poll, watcher_on_close);
}

static void watcher_finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  watcher *w = data;
  watcher_begin_close(w);
  if (w->self != NULL) {
    napi_delete_reference(env, w->self);
    w->self = NULL;
  }
  if (w->ctx != NULL) {
    napi_async_destroy(env, w->ctx);
    w->ctx = NULL;
  }
  w->finalized = true;
  if (w->close_done) free(w);
}

static void watcher_on_poll(uv_poll_t *handle, int status, int events) {
  (void)status; /* an error is also "readable": the JS side's recv will report it */
  (void)events;
  watcher *w = handle->data;
  /* One-shot: stop first, so a level-triggered fd that is not read cannot fire again. */
  uv_poll_stop(handle);
  if (!w->armed) return;
  w->armed = false;

  napi_env env = w->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value self = NULL, callback = NULL, result;
  if (napi_get_reference_value(env, w->self, &self) == napi_ok && self != NULL) {
    /* Back to weak; the local handle `self` keeps the object alive until the scope closes. */
    napi_reference_unref(env, w->self, NULL);
    if (napi_get_named_property(env, self, "callback", &callback) == napi_ok) {
      /* A real receiver object: with an undefined receiver the callback is silently lost. */
      napi_status st = napi_make_callback(env, w->ctx, self, callback, 0, NULL, &result);
      bool pending = false;
      if (st != napi_ok && napi_is_exception_pending(env, &pending) == napi_ok && pending) {
        /* No JS frame below us to throw into: report it as the uncaught exception it is. */
        napi_value exc;
        if (napi_get_and_clear_last_exception(env, &exc) == napi_ok) napi_fatal_exception(env, exc);
      }
    }
  }
  napi_close_handle_scope(env, scope);
}

static watcher *this_watcher(napi_env env, napi_callback_info info) {
  napi_value self;
  size_t argc = 0;
  void *data = NULL;
  if (napi_get_cb_info(env, info, &argc, NULL, &self, NULL) != napi_ok) return NULL;
  if (napi_unwrap(env, self, &data) != napi_ok || data == NULL) {
    throw_type(env, "ERR_INVALID_THIS", "Watcher method called on an object that is not a Watcher");
    return NULL;
  }
  return data;
}

static napi_value js_watcher_arm(napi_env env, napi_callback_info info) {
  watcher *w = this_watcher(env, info);
  if (w == NULL) return NULL;
  if (w->closing) return throw_errno(env, EBADF, "uv_poll_start", "watcher.arm(): watcher of fd %d is closed", w->fd);
  if (w->armed) return make_undefined(env);
  int r = uv_poll_start(&w->poll, UV_READABLE, watcher_on_poll);
  if (r < 0) return throw_errno(env, -r, "uv_poll_start", "watcher.arm(): uv_poll_start(fd %d)", w->fd);
  if (napi_reference_ref(env, w->self, NULL) != napi_ok) {
    uv_poll_stop(&w->poll);
    return NULL;
  }
  w->armed = true;
  return make_undefined(env);
}

static napi_value js_watcher_disarm(napi_env env, napi_callback_info info) {
  watcher *w = this_watcher(env, info);
  if (w == NULL) return NULL;
  if (w->armed) {
    uv_poll_stop(&w->poll);
    w->armed = false;
    napi_reference_unref(env, w->self, NULL);
  }
  return make_undefined(env);
}

static napi_value js_watcher_close(napi_env env, napi_callback_info info) {
  watcher *w = this_watcher(env, info);
  if (w == NULL) return NULL;
  if (w->closing) return make_undefined(env);
  if (w->armed) napi_reference_unref(env, w->self, NULL);
  watcher_begin_close(w);
  if (w->ctx != NULL) {
    napi_async_destroy(env, w->ctx);
    w->ctx = NULL;
  }
  return make_undefined(env);
}

static napi_value js_watcher_ctor(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS], self;
  void *token = NULL;
  if (!get_args(env, info, argv, &self)) return NULL;
  if (!is_type(env, argv[0], napi_external) || napi_get_value_external(env, argv[0], &token) != napi_ok ||
      token != &watcher_token) {
    return throw_type(env, "ERR_ILLEGAL_CONSTRUCTOR", "Watcher cannot be constructed directly: use watch(fd, callback)");
  }
  return self;
}

/* watch(fd, callback): a disarmed Watcher for fd. */
static napi_value js_watch(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  int fd;
  if (!get_args(env, info, argv, NULL)) return NULL;
  if (!arg_i32(env, argv[0], "fd", &fd)) return NULL;
  if (!is_type(env, argv[1], napi_function)) {
    return throw_type(env, "ERR_INVALID_ARG_TYPE", "The \"callback\" argument must be of type function");
  }

  instance *inst = NULL;
  napi_value ctor, token, obj, name;
  uv_loop_t *loop = NULL;
  if (napi_get_instance_data(env, (void **)&inst) != napi_ok || inst == NULL) return NULL;
  /* libuv allows one poll handle per fd: a second one would unregister the first from epoll
   * and later make libuv abort. The same happens if a watched fd was closed and its number
   * reused, so this also catches a watcher that was not closed before its fd. */
  for (watcher *o = inst->open; o != NULL; o = o->next) {
    if (o->fd == fd) {
      return throw_errno(env, EEXIST, "uv_poll_init",
                         "watch(fd %d): the fd already has a watcher (close it before watching again)", fd);
    }
  }
  if (napi_get_reference_value(env, inst->watcher_ctor, &ctor) != napi_ok) return NULL;
  if (napi_create_external(env, &watcher_token, NULL, NULL, &token) != napi_ok) return NULL;
  if (napi_new_instance(env, ctor, 1, &token, &obj) != napi_ok) return NULL;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return NULL;

  napi_property_descriptor cb_prop = { "callback", NULL, NULL, NULL, NULL, argv[1], napi_default, NULL };
  if (napi_define_properties(env, obj, 1, &cb_prop) != napi_ok) return NULL;

  watcher *w = calloc(1, sizeof *w);
  if (w == NULL) return throw_errno(env, ENOMEM, "calloc", "watch(fd %d)", fd);
  w->env = env;
  w->fd = fd;
  int r = uv_poll_init(loop, &w->poll, fd);
  if (r < 0) {
    free(w);
    return throw_errno(env, -r, "uv_poll_init", "watch(fd %d): uv_poll_init", fd);
  }
  w->poll.data = w;
  /* From here the handle is in the loop: failures must close it, never free directly. */
  if (napi_create_string_utf8(env, "nlkit:Watcher", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, obj, name, &w->ctx) != napi_ok) {
    w->finalized = true;
    watcher_begin_close(w);
    return NULL;
  }
  if (napi_wrap(env, obj, w, watcher_finalize, NULL, NULL) != napi_ok) {
    napi_async_destroy(env, w->ctx);
    w->finalized = true;
    watcher_begin_close(w);
    return NULL;
  }
  /* The wrap owns w now: its finalizer releases what follows. */
  if (napi_create_reference(env, obj, 0, &w->self) != napi_ok) {
    watcher_begin_close(w);
    return NULL;
  }
  w->inst = inst;
  w->next = inst->open;
  if (inst->open) inst->open->prev = w;
  inst->open = w;
  return obj;
}

/* Environment teardown (process exit, worker exit): no handle may stay open in the loop. */
static void instance_cleanup(void *arg) {
  instance *inst = arg;
  while (inst->open != NULL) watcher_begin_close(inst->open);
}

static void instance_finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  instance *inst = data;
  if (inst->watcher_ctor != NULL) napi_delete_reference(env, inst->watcher_ctor);
  free(inst);
}

/* ------------------------------------------------------------------------------------------ */
/* module                                                                                      */
/* ------------------------------------------------------------------------------------------ */

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  instance *inst = calloc(1, sizeof *inst);
  if (inst == NULL) {
    throw_errno(env, ENOMEM, "calloc", "loading nlkit native binding");
    return NULL;
  }
  if (napi_set_instance_data(env, inst, instance_finalize, NULL) != napi_ok) {
    free(inst);
    return NULL;
  }
  if (napi_add_env_cleanup_hook(env, instance_cleanup, inst) != napi_ok) return NULL;

  napi_property_descriptor methods[] = {
    { "arm", NULL, js_watcher_arm, NULL, NULL, NULL, napi_default_method, NULL },
    { "disarm", NULL, js_watcher_disarm, NULL, NULL, NULL, napi_default_method, NULL },
    { "close", NULL, js_watcher_close, NULL, NULL, NULL, napi_default_method, NULL },
  };
  napi_value ctor;
  if (napi_define_class(env, "Watcher", NAPI_AUTO_LENGTH, js_watcher_ctor, NULL,
                        sizeof methods / sizeof methods[0], methods, &ctor) != napi_ok) {
    return NULL;
  }
  if (napi_create_reference(env, ctor, 1, &inst->watcher_ctor) != napi_ok) return NULL;

  napi_property_descriptor fns[] = {
#define FN(name, fn) { name, NULL, fn, NULL, NULL, NULL, napi_enumerable, NULL }
    FN("socket", js_socket),
    FN("bind", js_bind),
    FN("setsockopt", js_setsockopt),
    FN("getsockopt", js_getsockopt),
    FN("send", js_send),
    FN("recv", js_recv),
    FN("watch", js_watch),
    FN("close", js_close),
    FN("setns", js_setns),
    FN("unshare", js_unshare),
    FN("mount", js_mount),
    FN("umount2", js_umount2),
    FN("openInNetns", js_open_in_netns),
    FN("netnsCreate", js_netns_create),
    FN("tunOpen", js_tun_open),
    FN("ioctlInt", js_ioctl_int),
    FN("gettid", js_gettid),
#undef FN
  };
  if (napi_define_properties(env, exports, sizeof fns / sizeof fns[0], fns) != napi_ok) return NULL;
  return exports;
}
