/*
 * floor: the kernel's own floor for the nlkit benchmarks — a minimal C netlink client that does
 * nothing but the system calls. Built by bench/run.mjs (gcc -O2 into bench/build/floor).
 *
 *   floor dump    --netns PATH (link|addr|route) [--runs N] [--warmup N]
 *       Sends one dump request and receives the reply, counting bytes and messages; no decoding.
 *       The request is the one nlkit's client sends for the same case (route: rtmsg family
 *       AF_INET + RTA_TABLE main; addr: ifaddrmsg AF_UNSPEC; link: ifinfomsg AF_UNSPEC).
 *
 *   floor write   --netns PATH (veth|addr|route) --count N [--ifindex I] [--window W] [--pack K]
 *                 [--runs N] [--warmup N] [--prefix NAME]
 *       Sends N requests with NLM_F_ACK, at most W in flight (default 256), K messages per
 *       datagram (default 1: one sendto per request, as iproute2 and nlkit send them), and waits
 *       for every ACK. Only the creation is timed; after each run the objects are deleted again
 *       (untimed; veth pairs are moved to group 99 and deleted with one `ip link del group 99`).
 *       route: 198.18.0.0/15 host routes via 10.123.0.2 (proto boot, table main);
 *       addr: 10.124.0.0/16 /32 addresses on --ifindex; veth: PREFIX<i> with peer PREFIXp<i>.
 *
 *   floor clean   --netns PATH (veth|addr|route) --count N [--ifindex I] [--prefix NAME]
 *       Deletes what `floor write` (or any tool given the same objects) created: the bench's
 *       untimed cleanup between two runs of every writer.
 *
 *   floor monitor --netns PATH --group G --count N -- WRITER [ARGS...]
 *       Joins multicast group G, starts WRITER (fork/exec) and receives until N notifications
 *       arrived; the time is from the start of WRITER to the Nth notification.
 *
 *   floor exec    [--out FILE] -- CMD [ARGS...]
 *       Runs CMD with stdout to FILE (default /dev/null) and reports its wall time and peak RSS
 *       (wait4): how the bench times the ip command and the nlkit CLI.
 *
 * Every mode prints one JSON object on stdout: {"runs_ms":[...],"messages":N,"bytes":B,...}.
 * Errors go to stderr, exit status 1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

/* The same sizes as nlkit's native transport: 64 KiB reads, 4 MiB SO_RCVBUFFORCE. */
#define RECV_BYTES (64 * 1024)
#define SOCKET_RCVBUF (4 * 1024 * 1024)
/* A write datagram never exceeds this (the kernel refuses more than sk_sndbuf - 32). */
#define SEND_BYTES (64 * 1024)
#define VETH_GROUP 99

static uint8_t rbuf[RECV_BYTES];
/* Set while cleaning up: an object that is already gone is not an error. */
static int ignore_errors;
static uint8_t sbuf[SEND_BYTES];

__attribute__((format(printf, 1, 2), noreturn))
static void die(const char *fmt, ...) {
  int e = errno;
  va_list ap;
  fprintf(stderr, "floor: ");
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  if (e) fprintf(stderr, ": %s", strerror(e));
  fputc('\n', stderr);
  exit(1);
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void enter_netns(const char *path) {
  if (path == NULL) return;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("open %s", path);
  if (setns(fd, CLONE_NEWNET) < 0) die("setns %s", path);
  close(fd);
}

static int nl_open(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) die("socket");
  int one = 1, rcv = SOCKET_RCVBUF;
  setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one);
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv) < 0) die("SO_RCVBUFFORCE");
  struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) die("bind");
  return fd;
}

static void nl_send(int fd, const void *buf, size_t len) {
  struct sockaddr_nl to = { .nl_family = AF_NETLINK };
  ssize_t n;
  do n = sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof to);
  while (n < 0 && errno == EINTR);
  if (n < 0) die("sendto %zu bytes", len);
}

static ssize_t nl_recv(int fd) {
  ssize_t n;
  do n = recv(fd, rbuf, sizeof rbuf, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0) die("recv");
  return n;
}

/* ---------------------------------------------------------------------------------------- */
/* message building                                                                          */

