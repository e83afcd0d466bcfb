/* Test escapee: clears its argv+environ area the way setproctitle does (so /proc/<pid>/environ
 * no longer shows AIKORE_INSTANCE_ID), double-forks with setsid, ignores TERM/HUP, listens on a
 * free port and reports "<pid> <port>" in the file named by argv[1]. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  char report[4096], tmp[4200];
  snprintf(report, sizeof report, "%s", argv[1]);
  snprintf(tmp, sizeof tmp, "%s.tmp", report);
  char *area_start = argv[0];
  char *area_end = argv[argc - 1] + strlen(argv[argc - 1]);
  int count = 0;
  while (environ[count]) count++;
  char **saved = calloc(count + 1, sizeof *saved);
  for (int i = 0; i < count; i++) {
    if (environ[i] == area_end + 1) area_end = environ[i] + strlen(environ[i]);
    saved[i] = strdup(environ[i]);
  }
  environ = saved;
  memset(area_start, 0, area_end - area_start);
  snprintf(area_start, area_end - area_start, "worker: epoch 1");
  if (fork() > 0) _exit(0);
  setsid();
  if (fork() > 0) _exit(0);
  signal(SIGTERM, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in address = {0};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (bind(s, (struct sockaddr *)&address, size) != 0 || listen(s, 5) != 0) return 1;
  getsockname(s, (struct sockaddr *)&address, &size);
  FILE *out = fopen(tmp, "w");
  if (!out) return 1;
  fprintf(out, "%d %d\n", getpid(), ntohs(address.sin_port));
  fclose(out);
  rename(tmp, report);
  for (;;) pause();
}
