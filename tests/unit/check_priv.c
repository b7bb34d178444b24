/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for src/priv: the seccomp filter flowstate installs (each
 * filtered body runs in a child of its own, forked by filtered(), because
 * Check's own test process makes calls the filter forbids) and the
 * capability drop without -Z. Needs no privilege: seccomp with no_new_privs
 * works for any user; as root the drop tests also see the bounding set
 * emptied and CAP_DAC_OVERRIDE kept for the -o reopen. The -Z switch itself
 * is tested on the real binary in tests/live/run-privdrop.sh.
 */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "priv/priv.h"
#include "util/log.h"
#include "util/outfile.h"

/* In a filtered body: fail with the line number as exit status. */
#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond))                                                                               \
            return __LINE__;                                                                       \
    } while (0)

/*
 * Forks; the child runs before(arg) unfiltered, installs the filter, runs
 * body(arg) and exits with its result (0 = all held). returns the child's
 * wait status.
 */
static int
filtered(int (*before)(void *), int (*body)(void *), void *arg)
{
    pid_t pid;
    int st = 0;

    fflush(NULL);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        char err[ERRBUF_SIZE] = "";
        int rc = before != NULL ? before(arg) : 0;

        if (rc != 0)
            _exit(rc & 0xff);
        if (priv_seccomp_apply(NULL, err) != 0) {
            fprintf(stderr, "priv_seccomp_apply: %s\n", err);
            _exit(1);
        }
        _exit(body(arg) & 0xff);
    }
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    return st;
}

static void
assert_killed_by_sigsys(int st, const char *what)
{
    ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "%s: want death by SIGSYS, got %s %d",
                  what, WIFSIGNALED(st) ? "signal" : "exit status",
                  WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

static void
assert_exited_cleanly(int st, const char *what)
{
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: %s %d", what,
                  WIFSIGNALED(st) ? "killed by signal" : "failed at line (mod 256)",
                  WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

/* The value of FIELD in /proc/self/status (first token), or "" */
static void
status_field(const char *field, char *out, size_t outlen)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    size_t n = strlen(field);

    out[0] = '\0';
    ck_assert_ptr_nonnull(f);
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, field, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;

            v += strspn(v, " \t");
            snprintf(out, outlen, "%.*s", (int)strcspn(v, " \t\n"), v);
            break;
        }
    }
    fclose(f);
}

/* ---- forbidden calls: each kills the process with SIGSYS ------------------- */

static int
forbidden_call(void *arg)
{
    int i = *(int *)arg;

    static char prog[] = "/bin/true";
    char *const argv[] = {prog, NULL};
    char *const envp[] = {NULL};

    switch (i) {
    case 0:
        execve("/bin/true", argv, envp);
        break;
    case 1:
        (void)socket(AF_INET, SOCK_STREAM, 0); /* no new connection of any kind */
        break;
    case 2:
        (void)socket(AF_PACKET, SOCK_RAW, 0); /* nor a new capture socket */
        break;
    case 3:
        (void)syscall(SYS_clone3, NULL, 0); /* no new process or thread */
        break;
    case 4: /* no new executable memory */
        (void)mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        break;
    case 5: {
        void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        ck_assert_ptr_ne(p, MAP_FAILED);
        (void)mprotect(p, 4096, PROT_READ | PROT_EXEC);
        break;
    }
    case 6: { /* nothing typed into the terminal */
        char c = 'x';

        (void)ioctl(STDIN_FILENO, TIOCSTI, &c);
        break;
    }
    case 7:
        (void)syscall(SYS_tgkill, 1, 1, 0); /* no signal to another process */
        break;
    case 8:
        (void)syscall(SYS_setuid, 0);
        break;
    case 9:
        (void)syscall(SYS_execveat, AT_FDCWD, "/bin/true", argv, envp, 0);
        break;
    case 10:
        (void)syscall(SYS_unshare, 0);
        break;
    default:
        return 2;
    }
    return 0; /* it returned: the filter let it through */
}

#define N_FORBIDDEN 11

