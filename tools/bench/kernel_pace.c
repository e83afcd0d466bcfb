/*
 * The kernel's pace: what a plain C program gets from a pty on this machine, with nothing
 * behind it. The PTY benchmarks run it beside AiKore's paths, so that their figures can be read
 * against what the machine itself allows (the holder is C too, but it also writes a log and a
 * socket; this does neither).
 *
 *   kernel_pace read PROGRAM [ARG...]
 *       Runs PROGRAM on a new pty, reads the master until the end (poll + read, 64 KiB buffer),
 *       prints {"bytes":N,"ms":N,"cpu":N} (cpu: this process's user + system ms).
 *   kernel_pace echo PROGRAM [ARG...]
 *       Runs PROGRAM (an interactive shell) on a new pty. For each byte read from stdin: drains
 *       what the pty holds, writes the byte to the pty and, unless it is Ctrl-U (not timed),
 *       waits for the first output and prints the round trip in ms on a line of its own. The
 *       caller paces the keys; only the pty round trip is timed, never the pipe to the caller.
 *
 * Built by tools/bench/kernel_pace_support.ts with the holder's flags; not part of AiKore.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static double cpu_ms(void) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return (double)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3 +
         (double)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3;
}

/* Starts argv on a new pty (80x24, the kernel's default modes); returns the master. */
static int start(char **argv, pid_t *pid) {
  struct winsize size = {.ws_row = 24, .ws_col = 80};
  int master;
  *pid = forkpty(&master, NULL, NULL, &size);
  if (*pid < 0) {
    perror("kernel_pace: forkpty");
    exit(1);
  }
  if (*pid == 0) {
    execvp(argv[0], argv);
    perror("kernel_pace: exec");
    _exit(127);
  }
  return master;
}

static int read_all(char **argv) {
  static char buffer[65536];
  double started = now_ms();
  double cpu_started = cpu_ms();
  pid_t pid;
  int master = start(argv, &pid);
  struct pollfd watch = {.fd = master, .events = POLLIN};
  long long bytes = 0;
  for (;;) {
    if (poll(&watch, 1, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    ssize_t n = read(master, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break; /* EIO once every holder of the slave closed it */
    bytes += n;
  }
  double ms = now_ms() - started;
  double cpu = cpu_ms() - cpu_started;
  waitpid(pid, NULL, 0);
  printf("{\"bytes\":%lld,\"ms\":%.3f,\"cpu\":%.3f}\n", bytes, ms, cpu);
  return 0;
}

/* Reads whatever the pty holds now, without waiting. */
static void drain(int master) {
  char buffer[4096];
  struct pollfd watch = {.fd = master, .events = POLLIN};
  while (poll(&watch, 1, 0) > 0 && (watch.revents & POLLIN)) {
    if (read(master, buffer, sizeof buffer) <= 0) return;
  }
}

static int echo_keys(char **argv) {
  pid_t pid;
  int master = start(argv, &pid);
  setvbuf(stdout, NULL, _IOLBF, 0);
  char key;
  char buffer[4096];
  struct pollfd watch = {.fd = master, .events = POLLIN};
  while (read(STDIN_FILENO, &key, 1) == 1) {
    drain(master);
    double started = now_ms();
    if (write(master, &key, 1) != 1) return 1;
    if (key == 0x15) continue; /* Ctrl-U clears the line; not timed */
    if (poll(&watch, 1, 5000) <= 0 || read(master, buffer, sizeof buffer) <= 0) return 1;
    printf("%.6f\n", now_ms() - started);
  }
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "read") == 0) return read_all(argv + 2);
  if (argc >= 3 && strcmp(argv[1], "echo") == 0) return echo_keys(argv + 2);
  fprintf(stderr, "usage: kernel_pace read|echo PROGRAM [ARG...]\n");
  return 2;
}