static struct nlmsghdr *msg_begin(uint8_t *at, uint16_t type, uint16_t flags, uint32_t seq, const void *hdr, size_t hlen) {
  struct nlmsghdr *h = (struct nlmsghdr *)at;
  memset(h, 0, NLMSG_SPACE(hlen));
  h->nlmsg_len = NLMSG_LENGTH(hlen);
  h->nlmsg_type = type;
  h->nlmsg_flags = flags;
  h->nlmsg_seq = seq;
  memcpy(NLMSG_DATA(h), hdr, hlen);
  h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len);
  return h;
}

static struct rtattr *attr_put(struct nlmsghdr *h, uint16_t type, const void *data, size_t len) {
  struct rtattr *a = (struct rtattr *)((uint8_t *)h + NLMSG_ALIGN(h->nlmsg_len));
  a->rta_type = type;
  a->rta_len = RTA_LENGTH(len);
  if (len) memcpy(RTA_DATA(a), data, len);
  memset((uint8_t *)RTA_DATA(a) + len, 0, RTA_ALIGN(a->rta_len) - a->rta_len);
  h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
  return a;
}

static struct rtattr *nest_begin(struct nlmsghdr *h, uint16_t type) { return attr_put(h, type | NLA_F_NESTED, NULL, 0); }

static void nest_end(struct nlmsghdr *h, struct rtattr *a) { a->rta_len = (uint8_t *)h + h->nlmsg_len - (uint8_t *)a; }

static void put_u32(struct nlmsghdr *h, uint16_t type, uint32_t v) { attr_put(h, type, &v, 4); }

static void put_str(struct nlmsghdr *h, uint16_t type, const char *s) { attr_put(h, type, s, strlen(s) + 1); }

/* ---------------------------------------------------------------------------------------- */
/* dump                                                                                      */

static size_t build_dump(const char *what, uint32_t seq) {
  uint16_t flags = NLM_F_REQUEST | NLM_F_DUMP;
  struct nlmsghdr *h;
  if (strcmp(what, "route") == 0) {
    struct rtmsg r = { .rtm_family = AF_INET };
    h = msg_begin(sbuf, RTM_GETROUTE, flags, seq, &r, sizeof r);
    put_u32(h, RTA_TABLE, RT_TABLE_MAIN);
  } else if (strcmp(what, "addr") == 0) {
    struct ifaddrmsg a = { .ifa_family = AF_UNSPEC };
    h = msg_begin(sbuf, RTM_GETADDR, flags, seq, &a, sizeof a);
  } else if (strcmp(what, "link") == 0) {
    struct ifinfomsg i = { .ifi_family = AF_UNSPEC };
    h = msg_begin(sbuf, RTM_GETLINK, flags, seq, &i, sizeof i);
  } else {
    errno = 0;
    die("dump: unknown object %s (link|addr|route)", what);
  }
  return h->nlmsg_len;
}

/* One dump; returns messages (excluding NLMSG_DONE) and adds the bytes to *bytes. */
static long dump_once(int fd, const char *what, uint32_t seq, long *bytes) {
  nl_send(fd, sbuf, build_dump(what, seq));
  long msgs = 0;
  for (;;) {
    ssize_t n = nl_recv(fd);
    *bytes += n;
    for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_DONE) return msgs;
      if (h->nlmsg_type == NLMSG_ERROR) {
        errno = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
        die("dump %s", what);
      }
      msgs++;
    }
  }
}

/* ---------------------------------------------------------------------------------------- */
/* writes                                                                                    */

struct writer {
  const char *what;
  const char *prefix;
  int ifindex;
  int op; /* 0 create, 1 delete */
};

