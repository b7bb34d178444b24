/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A stand-in for code that has taken over flowstate: LD_PRELOADed by
 * tests/live/run-caps.sh, it makes flowstate run /bin/sh -c "$FS_SHIM_CMD"
 * (execve) when SIGUSR2 arrives, i.e. at any point of a run the test picks.
 * With the system-call filter on, the execve must kill flowstate with SIGSYS
 * and the command must never run; with --no-seccomp it runs (the control
 * that shows the shim works). Not part of flowstate.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static char shim_cmd[512] = "true";

static void
shim_on_usr2(int sig)
{
    static char sh[] = "/bin/sh", dash_c[] = "-c";
    char *argv[] = {sh, dash_c, shim_cmd, NULL};

    (void)sig;
    execve(sh, argv, environ);
    _exit(99); /* execve refused without killing: not what the filter does */
}

__attribute__((constructor)) static void
shim_init(void)
{
    const char *c = getenv("FS_SHIM_CMD");
    struct sigaction sa;

    if (c != NULL && strlen(c) < sizeof(shim_cmd))
        memcpy(shim_cmd, c, strlen(c) + 1);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = shim_on_usr2;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR2, &sa, NULL);
}
