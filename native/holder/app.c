/* The app: started on a new pty in its own session, signalled by group or session. */
#define _GNU_SOURCE
#include "holder.h"
#include "protocol.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

/* Reads /proc/<pid>/stat into buf and returns a pointer just past the command name. */
static const char *stat_fields(pid_t pid, char *buf, size_t len) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  ssize_t n = read(fd, buf, len - 1);
  close(fd);
  if (n <= 0) return NULL;
  buf[n] = '\0';
  char *close_paren = strrchr(buf, ')'); /* the name may itself hold ')' */
  return close_paren ? close_paren + 2 : NULL;
}

/* Field `index` (3 = state) of a stat line, from the text after the name. */
static unsigned long long stat_field(const char *fields, int index) {
  for (int i = 3; i < index && fields; i++) {
    fields = strchr(fields, ' ');
    if (fields) fields++;
  }
  return fields ? strtoull(fields, NULL, 10) : 0;
}

uint64_t proc_start_ticks(pid_t pid) {
  char buf[1024];
  const char *fields = stat_fields(pid, buf, sizeof buf);
  return fields ? stat_field(fields, 22) : 0;
}

/* Looks `file` up in the CHILD's PATH (execvp would use the holder's own environment). */
static void exec_in_path(const struct spec *spec) {
  const char *file = spec->argv[0];
  if (strchr(file, '/')) {
    execve(file, spec->argv, spec->envp);
    return;
  }
  const char *search = "/usr/local/bin:/usr/bin:/bin";
  for (char **e = spec->envp; *e; e++) {
    if (!strncmp(*e, "PATH=", 5)) search = *e + 5;
  }
  int saved = ENOENT;
  char candidate[PATH_MAX];
  while (1) {
    const char *end = strchr(search, ':');
    size_t dirlen = end ? (size_t)(end - search) : strlen(search);
    int n = dirlen == 0 ? snprintf(candidate, sizeof candidate, "%s", file)
                        : snprintf(candidate, sizeof candidate, "%.*s/%s", (int)dirlen, search,
                                   file);
    if (n > 0 && (size_t)n < sizeof candidate) {
      execve(candidate, spec->argv, spec->envp);
      if (errno != ENOENT && errno != ENOTDIR) saved = errno; /* e.g. EACCES: keep looking */
    }
    if (!end) break;
    search = end + 1;
  }
  errno = saved;
}

/* In the child: new session, the pty slave as controlling terminal and stdio, default
 * signals and the app's cwd, then exec. Reports errno on the pipe on failure. */
static void child(const struct spec *spec, const char *slave_name, int report) {
  sigset_t none;
  sigemptyset(&none);
  for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
  sigprocmask(SIG_SETMASK, &none, NULL);
  int slave = -1;
  if (setsid() >= 0) slave = open(slave_name, O_RDWR);
  if (slave >= 0 && ioctl(slave, TIOCSCTTY, 0) == 0 && dup2(slave, 0) == 0 &&
      dup2(slave, 1) == 1 && dup2(slave, 2) == 2) {
    if (slave > 2) close(slave);
    if (chdir(spec->cwd) == 0) exec_in_path(spec);
  }
  int code = errno;
  write_all(report, &code, sizeof code);
  _exit(127);
}

int app_spawn(const struct spec *spec, struct app *out, char *err, size_t errlen) {
  int report[2];
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
  if (master < 0 || grantpt(master) || unlockpt(master) || pipe2(report, O_CLOEXEC)) {
    snprintf(err, errlen, "cannot open a pseudo-terminal: %s", strerror(errno));
    if (master >= 0) close(master);
    return -1;
  }
  struct winsize size = {.ws_row = (unsigned short)spec->rows,
                         .ws_col = (unsigned short)spec->cols};
  ioctl(master, TIOCSWINSZ, &size);
  const char *slave_name = ptsname(master);
  pid_t pid = slave_name ? fork() : -1;
  if (pid == 0) child(spec, slave_name, report[1]);
  close(report[1]);
  if (pid < 0) {
    snprintf(err, errlen, "cannot fork: %s", strerror(errno));
    close(report[0]);
    close(master);
    return -1;
  }
  int code = 0;
  ssize_t n;
  do n = read(report[0], &code, sizeof code);
  while (n < 0 && errno == EINTR);
  close(report[0]);
  if (n == (ssize_t)sizeof code) { /* exec failed: the child exits 127; the loop reaps it */
    snprintf(err, errlen, "cannot start \"%s\": %s (in PATH of the app, cwd %s)", spec->argv[0],
             strerror(code), spec->cwd);
    close(master);
    return -1;
  }
  out->pid = pid;
  out->master = master;
  out->start_ticks = proc_start_ticks(pid);
  return 0;
}

/* True when /proc/<pid>/environ holds AIKORE_INSTANCE_ID=<marker> exactly. */
static int has_marker(pid_t pid, const char *marker) {
  char path[64], entry[200];
  snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
  int len = snprintf(entry, sizeof entry, "AIKORE_INSTANCE_ID=%s", marker);
  FILE *file = fopen(path, "re");
  if (!file) return 0;
  int found = 0, pos = 0, c;
  while (!found && (c = fgetc(file)) != EOF) {
    if (c == '\0') {
      found = pos == len;
      pos = 0;
    } else if (pos >= 0 && pos < len && c == entry[pos]) {
      pos++;
    } else {
      pos = -1; /* mismatch: skip to the next entry */
    }
  }
  fclose(file);
  return found;
}

int app_signal(const struct app *app, int target, int signo, int leader_reaped,
               const char *marker) {
  int count = 0; /* a group signalled at once counts as one */
  /* While the leader is unreaped its pid (= pgid = sid) cannot be reused: use the group. */
  if (!leader_reaped && kill(-app->pid, signo) == 0) count++;
  if (target != SIGNAL_TARGET_SESSION && !leader_reaped) return count;
  DIR *proc = opendir("/proc");
  if (!proc) return count;
  struct dirent *entry;
  char buf[1024];
  while ((entry = readdir(proc))) {
    pid_t pid = (pid_t)atoi(entry->d_name);
    if (pid <= 1 || pid == getpid()) continue;
    const char *fields = stat_fields(pid, buf, sizeof buf);
    if (!fields || *fields == 'Z') continue;
    pid_t id = (pid_t)stat_field(fields, target == SIGNAL_TARGET_SESSION ? 6 : 5);
    if (id != app->pid || !has_marker(pid, marker)) continue;
    if (!leader_reaped && stat_field(fields, 5) == (unsigned long long)app->pid) continue;
    if (kill(pid, signo) == 0) count++;
  }
  closedir(proc);
  return count;
}
