/*
 * aikore_holder: keeps one instance's app running while AiKore restarts or crashes.
 *
 * Usage: aikore_holder SPEC_FILE   (written by lib/holder/launch_spec.ts)
 *
 * It detaches (fork, setsid, fork), becomes the subreaper of the app's descendants, starts
 * the app on a pty, keeps reading the pty into a ring buffer and the rotating log whether or
 * not a client is connected, and serves clients on <dir>/holder.sock (protocol.h). The first
 * line on stdout is "ready HOLDER_PID HOLDER_TICKS APP_PID APP_TICKS" or "error REASON".
 * When the app has ended it writes <dir>/exit.json and exits once no client is connected.
 */
#define _GNU_SOURCE
#include "holder.h"
#include "protocol.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define READ_BURST (256 * 1024) /* bytes read before the log and the clients get a turn */
#define LOG_BATCH (64 * 1024)   /* unlogged bytes that make a log write at once */
#define LOG_DELAY_MS 20         /* output that keeps coming is logged this often (or per batch) */
#define DRAIN_MS 500            /* after the app exits, how long its output may still come */
#define FIRST_CLIENT_MS 10000   /* an app that ended before its starter attached: wait for it */

struct spec spec;
struct app app;
struct rlog outlog;
unsigned char *ring;
size_t ring_size;
uint64_t head, logged; /* bytes read from the pty; bytes of them written to the log */
int master_hup, leader_reaped, ended, sig_fd, listen_fd = -1;
int exit_code = -1, exit_signal;
static int had_client;             /* a client was attached at some point */
static long long linger_deadline;  /* when an ended holder that never had a client gives up */

uint64_t ended_ms;
long long drain_deadline;
unsigned cols, rows;
unsigned char input[INPUT_CAP];
size_t input_len;
struct client clients[MAX_CLIENTS];
static char sock_path[PATH_MAX], exit_path[PATH_MAX], id_path[PATH_MAX];

long long now_ms(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t ring_start(void) { return head > ring_size ? head - ring_size : 0; }

int ring_iov(uint64_t from, size_t len, struct iovec *iov) {
  size_t at = (size_t)(from % ring_size), first = ring_size - at < len ? ring_size - at : len;
  iov[0] = (struct iovec){ring + at, first};
  if (first == len) return 1;
  iov[1] = (struct iovec){ring, len - first};
  return 2;
}

/* When the output read but not yet logged must be written (0: none waits), and when the log
 * was last written. Output that comes after a quiet moment is logged at once; output that keeps
 * coming is logged in batches, at most every LOG_DELAY_MS unless a batch fills (a flood would
 * otherwise cost one log write per pty read, ~256 per MiB). */
static long long log_due, last_log_write = -LOG_DELAY_MS;

void flush_log(void) {
  struct iovec iov[2];
  log_due = 0;
  if (head == logged) return;
  int pieces = ring_iov(logged, (size_t)(head - logged), iov);
  for (int i = 0; i < pieces; i++) rlog_write(&outlog, iov[i].iov_base, iov[i].iov_len);
  logged = head;
  last_log_write = now_ms(CLOCK_MONOTONIC);
}

/* Unlogged bytes that make a log write at once: a batch, or a quarter of a small ring. */
static size_t log_batch(void) { return ring_size / 4 < LOG_BATCH ? ring_size / 4 : LOG_BATCH; }

void set_size(unsigned new_cols, unsigned new_rows) {
  struct winsize size = {.ws_row = (unsigned short)new_rows, .ws_col = (unsigned short)new_cols};
  cols = new_cols;
  rows = new_rows;
  if (app.master >= 0) ioctl(app.master, TIOCSWINSZ, &size); /* the kernel sends SIGWINCH */
}

void flush_input(void) {
  if (app.master < 0 || master_hup) input_len = 0; /* nobody will read it */
  while (input_len > 0) {
    ssize_t n = write(app.master, input, input_len);
    if (n > 0) {
      memmove(input, input + n, input_len - (size_t)n);
      input_len -= (size_t)n;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      if (n == 0 || errno != EAGAIN) input_len = 0; /* nobody will read it */
      return;
    }
  }
}

/* ---- the app's output, exit and signals ------------------------------------------------ */

/* How much may be read now: "hold" clients must never lose output, so the ring may not
 * overwrite what they have not been sent yet. */
static size_t read_room(void) {
  size_t room = ring_size - (size_t)(head - logged);
  for (int i = 0; i < MAX_CLIENTS; i++) {
    const struct client *c = &clients[i];
    if (c->fd < 0 || !c->attached || !c->hold) continue;
    size_t free_for_c = c->paused ? 0 : ring_size - (size_t)(head - c->pos);
    if (free_for_c < room) room = free_for_c;
  }
  return room;
}

static void read_output(void) {
  size_t budget = READ_BURST;
  while (budget > 0 && !master_hup) {
    size_t room = read_room(), at = (size_t)(head % ring_size), want = ring_size - at;
    if (room == 0 && head > logged) {
      flush_log(); /* the ring is full of unlogged output: make room */
      continue;
    }
    if (room == 0) break;
    if (want > room) want = room;
    if (want > budget) want = budget;
    ssize_t n = read(app.master, ring + at, want);
    if (n > 0) {
      head += (uint64_t)n;
      budget -= (size_t)n;
      if (head - logged >= log_batch()) flush_log();
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      if (n == 0 || errno != EAGAIN) master_hup = 1; /* EIO: every slave fd is closed */
      break;
    }
  }
  if (head > logged && log_due == 0) {
    if (now_ms(CLOCK_MONOTONIC) - last_log_write >= LOG_DELAY_MS) flush_log();
    else log_due = last_log_write + LOG_DELAY_MS;
  }
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    if (pid != app.pid) continue; /* an orphaned descendant that we adopted as subreaper */
    leader_reaped = 1;
    exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    exit_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    ended_ms = (uint64_t)now_ms(CLOCK_REALTIME);
    drain_deadline = now_ms(CLOCK_MONOTONIC) + DRAIN_MS;
  }
}

