/* Declarations shared by the holder's source files. */
#ifndef AIKORE_HOLDER_H
#define AIKORE_HOLDER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What to run, read from the spec file that lib/holder/launch_spec.ts writes. */
struct spec {
  char *dir;    /* runtime folder: socket, identity and exit records */
  char *marker; /* instance marker (already in env as AIKORE_INSTANCE_ID) */
  char *log;    /* absolute path of the live log file */
  char *cwd;
  size_t log_max;    /* bytes per log file */
  int log_keep;      /* rotated files kept */
  size_t scrollback; /* bytes of output kept in memory for replay */
  unsigned cols, rows;
  char **argv; /* NULL-terminated */
  char **envp; /* NULL-terminated, "KEY=VALUE" */
};

/* spec.c: reads and checks the spec; on failure writes a reason to err and returns -1. */
int spec_read(const char *path, struct spec *out, char *err, size_t errlen);

/* rotating_log.c: an append-only log with a size cap and numbered rotation. */
struct rlog {
  const char *path;
  int fd;
  size_t size, max;
  int keep;
  uint64_t unreported, dropped;
};
int rlog_open(struct rlog *log, const char *path, size_t max, int keep);
/* Writes everything or counts what it could not write; never blocks on anything but the disk. */
void rlog_write(struct rlog *log, const unsigned char *data, size_t len);
void rlog_note(struct rlog *log, const char *text);

/* app.c: the app on a pty in its own session. */
struct app {
  pid_t pid;
  uint64_t start_ticks;
  int master;
};
/* Starts the app; returns -1 with a reason in err when it could not be executed. */
int app_spawn(const struct spec *spec, struct app *out, char *err, size_t errlen);
/* Signals the group or session of the app; processes are checked against the marker once the
 * leader is reaped (its ids may then be reused). Returns how many processes were signalled. */
int app_signal(const struct app *app, int target, int signo, int leader_reaped,
               const char *marker);
/* Field 22 of /proc/<pid>/stat, 0 when unreadable. */
uint64_t proc_start_ticks(pid_t pid);

/* Writes a whole buffer to a (blocking) fd, retrying on EINTR; -1 on error. */
int write_all(int fd, const void *data, size_t len);
/* Writes text to path atomically (temp file + rename), mode 0600; -1 on error. */
int write_file_atomic(const char *path, const char *text);

#endif
