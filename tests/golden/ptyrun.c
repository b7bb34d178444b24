/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ptyrun: runs a command with its standard output (and, with -e, its
 * standard error) on a pseudo-terminal of a given width, and copies what
 * the command writes there to ptyrun's own standard output, byte for byte
 * (the terminal is raw: no "\n" -> "\r\n"). The golden tests use it to see
 * the text table as a terminal of 80 or 200 columns gets it.
 *
 *   ptyrun COLUMNS [-e] -- COMMAND [ARG...]
 *
 * Exit status: the command's (128 + signal if it was killed), 125 on a
 * setup error. Standard input and (without -e) standard error are the
 * caller's.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static int
usage(void)
{
    fputs("usage: ptyrun COLUMNS [-e] -- COMMAND [ARG...]\n", stderr);
    return 125;
}

int
main(int argc, char **argv)
{
    struct winsize ws;
    struct termios tio;
    int master, slave, status, i = 2;
    int on_stderr = 0;
    char *end, buf[4096];
    long cols;
    pid_t pid;
    ssize_t n;

    if (argc < 4)
        return usage();
    cols = strtol(argv[1], &end, 10);
    if (*end != '\0' || cols < 1 || cols > 10000)
        return usage();
    if (strcmp(argv[i], "-e") == 0) {
        on_stderr = 1;
        i++;
    }
    if (i >= argc || strcmp(argv[i], "--") != 0 || i + 1 >= argc)
        return usage();
    memset(&ws, 0, sizeof(ws));
    ws.ws_col = (unsigned short)cols;
    ws.ws_row = 50;
    memset(&tio, 0, sizeof(tio));
    cfmakeraw(&tio);
    if (openpty(&master, &slave, NULL, &tio, &ws) != 0) {
        perror("ptyrun: openpty");
        return 125;
    }
    if ((pid = fork()) < 0) {
        perror("ptyrun: fork");
        return 125;
    }
    if (pid == 0) {
        close(master);
        if (dup2(slave, STDOUT_FILENO) < 0 || (on_stderr && dup2(slave, STDERR_FILENO) < 0))
            _exit(125);
        if (slave != STDOUT_FILENO && slave != STDERR_FILENO)
            close(slave);
        execvp(argv[i + 1], argv + i + 1);
        fprintf(stderr, "ptyrun: %s: %s\n", argv[i + 1], strerror(errno));
        _exit(127);
    }
    close(slave);
    /* Linux: once the last slave descriptor is closed, read() gives what is left, then EIO. */
    for (;;) {
        n = read(master, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
            return 125;
    }
    if (fflush(stdout) != 0)
        return 125;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return 125;
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}
