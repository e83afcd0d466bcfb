/* Clients of the holder's socket: frames in, output and control frames out (protocol.h). */
#define _GNU_SOURCE
#include "holder.h"
#include "protocol.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static void put16(unsigned char *p, unsigned v) {
  p[0] = (unsigned char)v;
  p[1] = (unsigned char)(v >> 8);
}
static void put32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static void put64(unsigned char *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static uint32_t get32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get64(const unsigned char *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

static int queue_ctl(struct client *c, int type, const void *payload, size_t len) {
  if (c->ctl_len + FRAME_HEADER + len > CTL_CAP) return -1;
  unsigned char *p = c->ctl + c->ctl_len;
  p[0] = (unsigned char)type;
  put32(p + 1, (uint32_t)len);
  if (len) memcpy(p + FRAME_HEADER, payload, len);
  c->ctl_len += FRAME_HEADER + len;
  return 0;
}

void queue_error(struct client *c, const char *text) {
  c->ctl_len = 0; /* the error is the last thing this client hears */
  queue_ctl(c, MSG_ERROR, text, strlen(text));
  c->closing = 1;
}

static void queue_status(struct client *c) {
  unsigned char s[STATUS_PAYLOAD] = {0};
  int attached = 0;
  for (int i = 0; i < MAX_CLIENTS; i++) attached += clients[i].fd >= 0;
  put32(s, PROTO_VERSION);
  put32(s + 4, (uint32_t)getpid());
  put32(s + 8, (uint32_t)app.pid);
  s[12] = (unsigned char)leader_reaped;
  put16(s + 14, (unsigned)attached);
  put32(s + 16, (uint32_t)exit_code);
  put32(s + 20, (uint32_t)exit_signal);
  put64(s + 24, app.start_ticks);
  put64(s + 32, ended_ms);
  put64(s + 40, head);
  put64(s + 48, ring_start());
  put64(s + 56, outlog.dropped);
  put16(s + 64, cols);
  put16(s + 66, rows);
  put32(s + 68, (uint32_t)ring_size);
  queue_ctl(c, MSG_STATUS_REPLY, s, sizeof s);
}

static void queue_gap(struct client *c, uint64_t from, uint64_t to) {
  unsigned char p[16];
  put64(p, from);
  put64(p + 8, to);
  queue_ctl(c, MSG_GAP, p, sizeof p);
}

void close_client(struct client *c) {
  close(c->fd);
  free(c->in);
  free(c->stage);
  memset(c, 0, sizeof *c);
  c->fd = -1;
}

static void on_attach(struct client *c, const unsigned char *p) {
  uint64_t from = get64(p), oldest = ring_start();
  unsigned new_cols = p[12] | p[13] << 8, new_rows = p[14] | p[15] << 8;
  if (c->attached || new_cols > 10000 || new_rows > 10000) {
    queue_error(c, c->attached ? "already attached" : "attach: size out of range");
    return;
  }
  c->attached = 1;
  c->hold = p[16] & ATTACH_FLAG_HOLD;
  c->max_payload = p[16] & ATTACH_FLAG_LARGE ? MAX_OUTPUT_PAYLOAD_LARGE : MAX_OUTPUT_PAYLOAD;
  c->window = get32(p + 8);
  c->pos = from > head ? head : from;
  if (c->pos < oldest) {
    queue_gap(c, c->pos, oldest);
    c->pos = oldest;
  }
  c->acked = c->pos;
  if (new_cols && new_rows) set_size(new_cols, new_rows);
  queue_status(c);
}

/*
 * Hands a copy of the app's pty master to the client (SCM_RIGHTS), so that AiKore writes a
 * terminal's input straight to the app: a keystroke then wakes no holder on its way in. The
 * output still comes through the holder (ring, log, offsets). Only on a connection of its own,
 * before anything else was said on it; the connection ends after the answer. Peers are this
 * uid's already (SO_PEERCRED), who could ptrace the app anyway.
 */
static void on_take_input(struct client *c) {
  if (c->attached || c->ctl_len || c->stage) {
    queue_error(c, "take input: only as the first request of a connection of its own");
    return;
  }
  if (app.master < 0 || master_hup || leader_reaped) {
    queue_error(c, "take input: the app's terminal is gone");
    return;
  }
  unsigned char reply[FRAME_HEADER] = {MSG_PTY_FD, 0, 0, 0, 0};
  union {
    struct cmsghdr align;
    char bytes[CMSG_SPACE(sizeof(int))];
  } control;
  memset(&control, 0, sizeof control);
  struct iovec iov = {reply, sizeof reply};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.bytes,
                       .msg_controllen = sizeof control.bytes};
  struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &app.master, sizeof(int));
  /* A fresh connection's socket buffer is empty: five bytes always fit. */
  if (sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)sizeof reply) {
    queue_error(c, "take input: could not send the terminal");
    return;
  }
  c->closing = 1;
}

