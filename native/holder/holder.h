/* Declarations shared by the holder's source files. */
#ifndef AIKORE_HOLDER_H
#define AIKORE_HOLDER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "protocol.h"

/* What to run, read from the spec file that lib/holder/launch_spec.ts writes. */
struct spec {
  char *dir;    /* runtime folder: socket, identity and exit records */
  char *marker; /* instance marker (already in env as AIKORE_INSTANCE_ID) */
  char *log;    /* absolute path of the live log file; NULL: no log (kept in the ring only) */
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
  /* The log's folder, opened once: rotation and reopening work relative to it, so a link put in
   * place of the folder (or of a file in it) during the run is never followed. */
  int dir_fd;
  const char *name;
  int fd;
  size_t size, max;
  int keep;
  uint64_t unreported, dropped;
};
/* A NULL path makes a log that drops everything it is given, silently (no log asked for). */
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

/* Writes the output read so far to the log (it is otherwise batched, LOG_DELAY_MS at most). */
void flush_log(void);
/* Writes a whole buffer to a (blocking) fd, retrying on EINTR; -1 on error. */
int write_all(int fd, const void *data, size_t len);
/* Writes text to path atomically (temp file + rename), mode 0600; -1 on error. */
int write_file_atomic(const char *path, const char *text);

/* ---- the holder's state (aikore_holder.c) and its clients (clients.c) ---- */

#define MAX_CLIENTS 8
#define CTL_CAP 512
#define INPUT_CAP 65536 /* input waiting for the app to read it */
#define IN_CAP (FRAME_HEADER + MAX_CLIENT_PAYLOAD) /* a client's partial frames */

struct client {
  int fd; /* -1: free slot */
  int attached, hold, paused, exit_sent, closing, input_blocked;
  uint64_t pos, acked, window; /* next offset to send; offset acked; bytes allowed in flight */
  size_t max_payload;          /* largest output data per frame (ATTACH_FLAG_LARGE) */
  unsigned char *in;           /* partial frames from the client */
  size_t in_len;
  unsigned char *stage; /* the unsent rest of an output frame the socket took only part of */
  size_t stage_off, stage_len;
  unsigned char ctl[CTL_CAP]; /* control frames waiting to be sent */
  size_t ctl_len;
};

extern struct spec spec;
extern struct app app;
extern struct rlog outlog;
extern unsigned char *ring; /* the scrollback: the last ring_size bytes of output */
extern size_t ring_size;
extern uint64_t head, logged; /* bytes read from the pty; bytes of them written to the log */
extern int master_hup, leader_reaped, ended, sig_fd, listen_fd;
extern int exit_code, exit_signal; /* -1 / 0 when none */
extern uint64_t ended_ms;
extern long long drain_deadline;
extern unsigned cols, rows;
extern unsigned char input[INPUT_CAP];
extern size_t input_len;
extern struct client clients[MAX_CLIENTS];

long long now_ms(clockid_t clock);
uint64_t ring_start(void);
struct iovec;
/* Points iov at ring bytes [from, from + len) (one or two pieces); returns the piece count. */
int ring_iov(uint64_t from, size_t len, struct iovec *iov);
void set_size(unsigned new_cols, unsigned new_rows);
void flush_input(void);

void accept_clients(void);
void close_client(struct client *c);
/* Handles the complete frames received so far (again after it had to wait). */
void parse_frames(struct client *c);
/* Reads what the client sent; returns -1 when the connection is over. */
int client_read(struct client *c);
/* Sends as much as the socket takes; returns -1 when the client must be closed. */
int client_flush(struct client *c);
int wants_write(const struct client *c);

#endif
