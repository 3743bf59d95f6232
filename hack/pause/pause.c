/*
 * The pod sandbox's process: holds the pod's namespaces open and does nothing else. As PID 1 of
 * the pod it also reaps orphaned children, and it exits at once on SIGTERM or SIGINT (PID 1 gets
 * no default signal handling, so without handlers every pod stop would wait for SIGKILL).
 * Built with `gcc -static` by scripts/pause-image.sh; no libc is needed in the image.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void stop(int sig) {
	(void)sig;
	_exit(0);
}

static void reap(int sig) {
	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0) {
	}
}

int main(int argc, char **argv) {
	(void)argc;
	(void)argv;
	struct sigaction on_stop = {.sa_handler = stop};
	struct sigaction on_child = {.sa_handler = reap, .sa_flags = SA_NOCLDSTOP | SA_RESTART};
	sigemptyset(&on_stop.sa_mask);
	sigemptyset(&on_child.sa_mask);
	if (sigaction(SIGTERM, &on_stop, NULL) != 0 || sigaction(SIGINT, &on_stop, NULL) != 0 ||
	    sigaction(SIGCHLD, &on_child, NULL) != 0)
		return 1;
	for (;;)
		pause();
}
