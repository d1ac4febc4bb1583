/*
 * nlkit-nsexec: run a command inside a network namespace.
 *
 *   nlkit-nsexec --netns PATH [--name NAME] -- CMD [ARGS...]
 *       What `ip netns exec` does: join the namespace bound at PATH, take a private view of
 *       the mounts (slave of the current one) with a sysfs of that namespace on /sys, bind
 *       /etc/netns/NAME/<file> over /etc/<file> when NAME is given, then exec CMD.
 *
 *   nlkit-nsexec --sandbox -- CMD [ARGS...]
 *       The kernel-test sandbox: a new network namespace and a new, fully private mount
 *       namespace with its own tmpfs on /run/netns and a sysfs of the new namespace on /sys.
 *       Both namespaces die with the process tree, so whatever a test creates disappears even
 *       when it crashes. The command also gets SIGKILL if the process that started us dies.
 *
 * Exit status: that of CMD (it replaces this program); 127 if CMD cannot be found; 126 if it
 * cannot be executed; 255 for any failure while setting up. Single-threaded on purpose:
 * unshare(CLONE_NEWNS) and setns are per-thread operations and this way nothing can disagree.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <unistd.h>

#define EXIT_SETUP 255
#define NETNS_RUN_DIR "/run/netns"
#define NETNS_ETC_DIR "/etc/netns"

static const char *prog = "nlkit-nsexec";

__attribute__((format(printf, 1, 2), noreturn))
static void die(const char *fmt, ...) {
  int e = errno;
  va_list ap;
  fprintf(stderr, "%s: ", prog);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, ": %s\n", strerror(e));
  exit(EXIT_SETUP);
}

__attribute__((noreturn))
static void usage(const char *why) {
  fprintf(stderr,
          "%s: %s\n"
          "usage: %s --netns PATH [--name NAME] -- CMD [ARGS...]\n"
          "       %s --sandbox -- CMD [ARGS...]\n",
          prog, why, prog, prog);
  exit(EXIT_SETUP);
}

/* mkdir -p for an absolute path; existing directories are fine. */
static void mkdir_p(const char *path, mode_t mode) {
  char buf[PATH_MAX];
  size_t len = strlen(path);
  if (len == 0 || len >= sizeof buf) {
    errno = ENAMETOOLONG;
    die("mkdir %s", path);
  }
  memcpy(buf, path, len + 1);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(buf, mode) < 0 && errno != EEXIST) die("mkdir %s", buf);
    *p = '/';
  }
  if (mkdir(buf, mode) < 0 && errno != EEXIST) die("mkdir %s", buf);
}

/*
 * Replaces /sys with a sysfs instance of the current network namespace, so that
 * /sys/class/net lists its devices. If the old /sys cannot be detached it is shadowed; a
 * read-only one can only be shadowed read-only.
 */
static void remount_sys(void) {
  unsigned long flags = 0;
  if (umount2("/sys", MNT_DETACH) < 0) {
    struct statvfs st;
    if (statvfs("/sys", &st) == 0 && (st.f_flag & ST_RDONLY)) flags = MS_RDONLY;
  }
  if (mount("sysfs", "/sys", "sysfs", flags, NULL) < 0) die("mount sysfs on /sys");
}

/* Bind-mounts every entry of /etc/netns/NAME over /etc/<entry>; a missing directory is fine. */
static void bind_etc(const char *name) {
  char dir[PATH_MAX];
  if (snprintf(dir, sizeof dir, "%s/%s", NETNS_ETC_DIR, name) >= (int)sizeof dir) {
    errno = ENAMETOOLONG;
    die("%s/%s", NETNS_ETC_DIR, name);
  }
  DIR *d = opendir(dir);
  if (d == NULL) {
    if (errno == ENOENT) return;
    die("opendir %s", dir);
  }
  struct dirent *ent;
  while ((ent = readdir(d)) != NULL) {
    if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0) continue;
    char from[PATH_MAX], to[PATH_MAX];
    if (snprintf(from, sizeof from, "%s/%s", dir, ent->d_name) >= (int)sizeof from ||
        snprintf(to, sizeof to, "/etc/%s", ent->d_name) >= (int)sizeof to) {
      continue;
    }
    /* Like ip netns exec: a file that has no counterpart in /etc is warned about, not fatal. */
    if (mount(from, to, "none", MS_BIND, NULL) < 0) {
      fprintf(stderr, "%s: bind %s -> %s failed: %s\n", prog, from, to, strerror(errno));
    }
  }
  closedir(d);
}

static void enter_netns(const char *path, const char *name) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("cannot open network namespace %s", path);
  if (setns(fd, CLONE_NEWNET) < 0) die("setns(%s, CLONE_NEWNET)", path);
  close(fd);
  if (unshare(CLONE_NEWNS) < 0) die("unshare(CLONE_NEWNS)");
  /* Keep receiving mount events from the parent, but send none back to it. */
  if (mount("", "/", NULL, MS_SLAVE | MS_REC, NULL) < 0) die("mount --make-rslave /");
  remount_sys();
  if (name != NULL) bind_etc(name);
}

static void enter_sandbox(void) {
  pid_t parent = getppid();
  /* If the process that started us (the test runner) dies, so does the sandboxed command. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) die("prctl(PR_SET_PDEATHSIG)");
  if (getppid() != parent) {
    fprintf(stderr, "%s: parent exited before the sandbox started\n", prog);
    exit(EXIT_SETUP);
  }
  if (unshare(CLONE_NEWNS | CLONE_NEWNET) < 0) die("unshare(CLONE_NEWNS|CLONE_NEWNET)");
  /* Nothing mounted in here may leak out, nor anything from outside leak in. */
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) die("mount --make-rprivate /");
  mkdir_p(NETNS_RUN_DIR, 0755);
  if (mount("nlkit-sandbox", NETNS_RUN_DIR, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755") < 0) {
    die("mount tmpfs on %s", NETNS_RUN_DIR);
  }
  if (mount(NULL, NETNS_RUN_DIR, NULL, MS_PRIVATE, NULL) < 0) die("mount --make-private %s", NETNS_RUN_DIR);
  remount_sys();
}

int main(int argc, char **argv) {
  const char *netns = NULL, *name = NULL;
  bool sandbox = false;
  int i = 1;

  for (; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) {
      i++;
      break;
    } else if (strcmp(argv[i], "--sandbox") == 0) {
      sandbox = true;
    } else if (strcmp(argv[i], "--netns") == 0 && i + 1 < argc) {
      netns = argv[++i];
    } else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) {
      name = argv[++i];
    } else {
      usage("unknown or incomplete option");
    }
  }
  if (i >= argc) usage("missing command after --");
  if (sandbox == (netns != NULL)) usage("exactly one of --sandbox and --netns PATH is required");
  if (sandbox && name != NULL) usage("--name goes with --netns");
  if (name != NULL && (name[0] == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0 ||
                       strcmp(name, "..") == 0)) {
    usage("invalid --name");
  }

  if (sandbox) {
    enter_sandbox();
  } else {
    enter_netns(netns, name);
  }

  execvp(argv[i], &argv[i]);
  int e = errno;
  fprintf(stderr, "%s: %s: %s\n", prog, argv[i], strerror(e));
  return e == ENOENT ? 127 : 126;
}