static void on_signals(void) {
  struct signalfd_siginfo info;
  while (read(sig_fd, &info, sizeof info) == (ssize_t)sizeof info) {
    if (info.ssi_signo == SIGCHLD) reap();
    /* TERM/INT (e.g. the container stopping): pass it on to the app, exit when it ended.
     * HUP: ignored, the holder has no terminal to lose. */
    if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT) {
      if (!leader_reaped) kill(-app.pid, SIGTERM);
      had_client = 1; /* told to go: no waiting for a first client once the app ended */
    }
  }
}

static void finish_app(void) {
  char text[256];
  read_output();
  flush_log();
  close(app.master);
  app.master = -1;
  master_hup = 1;
  char code[16] = "null", sig[16] = "null";
  if (exit_code >= 0) snprintf(code, sizeof code, "%d", exit_code);
  if (exit_signal > 0) snprintf(sig, sizeof sig, "%d", exit_signal);
  snprintf(text, sizeof text,
           "{\"format\":1,\"appPid\":%d,\"code\":%s,\"signal\":%s,\"endedAt\":%llu}\n",
           (int)app.pid, code, sig, (unsigned long long)ended_ms);
  if (write_file_atomic(exit_path, text)) {
    rlog_note(&outlog, "\r\n[aikore] holder: cannot write exit.json\r\n");
  }
  ended = 1;
}

/* ---- start-up --------------------------------------------------------------------------- */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
  char line[1024];
  va_list args;
  va_start(args, fmt);
  int n = vsnprintf(line, sizeof line, fmt, args);
  va_end(args);
  if (n > 0) write_all(1, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static int open_socket(char *err, size_t errlen) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(sock_path) >= sizeof addr.sun_path) {
    snprintf(err, errlen, "socket path longer than %zu bytes: %s", sizeof addr.sun_path - 1,
             sock_path);
    return -1;
  }
  strcpy(addr.sun_path, sock_path);
  int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe >= 0 && connect(probe, (struct sockaddr *)&addr, sizeof addr) == 0) {
    close(probe);
    snprintf(err, errlen, "a holder is already running in %s", spec.dir);
    return -1;
  }
  if (probe >= 0) close(probe);
  unlink(sock_path); /* a stale socket of a holder that is gone */
  listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  mode_t saved = umask(0177); /* the socket is born 0600 */
  int bound = listen_fd >= 0 ? bind(listen_fd, (struct sockaddr *)&addr, sizeof addr) : -1;
  umask(saved);
  if (bound || chmod(sock_path, 0600) || listen(listen_fd, 64)) {
    snprintf(err, errlen, "cannot listen on %s: %s", sock_path, strerror(errno));
    return -1;
  }
  return 0;
}