/* Appends request i at `at`; returns its length. */
static size_t build_write(const struct writer *w, uint8_t *at, long i, uint32_t seq) {
  uint16_t flags = NLM_F_REQUEST | NLM_F_ACK | (w->op == 0 ? NLM_F_CREATE | NLM_F_EXCL : 0);
  struct nlmsghdr *h;
  if (strcmp(w->what, "route") == 0) {
    struct rtmsg r = { .rtm_family = AF_INET, .rtm_dst_len = 32, .rtm_table = RT_TABLE_MAIN };
    if (w->op == 0) {
      r.rtm_protocol = RTPROT_BOOT;
      r.rtm_scope = RT_SCOPE_UNIVERSE;
      r.rtm_type = RTN_UNICAST;
    } else {
      r.rtm_scope = RT_SCOPE_NOWHERE;
    }
    h = msg_begin(at, w->op == 0 ? RTM_NEWROUTE : RTM_DELROUTE, flags, seq, &r, sizeof r);
    uint32_t dst = htonl((198u << 24 | 18u << 16) + (uint32_t)i), gw = htonl(10u << 24 | 123u << 16 | 2);
    attr_put(h, RTA_DST, &dst, 4);
    if (w->op == 0) attr_put(h, RTA_GATEWAY, &gw, 4);
  } else if (strcmp(w->what, "addr") == 0) {
    struct ifaddrmsg a = { .ifa_family = AF_INET, .ifa_prefixlen = 32, .ifa_index = (uint32_t)w->ifindex };
    h = msg_begin(at, w->op == 0 ? RTM_NEWADDR : RTM_DELADDR, flags, seq, &a, sizeof a);
    uint32_t local = htonl((10u << 24 | 124u << 16) + (uint32_t)i);
    attr_put(h, IFA_LOCAL, &local, 4);
    attr_put(h, IFA_ADDRESS, &local, 4);
  } else if (strcmp(w->what, "veth") == 0) {
    char name[40], peer[40];
    snprintf(name, sizeof name, "%.8s%ld", w->prefix, i % 1000000);
    snprintf(peer, sizeof peer, "%.8sp%ld", w->prefix, i % 1000000);
    struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
    if (w->op == 0) {
      h = msg_begin(at, RTM_NEWLINK, flags, seq, &ifi, sizeof ifi);
      put_str(h, IFLA_IFNAME, name);
      struct rtattr *li = nest_begin(h, IFLA_LINKINFO);
      put_str(h, IFLA_INFO_KIND, "veth");
      struct rtattr *data = nest_begin(h, IFLA_INFO_DATA);
      struct rtattr *pa = nest_begin(h, VETH_INFO_PEER);
      struct ifinfomsg pifi = { .ifi_family = AF_UNSPEC };
      /* The peer's ifinfomsg sits in the attribute's payload, then its own attributes. */
      memcpy((uint8_t *)h + h->nlmsg_len, &pifi, sizeof pifi);
      h->nlmsg_len += NLMSG_ALIGN(sizeof pifi);
      put_str(h, IFLA_IFNAME, peer);
      nest_end(h, pa);
      nest_end(h, data);
      nest_end(h, li);
    } else {
      /* Deleting is done in bulk (see delete_all); op 1 only moves the pair into VETH_GROUP. */
      h = msg_begin(at, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq, &ifi, sizeof ifi);
      put_str(h, IFLA_IFNAME, name);
      put_u32(h, IFLA_GROUP, VETH_GROUP);
    }
  } else {
    errno = 0;
    die("write: unknown object %s (veth|addr|route)", w->what);
  }
  return h->nlmsg_len;
}

/* Reads every reply queued (blocking for at least one when `block`); returns ACKs seen. */
static long read_acks(int fd, int block, const char *what) {
  long acks = 0;
  for (;;) {
    ssize_t n;
    do n = recv(fd, rbuf, sizeof rbuf, block ? 0 : MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
      if (errno == EAGAIN) return acks;
      die("recv acks");
    }
    block = 0;
    for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type != NLMSG_ERROR) continue;
      int err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
      if (err != 0 && !ignore_errors) {
        errno = -err;
        die("write %s (seq %u)", what, h->nlmsg_seq);
      }
      acks++;
    }
  }
}

/* N requests, at most `window` unanswered, `pack` per datagram. */
static void write_all(int fd, const struct writer *w, long count, long window, long pack, uint32_t *seq) {
  long sent = 0, acked = 0;
  while (acked < count) {
    while (sent < count && sent - acked < window) {
      size_t len = 0;
      long k = 0;
      while (k < pack && sent < count && sent - acked < window && len + 512 <= sizeof sbuf) {
        len += build_write(w, sbuf + len, sent, ++*seq);
        sent++;
        k++;
      }
      nl_send(fd, sbuf, len);
      acked += read_acks(fd, 0, w->what);
    }
    if (acked < count) acked += read_acks(fd, 1, w->what);
  }
}

