/*
 * pause: PID 1 of every pod sandbox (kubets).
 *
 * It holds the pod's namespaces open while application containers come and
 * go, so it must do nothing and cost nothing: block in pause(2) until a
 * signal arrives. Two duties come with being PID 1 of a shared PID
 * namespace:
 *   - orphans are re-parented to it, so it reaps them on SIGCHLD, otherwise
 *     they would stay zombies for the pod's lifetime;
 *   - the kernel drops signals to a namespace's init that has no handler, so
 *     SIGINT and SIGTERM get explicit handlers that exit 0, which is what
 *     `docker stop` expects (no wait for the SIGKILL grace period).
 *
 * Built static (gcc -static -O2) so the image is just this one file.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAUSE_VERSION "3.9-kubets"

static void on_terminate(int sig) {
  (void)sig;
  _exit(0);
}

static void on_child(int sig) {
  (void)sig;
  int saved = errno; /* a handler must not clobber errno for the interrupted code */
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
  errno = saved;
}

static int install(int sig, void (*handler)(int), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sa.sa_flags = flags;
  sigemptyset(&sa.sa_mask);
  return sigaction(sig, &sa, NULL);
}

int main(int argc, char **argv) {
  if (argc > 1 && (strcmp(argv[1], "-v") == 0 || strcmp(argv[1], "--version") == 0)) {
    printf("pause %s\n", PAUSE_VERSION);
    return 0;
  }
  if (getpid() != 1) {
    /* Still useful outside a PID namespace (tests), but say so. */
    fprintf(stderr, "pause: warning: not running as PID 1\n");
  }
  if (install(SIGINT, on_terminate, 0) < 0 || install(SIGTERM, on_terminate, 0) < 0 ||
      install(SIGCHLD, on_child, SA_NOCLDSTOP | SA_RESTART) < 0) {
    perror("pause: sigaction");
    return 1;
  }
  for (;;) pause();
  /* not reached */
  return 42;
}