static int check_dir(char *err, size_t errlen) {
  struct stat st;
  if (stat(spec.dir, &st) || !S_ISDIR(st.st_mode) || st.st_uid != getuid()) {
    snprintf(err, errlen, "runtime folder %s is missing or not ours", spec.dir);
    return -1;
  }
  if ((st.st_mode & 077) && chmod(spec.dir, 0700)) {
    snprintf(err, errlen, "cannot make %s private: %s", spec.dir, strerror(errno));
    return -1;
  }
  return 0;
}

static int start(char *err, size_t errlen) {
  snprintf(sock_path, sizeof sock_path, "%s/holder.sock", spec.dir);
  snprintf(exit_path, sizeof exit_path, "%s/exit.json", spec.dir);
  snprintf(id_path, sizeof id_path, "%s/holder.json", spec.dir);
  if (check_dir(err, errlen) || open_socket(err, errlen)) return -1;
  unlink(exit_path); /* a record of an earlier run in this folder */
  if (rlog_open(&outlog, spec.log, spec.log_max, spec.log_keep)) {
    snprintf(err, errlen, "cannot open the log %s: %s", spec.log, strerror(errno));
    return -1;
  }
  ring_size = spec.scrollback;
  ring = malloc(ring_size);
  if (!ring) {
    snprintf(err, errlen, "out of memory for a %zu byte scrollback", ring_size);
    return -1;
  }
  cols = spec.cols;
  rows = spec.rows;
  if (app_spawn(&spec, &app, err, errlen)) return -1;
  char text[512];
  snprintf(text, sizeof text,
           "{\"format\":1,\"marker\":\"%s\",\"holderPid\":%d,\"holderStartTicks\":%llu,"
           "\"appPid\":%d,\"appStartTicks\":%llu,\"startedAt\":%lld}\n",
           spec.marker, (int)getpid(), (unsigned long long)proc_start_ticks(getpid()),
           (int)app.pid, (unsigned long long)app.start_ticks, now_ms(CLOCK_REALTIME));
  if (write_file_atomic(id_path, text)) {
    kill(-app.pid, SIGKILL);
    snprintf(err, errlen, "cannot write %s: %s", id_path, strerror(errno));
    return -1;
  }
  return 0;
}

