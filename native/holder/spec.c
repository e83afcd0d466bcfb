/*
 * The spec file: "aikore-holder-spec/1\0" then key\0value\0 pairs. argv and env travel as
 * separate values, so nothing is ever interpreted by a shell.
 */
#include "holder.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SPEC_MAGIC "aikore-holder-spec/1"
#define SPEC_MAX (4 * 1024 * 1024)
#define MAX_LIST 4096

static int fail(char *err, size_t errlen, const char *what, const char *detail) {
  snprintf(err, errlen, "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
  return -1;
}

static int parse_size(const char *text, size_t min, size_t max, size_t *out) {
  char *end = NULL;
  errno = 0;
  unsigned long long value = strtoull(text, &end, 10);
  if (errno || end == text || *end || value < min || value > max) return -1;
  *out = (size_t)value;
  return 0;
}

static int marker_valid(const char *marker) {
  size_t len = strlen(marker);
  if (len < 1 || len > 128) return 0;
  for (size_t i = 0; i < len; i++) {
    char c = marker[i];
    int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
             (i > 0 && (c == '_' || c == '.' || c == ':' || c == '-'));
    if (!ok) return 0;
  }
  return 1;
}

static char *read_whole(const char *path, size_t *len, char *err, size_t errlen) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    fail(err, errlen, "cannot open the spec file", strerror(errno));
    return NULL;
  }
  char *buf = malloc(SPEC_MAX + 1);
  size_t used = 0;
  while (buf && used < SPEC_MAX) {
    ssize_t n = read(fd, buf + used, SPEC_MAX - used);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    used += (size_t)n;
  }
  close(fd);
  if (!buf || used >= SPEC_MAX) {
    free(buf);
    fail(err, errlen, "the spec file is too large or memory ran out", NULL);
    return NULL;
  }
  buf[used] = '\0';
  *len = used;
  return buf;
}

int spec_read(const char *path, struct spec *out, char *err, size_t errlen) {
  size_t len = 0;
  char *buf = read_whole(path, &len, err, errlen);
  if (!buf) return -1;
  memset(out, 0, sizeof *out);
  out->log_max = 50u * 1024 * 1024;
  out->log_keep = 2;
  out->scrollback = 1024 * 1024;
  out->cols = 80;
  out->rows = 24;
  out->argv = calloc(MAX_LIST + 1, sizeof(char *));
  out->envp = calloc(MAX_LIST + 1, sizeof(char *));
  if (!out->argv || !out->envp) return fail(err, errlen, "out of memory", NULL);
  size_t magic = strlen(SPEC_MAGIC) + 1;
  if (len < magic || memcmp(buf, SPEC_MAGIC, magic) != 0) {
    return fail(err, errlen, "not a holder spec file (bad magic)", NULL);
  }
  if (buf[len - 1] != '\0') return fail(err, errlen, "the spec file is truncated", NULL);
  int argc = 0, envc = 0;
  size_t pos = magic;
  while (pos < len) {
    char *key = buf + pos;
    pos += strlen(key) + 1;
    if (pos >= len) return fail(err, errlen, "spec key without a value", key);
    char *value = buf + pos;
    pos += strlen(value) + 1;
    size_t number = 0;
    if (!strcmp(key, "arg")) {
      if (argc >= MAX_LIST) return fail(err, errlen, "too many arguments", NULL);
      out->argv[argc++] = value;
    } else if (!strcmp(key, "env")) {
      if (envc >= MAX_LIST) return fail(err, errlen, "too many environment entries", NULL);
      if (!strchr(value, '=')) return fail(err, errlen, "env entry without '='", value);
      out->envp[envc++] = value;
    } else if (!strcmp(key, "dir")) out->dir = value;
    else if (!strcmp(key, "marker")) out->marker = value;
    else if (!strcmp(key, "log")) out->log = value;
    else if (!strcmp(key, "cwd")) out->cwd = value;
    else if (!strcmp(key, "log_max")) {
      if (parse_size(value, 1024, (size_t)1 << 40, &out->log_max)) {
        return fail(err, errlen, "log_max must be 1024 bytes or more", value);
      }
    } else if (!strcmp(key, "log_keep")) {
      if (parse_size(value, 0, 100, &number)) return fail(err, errlen, "log_keep: 0-100", value);
      out->log_keep = (int)number;
    } else if (!strcmp(key, "scrollback")) {
      if (parse_size(value, 65536, (size_t)64 << 20, &out->scrollback)) {
        return fail(err, errlen, "scrollback must be 64 KiB to 64 MiB", value);
      }
    } else if (!strcmp(key, "cols") || !strcmp(key, "rows")) {
      if (parse_size(value, 1, 10000, &number)) return fail(err, errlen, key, "1-10000");
      *(!strcmp(key, "cols") ? &out->cols : &out->rows) = (unsigned)number;
    } else {
      return fail(err, errlen, "unknown spec key", key);
    }
  }
  if (argc == 0 || !out->argv[0][0]) return fail(err, errlen, "argv is empty", NULL);
  if (!out->dir || out->dir[0] != '/') return fail(err, errlen, "dir must be absolute", NULL);
  /* No "log": the output is kept in the ring only (an interactive terminal). */
  if (out->log && out->log[0] != '/') return fail(err, errlen, "log must be absolute", NULL);
  if (!out->cwd || !out->cwd[0]) return fail(err, errlen, "cwd is missing", NULL);
  if (!out->marker || !marker_valid(out->marker)) {
    return fail(err, errlen, "marker must be 1-128 letters, digits, _ . : -", out->marker);
  }
  return 0; /* buf stays allocated: the spec points into it for the holder's lifetime */
}