START_TEST(test_forbidden_call_kills_with_sigsys)
{
    int i = _i;
    char what[32];

    snprintf(what, sizeof(what), "forbidden call %d", i);
    assert_killed_by_sigsys(filtered(NULL, forbidden_call, &i), what);
}
END_TEST

/* Without the sanitizer allowance, fork (clone) and prctl other than PR_SET_NAME are forbidden too.
 */
static int
fork_or_prctl(void *arg)
{
    if (*(int *)arg == 0) {
        pid_t p = fork();

        if (p == 0)
            _exit(0);
    } else {
        (void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    }
    return 0;
}

START_TEST(test_fork_and_prctl_kill_without_the_sanitizer_allowance)
{
    int i = _i;
    int st = filtered(NULL, fork_or_prctl, &i);

    if (priv_seccomp_sanitizer_allowance()) /* LeakSanitizer needs clone and prctl */
        assert_exited_cleanly(st, i == 0 ? "fork (sanitizer allowance)" : "prctl (allowance)");
    else
        assert_killed_by_sigsys(st, i == 0 ? "fork" : "prctl(PR_SET_DUMPABLE)");
}
END_TEST

/* A thread that existed before the filter gets it too (TSYNC). */
static void *
thread_execs(void *arg)
{
    static char prog[] = "/bin/true";
    char *const argv[] = {prog, NULL};
    char *const envp[] = {NULL};
    int *go = arg;

    while (!__atomic_load_n(go, __ATOMIC_ACQUIRE))
        sched_yield();
    execve("/bin/true", argv, envp);
    return NULL;
}

struct older_thread {
    pthread_t t;
    int go;
};

static int
start_older_thread(void *arg)
{
    struct older_thread *o = arg;

    return pthread_create(&o->t, NULL, thread_execs, &o->go) == 0 ? 0 : __LINE__;
}

static int
release_older_thread(void *arg)
{
    struct older_thread *o = arg;

    __atomic_store_n(&o->go, 1, __ATOMIC_RELEASE);
    pthread_join(o->t, NULL);
    return 0; /* its execve returned, or replaced the process: either way not filtered */
}

START_TEST(test_filter_covers_threads_started_before_it)
{
    struct older_thread o;

    memset(&o, 0, sizeof(o));
    assert_killed_by_sigsys(filtered(start_older_thread, release_older_thread, &o),
                            "execve from a thread started before the filter");
}
END_TEST

/* ---- what the run needs still works ------------------------------------------ */

struct waiter {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int state; /* 0 start, 1 filter on, 2 thread done */
};

static void *
thread_waits(void *arg)
{
    struct waiter *w = arg;
    struct timespec d = {0, 1000000};

    pthread_mutex_lock(&w->mu);
    while (w->state != 1)
        pthread_cond_wait(&w->cv, &w->mu); /* futex */
    pthread_mutex_unlock(&w->mu);
    nanosleep(&d, NULL);
    sched_yield();
    free(malloc(1 << 20)); /* a worker's allocation, in its own arena */
    pthread_mutex_lock(&w->mu);
    w->state = 2;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* The reopen target: made and removed by the parent (unchecked fixture), as unlink is forbidden. */
static char reopen_path[] = "/tmp/check_priv.XXXXXX";

static void
reopen_setup(void)
{
    int fd = mkstemp(reopen_path);

    if (fd < 0)
        abort();
    close(fd);
}

static void
reopen_teardown(void)
{
    unlink(reopen_path);
}

struct allowed {
    struct waiter w;
    pthread_t t;
    int pipefd[2]; /* a ring socket and libpcap's eventfd exist before the filter too */
};

static int
start_waiter(void *arg)
{
    struct allowed *a = arg;

    if (pipe(a->pipefd) != 0)
        return __LINE__;
    return pthread_create(&a->t, NULL, thread_waits, &a->w) == 0 ? 0 : __LINE__;
}

static int
allowed_calls(void *arg)
{
    struct allowed *a = arg;
    struct waiter *wp = &a->w;
    char err[ERRBUF_SIZE] = "", line[16];
    FILE *f;
    struct timespec ts;
    struct pollfd pfd;
    int *pipefd = a->pipefd, fd;
    char buf[8];
    void *big;

    /* workers: wake a thread, wait for it, join it */
    pthread_mutex_lock(&wp->mu);
    wp->state = 1;
    pthread_cond_signal(&wp->cv);
    while (wp->state != 2)
        pthread_cond_wait(&wp->cv, &wp->mu);
    pthread_mutex_unlock(&wp->mu);
    REQUIRE(pthread_join(a->t, NULL) == 0);

    /* the capture loop's waiting, the clock */
    pfd.fd = pipefd[0];
    pfd.events = POLLIN;
    REQUIRE(poll(&pfd, 1, 1) == 0);
    REQUIRE(write(pipefd[1], "x", 1) == 1);
    REQUIRE(poll(&pfd, 1, 1000) == 1);
    REQUIRE(read(pipefd[0], buf, sizeof(buf)) == 1);
    REQUIRE(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) == 0);

    /* memory: a large block (mmap, munmap) and brk */
    big = malloc(64u << 20);
    REQUIRE(big != NULL);
    memset(big, 1, 4096);
    free(big);
    free(malloc(100));

    /* the SIGHUP reopen of -o: open by name, dup2 over the stream's descriptor */
    fd = outfile_open(reopen_path, true, err);
    REQUIRE(fd >= 0);
    REQUIRE(dup2(fd, pipefd[1]) >= 0);
    REQUIRE(write(pipefd[1], "rec\n", 4) == 4);
    close(fd);
    close(pipefd[1]);
    close(pipefd[0]);

    /* a worker naming itself, the terminal query */
    REQUIRE(prctl(PR_SET_NAME, "check-priv", 0, 0, 0) == 0);
    {
        struct termios tio;

        (void)tcgetattr(STDIN_FILENO, &tio); /* ENOTTY off a terminal: allowed all the same */
    }
    /* libpcap's ifdrop counter: a /sys file read through stdio */
    if ((f = fopen("/sys/class/net/lo/statistics/rx_dropped", "r")) != NULL) {
        REQUIRE(fgets(line, sizeof(line), f) != NULL);
        fclose(f);
    } else {
        REQUIRE(errno == ENOENT);
    }
    REQUIRE((f = fopen(reopen_path, "r")) != NULL);
    REQUIRE(fgets(line, sizeof(line), f) != NULL);
    REQUIRE(strcmp(line, "rec\n") == 0);
    fclose(f);
    return 0;
}

START_TEST(test_allowed_calls_of_a_run_still_work)
{
    struct allowed a;

    memset(&a, 0, sizeof(a));
    pthread_mutex_init(&a.w.mu, NULL);
    pthread_cond_init(&a.w.cv, NULL);
    assert_exited_cleanly(filtered(start_waiter, allowed_calls, &a), "the calls of a run");
}
END_TEST

/* Files are never removed or renamed by a run. */
static int
do_unlink(void *arg)
{
    (void)arg;
    (void)unlink("/nonexistent/check_priv");
    return 0;
}

START_TEST(test_unlink_is_forbidden)
{
    assert_killed_by_sigsys(filtered(NULL, do_unlink, NULL), "unlink");
}
END_TEST

/* ---- capabilities without -Z ----------------------------------------------------- */

START_TEST(test_drop_without_user_leaves_no_capability)
{
    struct priv_needs needs = {false};
    char err[ERRBUF_SIZE] = "", v[64];
    uid_t uid = getuid();
    bool root = geteuid() == 0;

    ck_assert_msg(priv_drop(NULL, &needs, err) == 0, "priv_drop: %s", err);
    ck_assert_int_eq(getuid(), uid);
    ck_assert_int_eq(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);
    status_field("CapEff", v, sizeof(v));
    ck_assert_str_eq(v, "0000000000000000");
    status_field("CapPrm", v, sizeof(v));
    ck_assert_str_eq(v, "0000000000000000");
    status_field("CapInh", v, sizeof(v));
    ck_assert_str_eq(v, "0000000000000000");
    status_field("CapAmb", v, sizeof(v));
    ck_assert_str_eq(v, "0000000000000000");
    if (root) { /* root held CAP_SETPCAP: the bounding set is gone too */
        status_field("CapBnd", v, sizeof(v));
        ck_assert_str_eq(v, "0000000000000000");
    }
}
END_TEST

START_TEST(test_drop_as_root_keeps_only_dac_override_for_the_reopen)
{
    struct priv_needs needs = {true};
    char err[ERRBUF_SIZE] = "", v[64];
    bool root = geteuid() == 0;

    ck_assert_msg(priv_drop(NULL, &needs, err) == 0, "priv_drop: %s", err);
    status_field("CapEff", v, sizeof(v));
    /* CAP_DAC_OVERRIDE is capability 1; a user without it keeps nothing */
    ck_assert_str_eq(v, root ? "0000000000000002" : "0000000000000000");
    status_field("CapPrm", v, sizeof(v));
    ck_assert_str_eq(v, root ? "0000000000000002" : "0000000000000000");
    status_field("CapAmb", v, sizeof(v));
    ck_assert_str_eq(v, "0000000000000000");
}
END_TEST

START_TEST(test_unknown_user_fails_lookup)
{
    struct priv_user u;
    char err[ERRBUF_SIZE] = "";

    ck_assert_int_eq(priv_user_lookup("no-such-user-fs", &u, err), -1);
    ck_assert_ptr_nonnull(strstr(err, "no-such-user-fs"));
    priv_user_fini(&u);
}
END_TEST

/* Running as root, a symbolic link as output is refused (O_NOFOLLOW); others follow it. */
START_TEST(test_outfile_refuses_a_symlink_as_root)
{
    char dir[] = "/tmp/check_priv_dir.XXXXXX";
    char target[64], link[64], err[ERRBUF_SIZE] = "";
    int fd;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(target, sizeof(target), "%s/target", dir);
    snprintf(link, sizeof(link), "%s/link", dir);
    ck_assert_int_eq(symlink(target, link), 0);
    fd = outfile_open(link, false, err);
    if (geteuid() == 0) {
        ck_assert_int_eq(fd, -1);
        ck_assert_msg(strstr(err, "symbolic link") != NULL, "err: %s", err);
        ck_assert_int_eq(access(target, F_OK), -1); /* nothing created through it */
    } else {
        ck_assert_int_ge(fd, 0);
        close(fd);
        ck_assert_int_eq(access(target, F_OK), 0);
        unlink(target);
    }
    unlink(link);
    rmdir(dir);
}
END_TEST

static Suite *
priv_suite(void)
{
    Suite *s = suite_create("priv");
    TCase *tc = tcase_create("seccomp");
    TCase *ok = tcase_create("allowed");
    TCase *caps = tcase_create("capabilities");

    tcase_add_loop_test(tc, test_forbidden_call_kills_with_sigsys, 0, N_FORBIDDEN);
    tcase_add_loop_test(tc, test_fork_and_prctl_kill_without_the_sanitizer_allowance, 0, 2);
    tcase_add_test(tc, test_filter_covers_threads_started_before_it);
    tcase_add_test(tc, test_unlink_is_forbidden);
    suite_add_tcase(s, tc);
    tcase_add_unchecked_fixture(ok, reopen_setup, reopen_teardown);
    tcase_add_test(ok, test_allowed_calls_of_a_run_still_work);
    suite_add_tcase(s, ok);
    tcase_add_test(caps, test_drop_without_user_leaves_no_capability);
    tcase_add_test(caps, test_drop_as_root_keeps_only_dac_override_for_the_reopen);
    tcase_add_test(caps, test_unknown_user_fails_lookup);
    tcase_add_test(caps, test_outfile_refuses_a_symlink_as_root);
    suite_add_tcase(s, caps);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(priv_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