/* Handles one frame; returns 0 when it must wait (input buffer or control queue full). */
static int on_frame(struct client *c, int type, const unsigned char *p, size_t len) {
  if (c->ctl_len + 128 > CTL_CAP) return 0;
  int sized = (type == MSG_ATTACH && len == ATTACH_PAYLOAD) || type == MSG_INPUT ||
              (type == MSG_RESIZE && len == 4) || (type == MSG_SIGNAL && len == 2) ||
              ((type == MSG_STATUS || type == MSG_PAUSE || type == MSG_RESUME ||
                type == MSG_TAKE_INPUT) &&
               len == 0) ||
              (type == MSG_ACK && len == 8);
  if (!sized) {
    queue_error(c, "unknown message type or wrong payload length");
    return 1;
  }
  if (type == MSG_ATTACH) {
    on_attach(c, p);
  } else if (type == MSG_INPUT) {
    if (leader_reaped) return 1; /* the app is gone: input has no reader */
    if (input_len + len > INPUT_CAP) return 0;
    memcpy(input + input_len, p, len);
    input_len += len;
    flush_input();
  } else if (type == MSG_RESIZE) {
    unsigned new_cols = p[0] | p[1] << 8, new_rows = p[2] | p[3] << 8;
    if (!new_cols || !new_rows || new_cols > 10000 || new_rows > 10000) {
      queue_error(c, "resize: cols and rows must be 1-10000");
    } else {
      set_size(new_cols, new_rows);
    }
  } else if (type == MSG_SIGNAL) {
    int target = p[0], signo = p[1];
    if ((target != SIGNAL_TARGET_GROUP && target != SIGNAL_TARGET_SESSION) || signo < 1 ||
        signo >= NSIG) {
      queue_error(c, "signal: bad target or signal number");
      return 1;
    }
    unsigned char count[4];
    put32(count, (uint32_t)app_signal(&app, target, signo, leader_reaped, spec.marker));
    queue_ctl(c, MSG_SIGNALED, count, sizeof count);
  } else if (type == MSG_STATUS) {
    flush_log(); /* a status reply vouches that the log holds everything up to its head */
    queue_status(c);
  } else if (type == MSG_TAKE_INPUT) {
    on_take_input(c);
  } else if (type == MSG_ACK) {
    uint64_t upto = get64(p);
    if (upto > c->acked) c->acked = upto < c->pos ? upto : c->pos;
  } else {
    c->paused = type == MSG_PAUSE;
  }
  return 1;
}

void parse_frames(struct client *c) {
  size_t used = 0;
  c->input_blocked = 0;
  while (!c->closing && c->in_len - used >= FRAME_HEADER) {
    const unsigned char *frame = c->in + used;
    size_t len = get32(frame + 1);
    if (len > MAX_CLIENT_PAYLOAD) {
      queue_error(c, "frame too large");
      break;
    }
    if (c->in_len - used < FRAME_HEADER + len) break;
    if (!on_frame(c, frame[0], frame + FRAME_HEADER, len)) {
      c->input_blocked = 1;
      break;
    }
    used += FRAME_HEADER + len;
  }
  memmove(c->in, c->in + used, c->in_len - used);
  c->in_len -= used;
}

