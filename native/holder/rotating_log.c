/*
 * The instance log, with the same rules as lib/process/rotating_log.ts: files of at most
 * `max` bytes, rotated to path.1 … path.keep, an existing non-empty log moved aside at open,
 * and a note in the log when output had to be dropped (disk full or failing).
 */
#include "holder.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int write_all(int fd, const void *data, size_t len) {
  const unsigned char *p = data;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

int write_file_atomic(const char *path, const char *text) {
  char tmp[PATH_MAX];
  if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) return -1;
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return -1;
  int failed = write_all(fd, text, strlen(text)) || fsync(fd);
  if (close(fd)) failed = 1;
  if (failed || rename(tmp, path)) {
    unlink(tmp);
    return -1;
  }
  return 0;
}

static void shift_files(struct rlog *log) {
  char from[NAME_MAX + 16], to[NAME_MAX + 16];
  for (int i = log->keep - 1; i >= 1; i--) {
    snprintf(from, sizeof from, "%s.%d", log->name, i);
    snprintf(to, sizeof to, "%s.%d", log->name, i + 1);
    renameat(log->dir_fd, from, log->dir_fd, to); /* a missing file is fine */
  }
  if (log->keep > 0) {
    snprintf(to, sizeof to, "%s.1", log->name);
    renameat(log->dir_fd, log->name, log->dir_fd, to);
  } else {
    unlinkat(log->dir_fd, log->name, 0);
  }
  log->size = 0;
}

static int open_live(struct rlog *log) {
  if (log->dir_fd < 0) return -1;
  log->fd = openat(log->dir_fd, log->name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
                   0666);
  return log->fd < 0 ? -1 : 0;
}

int rlog_open(struct rlog *log, const char *path, size_t max, int keep) {
  memset(log, 0, sizeof *log);
  log->path = path;
  log->max = max;
  log->keep = keep;
  log->fd = -1;
  log->dir_fd = -1;
  if (!path) return 0;
  const char *slash = strrchr(path, '/');
  char dir[PATH_MAX];
  size_t dir_len = slash ? (size_t)(slash - path) : 0;
  if (!slash || dir_len == 0 || dir_len >= sizeof dir || strlen(slash + 1) > NAME_MAX) return -1;
  memcpy(dir, path, dir_len);
  dir[dir_len] = '\0';
  log->name = slash + 1;
  log->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (log->dir_fd < 0) return -1;
  struct stat st;
  if (fstatat(log->dir_fd, log->name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_size > 0) {
    shift_files(log);
  }
  return open_live(log);
}

static int write_part(struct rlog *log, const unsigned char *data, size_t len) {
  while (len > 0) {
    if (log->size >= log->max) {
      if (log->fd >= 0) close(log->fd);
      shift_files(log);
      if (open_live(log)) return -1;
    }
    size_t room = log->max - log->size;
    size_t part = len < room ? len : room;
    if (log->fd < 0 || write_all(log->fd, data, part)) return -1;
    log->size += part;
    data += part;
    len -= part;
  }
  return 0;
}

void rlog_write(struct rlog *log, const unsigned char *data, size_t len) {
  if (len == 0 || !log->path) return;
  if (log->fd < 0 && open_live(log)) {
    log->unreported += len;
    log->dropped += len;
    return;
  }
  if (log->unreported > 0) {
    char note[160];
    int n = snprintf(note, sizeof note,
                     "\r\n[aikore] %llu bytes of output were dropped "
                     "(the log disk was too slow or full)\r\n",
                     (unsigned long long)log->unreported);
    if (write_part(log, (const unsigned char *)note, (size_t)n)) {
      log->unreported += len;
      log->dropped += len;
      return;
    }
    log->unreported = 0;
  }
  /* A failed write may have written part of the chunk; counting all of it keeps it simple. */
  if (write_part(log, data, len)) {
    log->unreported += len;
    log->dropped += len;
  }
}

void rlog_note(struct rlog *log, const char *text) {
  rlog_write(log, (const unsigned char *)text, strlen(text));
}