static void loop(void) {
  struct pollfd fds[3 + MAX_CLIENTS];
  struct client *polled[3 + MAX_CLIENTS];
  for (;;) {
    int count = 0;
    if (log_due && now_ms(CLOCK_MONOTONIC) >= log_due) flush_log();
    for (int i = 0; i < MAX_CLIENTS; i++) {
      struct client *c = &clients[i];
      if (c->fd < 0) continue;
      if (c->input_blocked) parse_frames(c);
      if (client_flush(c)) close_client(c);
    }
    if (leader_reaped && !ended && !master_hup && read_room() == 0) {
      drain_deadline = now_ms(CLOCK_MONOTONIC) + DRAIN_MS; /* waiting for a client, not the app */
    }
    if (leader_reaped && !ended && (master_hup || now_ms(CLOCK_MONOTONIC) >= drain_deadline)) {
      finish_app();
      continue; /* tell the attached clients */
    }
    for (int i = 0; i < MAX_CLIENTS; i++) count += clients[i].fd >= 0;
    if (count > 0) had_client = 1;
    /* An app that ends at once may end before AiKore attached: stay (a while) for that first
     * client, so that it learns the exit from us rather than finding a holder already gone. */
    if (ended && count == 0 && !had_client && linger_deadline == 0) {
      linger_deadline = now_ms(CLOCK_MONOTONIC) + FIRST_CLIENT_MS;
    }
    if (ended && count == 0 && (had_client || now_ms(CLOCK_MONOTONIC) >= linger_deadline)) return;
    int n = 0;
    fds[n++] = (struct pollfd){sig_fd, POLLIN, 0};
    fds[n++] = (struct pollfd){listen_fd, POLLIN, 0};
    int master_at = -1;
    short want = (short)((!master_hup && read_room() ? POLLIN : 0) |
                         (!master_hup && input_len ? POLLOUT : 0));
    if (want) fds[master_at = n++] = (struct pollfd){app.master, want, 0};
    for (int i = 0; i < MAX_CLIENTS; i++) {
      struct client *c = &clients[i];
      if (c->fd < 0) continue;
      short events = (short)((c->in_len < IN_CAP && !c->input_blocked && !c->closing ? POLLIN : 0) |
                             (wants_write(c) ? POLLOUT : 0));
      polled[n] = c;
      fds[n++] = (struct pollfd){c->fd, events, 0};
    }
    int timeout = -1;
    if (leader_reaped && !ended) {
      long long left = drain_deadline - now_ms(CLOCK_MONOTONIC);
      timeout = left < 0 ? 0 : (int)left;
    } else if (ended && count == 0) {
      long long left = linger_deadline - now_ms(CLOCK_MONOTONIC);
      timeout = left < 0 ? 0 : (int)left;
    }
    if (log_due) {
      long long left = log_due - now_ms(CLOCK_MONOTONIC);
      if (timeout < 0 || left < timeout) timeout = left < 0 ? 0 : (int)left;
    }
    if (poll(fds, (nfds_t)n, timeout) < 0) {
      if (errno == EINTR) continue;
      flush_log();
      rlog_note(&outlog, "\r\n[aikore] holder: poll failed\r\n");
      exit(1);
    }
    if (fds[0].revents) on_signals();
    if (fds[1].revents & POLLIN) accept_clients();
    if (master_at >= 0 && fds[master_at].revents) {
      if (fds[master_at].revents & POLLOUT) flush_input();
      if (fds[master_at].revents & (POLLIN | POLLHUP | POLLERR)) read_output();
    }
    for (int i = master_at >= 0 ? master_at + 1 : 2; i < n; i++) {
      struct client *c = polled[i];
      /* Read before acting on a hang-up: a last request may come with it. */
      if (fds[i].revents & POLLIN) {
        if (client_read(c)) close_client(c);
      } else if (fds[i].revents & (POLLHUP | POLLERR)) {
        close_client(c);
      }
    }
  }
}

int main(int argc, char **argv) {
  char err[2 * PATH_MAX];
  if (argc != 2) {
    say("error usage: aikore_holder SPEC_FILE\n");
    return 2;
  }
  if (close_range(3, ~0U, 0)) {
    for (int fd = 3; fd < 1024; fd++) close(fd);
  }
  if (spec_read(argv[1], &spec, err, sizeof err)) {
    say("error %s\n", err);
    return 2;
  }
  pid_t pid = fork(); /* the caller reaps this one at once; the holder is its grandchild */
  if (pid != 0) {
    if (pid < 0) say("error cannot fork: %s\n", strerror(errno));
    return pid < 0;
  }
  setsid();
  pid = fork(); /* not a session leader: it can never get a controlling terminal by accident */
  if (pid != 0) {
    if (pid < 0) say("error cannot fork: %s\n", strerror(errno));
    _exit(pid < 0);
  }
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  if (chdir("/")) _exit(1);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigprocmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  for (int i = 0; i < MAX_CLIENTS; i++) clients[i].fd = -1;
  if (sig_fd < 0) snprintf(err, sizeof err, "signalfd: %s", strerror(errno));
  if (sig_fd < 0 || start(err, sizeof err)) {
    if (listen_fd >= 0) unlink(sock_path);
    say("error %s\n", err);
    _exit(1);
  }
  unlink(argv[1]); /* the spec may hold secrets from the environment */
  say("ready %d %llu %d %llu\n", (int)getpid(), (unsigned long long)proc_start_ticks(getpid()),
      (int)app.pid, (unsigned long long)app.start_ticks);
  int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int fd = 0; fd < 3 && null_fd >= 0; fd++) dup2(null_fd, fd);
  if (null_fd > 2) close(null_fd);
  loop();
  unlink(sock_path);
  return 0;
}