int client_read(struct client *c) {
  for (;;) {
    ssize_t n = recv(c->fd, c->in + c->in_len, IN_CAP - c->in_len, MSG_DONTWAIT);
    if (n > 0) {
      c->in_len += (size_t)n;
      parse_frames(c);
      return 0;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && errno == EAGAIN ? 0 : -1;
  }
}

/* Keeps what the socket did not take of a frame: the ring may overwrite it meanwhile. */
static int stage_rest(struct client *c, const struct iovec *iov, int pieces, size_t sent) {
  size_t total = 0;
  for (int i = 0; i < pieces; i++) total += iov[i].iov_len;
  if (sent >= total) return 0;
  c->stage = malloc(total - sent);
  if (!c->stage) return -1;
  c->stage_off = 0;
  c->stage_len = 0;
  for (int i = 0; i < pieces; i++) {
    size_t skip = sent < iov[i].iov_len ? sent : iov[i].iov_len;
    memcpy(c->stage + c->stage_len, (char *)iov[i].iov_base + skip, iov[i].iov_len - skip);
    c->stage_len += iov[i].iov_len - skip;
    sent -= skip;
  }
  return 0;
}

/* True when the client may receive output now (attached, not paused, window open). */
static int receiving(const struct client *c) {
  return c->attached && !c->paused && !c->closing &&
         (!c->window || c->pos - c->acked < c->window);
}

/* A receiving client whose next byte the ring has already overwritten. */
static int behind(const struct client *c) { return receiving(c) && c->pos < ring_start(); }

static size_t sendable(const struct client *c) {
  if (!receiving(c) || c->pos >= head) return 0;
  size_t n = head - c->pos < c->max_payload ? (size_t)(head - c->pos) : c->max_payload;
  uint64_t window_left = c->window ? c->window - (c->pos - c->acked) : UINT64_MAX;
  if (window_left < n) n = (size_t)window_left;
  return n;
}

int client_flush(struct client *c) {
  for (;;) {
    ssize_t n;
    if (c->stage) {
      n = send(c->fd, c->stage + c->stage_off, c->stage_len - c->stage_off,
               MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0 && (c->stage_off += (size_t)n) == c->stage_len) {
        free(c->stage);
        c->stage = NULL;
      }
    } else if (c->ctl_len) {
      n = send(c->fd, c->ctl, c->ctl_len, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        c->ctl_len -= (size_t)n;
        memmove(c->ctl, c->ctl + n, c->ctl_len);
      }
    } else if (c->closing) {
      return -1;
    } else if (behind(c)) { /* it fell behind the ring: skip to a recent tail */
      uint64_t resume = head - (head - ring_start() < ring_size / 4 ? head - ring_start()
                                                                     : ring_size / 4);
      queue_gap(c, c->pos, resume);
      c->pos = c->acked = resume;
      continue;
    } else if (sendable(c)) {
      size_t len = sendable(c);
      unsigned char header[FRAME_HEADER + 8];
      struct iovec iov[3] = {{header, sizeof header}};
      header[0] = MSG_OUTPUT;
      put32(header + 1, (uint32_t)(len + 8));
      put64(header + FRAME_HEADER, c->pos);
      int pieces = 1 + ring_iov(c->pos, len, iov + 1);
      n = sendmsg(c->fd, &(struct msghdr){.msg_iov = iov, .msg_iovlen = (size_t)pieces},
                  MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n >= 0) {
        c->pos += len;
        if ((size_t)n < sizeof header + len && stage_rest(c, iov, pieces, (size_t)n)) return -1;
      }
    } else if (ended && c->attached && !c->exit_sent && c->pos >= head) {
      unsigned char p[16];
      put32(p, (uint32_t)exit_code);
      put32(p + 4, (uint32_t)exit_signal);
      put64(p + 8, ended_ms);
      queue_ctl(c, MSG_EXIT, p, sizeof p);
      c->exit_sent = 1;
      continue;
    } else {
      return 0;
    }
    if (n < 0 && errno != EINTR) return errno == EAGAIN ? 0 : -1;
  }
}

int wants_write(const struct client *c) {
  return c->stage || c->ctl_len || c->closing || behind(c) || sendable(c) ||
         (ended && c->attached && !c->exit_sent && c->pos >= head);
}

/* Takes one pending connection; returns 0 when there was none. */
static int accept_one(void) {
  int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) return errno == EINTR || errno == ECONNABORTED;
  struct ucred peer;
  socklen_t len = sizeof peer;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) || (peer.uid != getuid() && peer.uid)) {
    close(fd);
    return 1;
  }
  for (int i = 0; i < MAX_CLIENTS; i++) {
    if (clients[i].fd >= 0) continue;
    clients[i].fd = fd;
    clients[i].in = malloc(IN_CAP);
    if (!clients[i].in) close_client(&clients[i]);
    return 1;
  }
  static const unsigned char busy[] = {MSG_ERROR, 16, 0, 0, 0, 't', 'o', 'o', ' ', 'm', 'a',
                                       'n', 'y', ' ', 'c', 'l', 'i', 'e', 'n', 't', 's'};
  send(fd, busy, sizeof busy, MSG_NOSIGNAL | MSG_DONTWAIT);
  close(fd);
  return 1;
}

void accept_clients(void) {
  while (accept_one()) continue; /* empty the backlog: clients that come and go never fill it */
}