static void delete_all(int fd, struct writer w, long count, uint32_t *seq) {
  w.op = 1;
  ignore_errors = 1;
  write_all(fd, &w, count, 256, 1, seq);
  if (strcmp(w.what, "veth") != 0) {
    ignore_errors = 0;
    return;
  }
  /* RTM_DELLINK of a group: one unregister batch instead of one RCU grace period per device. */
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
  struct nlmsghdr *h = msg_begin(sbuf, RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, ++*seq, &ifi, sizeof ifi);
  put_u32(h, IFLA_GROUP, VETH_GROUP);
  nl_send(fd, sbuf, h->nlmsg_len);
  read_acks(fd, 1, "veth group delete");
  ignore_errors = 0;
}

/* ---------------------------------------------------------------------------------------- */
/* monitor and exec                                                                          */

static pid_t spawn(char **argv, const char *out) {
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    int fd = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || dup2(fd, 1) < 0) _exit(126);
    execvp(argv[0], argv);
    fprintf(stderr, "floor: exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  return pid;
}

static void print_runs(const double *runs, int n) {
  printf("\"runs_ms\":[");
  for (int i = 0; i < n; i++) printf("%s%.3f", i ? "," : "", runs[i]);
  printf("]");
}

/* CPU time (user + system) of this process so far, in ms: kernel work done in our syscalls counts. */
static double cpu_ms(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static void print_cpu(const double *cpu, int n) {
  printf(",\"cpu_ms\":[");
  for (int i = 0; i < n; i++) printf("%s%.3f", i ? "," : "", cpu[i]);
  printf("]");
}

/*
 * Peak RSS of this program, in KiB: VmHWM of /proc/self/status. Not ru_maxrss, which starts at
 * the RSS of the process that forked us (node) because Linux carries it across execve.
 */
static long maxrss_kb(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;
  if (f == NULL) return -1;
  while (fgets(line, sizeof line, f) != NULL) {
    if (sscanf(line, "VmHWM: %ld kB", &kb) == 1) break;
  }
  fclose(f);
  return kb;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    errno = 0;
    die("usage: floor dump|write|monitor|exec ...");
  }
  const char *mode = argv[1];
  const char *netns = NULL, *what = NULL, *prefix = "fw", *out = NULL;
  long count = 0, window = 256, pack = 1, group = 0;
  int runs = 5, warmup = 1, ifindex = 0, i;
  char **cmd = NULL;
  for (i = 2; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--") == 0) {
      cmd = &argv[i + 1];
      break;
    }
    if (a[0] != '-') {
      what = a;
      continue;
    }
    if (v == NULL) {
      errno = 0;
      die("%s needs a value", a);
    }
    i++;
    if (strcmp(a, "--netns") == 0) netns = v;
    else if (strcmp(a, "--runs") == 0) runs = atoi(v);
    else if (strcmp(a, "--warmup") == 0) warmup = atoi(v);
    else if (strcmp(a, "--count") == 0) count = atol(v);
    else if (strcmp(a, "--window") == 0) window = atol(v);
    else if (strcmp(a, "--pack") == 0) pack = atol(v);
    else if (strcmp(a, "--group") == 0) group = atol(v);
    else if (strcmp(a, "--ifindex") == 0) ifindex = atoi(v);
    else if (strcmp(a, "--prefix") == 0) prefix = v;
    else if (strcmp(a, "--out") == 0) out = v;
    else {
      errno = 0;
      die("unknown option %s", a);
    }
  }
  if (runs < 1 || runs > 1000 || warmup < 0) {
    errno = 0;
    die("bad --runs/--warmup");
  }
  double *times = calloc((size_t)runs, sizeof *times);
  double *cpu = calloc((size_t)runs, sizeof *cpu);

  if (strcmp(mode, "exec") == 0) {
    if (cmd == NULL || cmd[0] == NULL) {
      errno = 0;
      die("exec: missing command after --");
    }
    double t0 = now_ms();
    pid_t pid = spawn(cmd, out);
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) die("wait4");
    double t1 = now_ms();
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    double c = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
    printf("{\"runs_ms\":[%.3f],\"cpu_ms\":[%.3f],\"status\":%d,\"maxrss_kb\":%ld}\n", t1 - t0, c, code, ru.ru_maxrss);
    return 0;
  }

  enter_netns(netns);
  int fd = nl_open();
  uint32_t seq = 0;

  if (strcmp(mode, "dump") == 0) {
    if (what == NULL) {
      errno = 0;
      die("dump: which object (link|addr|route)?");
    }
    long msgs = 0, bytes = 0;
    for (int r = -warmup; r < runs; r++) {
      long b = 0;
      double c0 = cpu_ms(), t0 = now_ms();
      long m = dump_once(fd, what, ++seq, &b);
      double t1 = now_ms(), c1 = cpu_ms();
      if (r >= 0) {
        times[r] = t1 - t0;
        cpu[r] = c1 - c0;
      }
      msgs = m;
      bytes = b;
    }
    printf("{");
    print_runs(times, runs);
    print_cpu(cpu, runs);
    printf(",\"messages\":%ld,\"bytes\":%ld,\"maxrss_kb\":%ld}\n", msgs, bytes, maxrss_kb());
    return 0;
  }

  if (strcmp(mode, "write") == 0) {
    if (what == NULL || count <= 0 || window <= 0 || pack <= 0) {
      errno = 0;
      die("write: needs an object and --count");
    }
    struct writer w = { .what = what, .prefix = prefix, .ifindex = ifindex, .op = 0 };
    for (int r = -warmup; r < runs; r++) {
      double c0 = cpu_ms(), t0 = now_ms();
      write_all(fd, &w, count, window, pack, &seq);
      double t1 = now_ms(), c1 = cpu_ms();
      if (r >= 0) {
        times[r] = t1 - t0;
        cpu[r] = c1 - c0;
      }
      delete_all(fd, w, count, &seq);
    }
    printf("{");
    print_runs(times, runs);
    print_cpu(cpu, runs);
    printf(",\"messages\":%ld,\"maxrss_kb\":%ld}\n", count, maxrss_kb());
    return 0;
  }

  if (strcmp(mode, "clean") == 0) {
    if (what == NULL || count <= 0) {
      errno = 0;
      die("clean: needs an object and --count");
    }
    struct writer w = { .what = what, .prefix = prefix, .ifindex = ifindex, .op = 0 };
    double t0 = now_ms();
    delete_all(fd, w, count, &seq);
    printf("{\"runs_ms\":[%.3f],\"messages\":%ld}\n", now_ms() - t0, count);
    return 0;
  }

  if (strcmp(mode, "monitor") == 0) {
    if (cmd == NULL || cmd[0] == NULL || group <= 0 || count <= 0) {
      errno = 0;
      die("monitor: needs --group, --count and -- WRITER");
    }
    int g = (int)group;
    if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof g) < 0) die("NETLINK_ADD_MEMBERSHIP");
    double t0 = now_ms();
    pid_t pid = spawn(cmd, NULL);
    long events = 0, overruns = 0;
    double t1 = t0;
    while (events < count) {
      /* Lost notifications never come: give up after 2 s of silence. */
      struct pollfd p = { .fd = fd, .events = POLLIN };
      if (poll(&p, 1, 2000) == 0) break;
      ssize_t n;
      do n = recv(fd, rbuf, sizeof rbuf, MSG_DONTWAIT);
      while (n < 0 && errno == EINTR);
      if (n < 0) {
        if (errno == ENOBUFS) {
          overruns++;
          continue;
        }
        if (errno == EAGAIN) continue;
        die("recv");
      }
      for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
        if (h->nlmsg_type == RTM_NEWROUTE) events++;
      }
      t1 = now_ms();
    }
    int status;
    waitpid(pid, &status, 0);
    printf("{\"runs_ms\":[%.3f],\"messages\":%ld,\"overruns\":%ld,\"maxrss_kb\":%ld}\n", t1 - t0, events, overruns, maxrss_kb());
    return 0;
  }

  errno = 0;
  die("unknown mode %s", mode);
}
