/* waitid (P_PID, P_PGID, P_ALL, WNOHANG, WNOWAIT, stopped and continued
 * children, siginfo fields), statx (fields against fstat, flags, errors),
 * and the calls nothing else exercises: exit, tkill, sethostname,
 * reboot's checks. */
#define _GNU_SOURCE
#include "check.h"
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BAD ((void *)0x10)

static void show(const char *what, int result, siginfo_t *info, pid_t child)
{
    printf("%s: %d", what, result);
    if (result == 0)
        printf(" signo %d code %d pid %s status %d", info->si_signo, info->si_code,
               info->si_pid == child ? "child" : info->si_pid == 0 ? "0" : "other", info->si_status);
    else
        printf(" %s", errno_name(errno));
    printf("\n");
    fflush(stdout);
}

static void pause_ms(int ms)
{
    struct timespec t = {0, ms * 1000000L};
    nanosleep(&t, NULL);
}

int main(void)
{
    siginfo_t info;
    pid_t child = fork();
    if (child == 0)
        exit(7);
    memset(&info, 0xff, sizeof info);
    show("WEXITED|WNOWAIT", waitid(P_PID, child, &info, WEXITED | WNOWAIT), &info, child);
    show("WEXITED again", waitid(P_PID, child, &info, WEXITED), &info, child);
    show("reaped already", waitid(P_PID, child, &info, WEXITED), &info, child);
    show("no options", waitid(P_ALL, 0, &info, 0), &info, 0);
    show("bad idtype", waitid(7, 0, &info, WEXITED), &info, 0);

    child = fork();
    if (child == 0) {
        pause_ms(200);
        _exit(0);
    }
    memset(&info, 0xff, sizeof info);
    show("WNOHANG, still running", waitid(P_PID, child, &info, WEXITED | WNOHANG), &info, child);
    printf("si_pid zeroed: %d\n", info.si_pid == 0);
    CHECK(kill(child, SIGSTOP));
    show("WSTOPPED", waitid(P_PID, child, &info, WSTOPPED), &info, child);
    CHECK(kill(child, SIGCONT));
    show("WCONTINUED", waitid(P_PGID, 0, &info, WCONTINUED), &info, child);
    show("exit by P_ALL", waitid(P_ALL, 0, &info, WEXITED), &info, child);

    child = fork();
    if (child == 0) {
        raise(SIGTERM);
        _exit(1);
    }
    show("killed", waitid(P_PID, child, &info, WEXITED), &info, child);
    show("bad infop", waitid(P_ALL, 0, BAD, WEXITED), &info, 0);

    /* statx against fstat. */
    int fd = open("file", O_CREAT | O_WRONLY, 0640);
    CHECK(write(fd, "hello", 5));
    struct stat st;
    fstat(fd, &st);
    struct statx sx;
    CHECK(statx(AT_FDCWD, "file", 0, STATX_BASIC_STATS, &sx));
    printf("basic stats reported: %d\n", (sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS);
    printf("same as fstat: ino %d size %d mode %d nlink %d blocks %d dev %d mtime %d\n",
           sx.stx_ino == st.st_ino, sx.stx_size == (unsigned long)st.st_size, sx.stx_mode == st.st_mode,
           sx.stx_nlink == st.st_nlink, sx.stx_blocks == (unsigned long)st.st_blocks,
           makedev(sx.stx_dev_major, sx.stx_dev_minor) == st.st_dev, sx.stx_mtime.tv_sec == st.st_mtime);
    CHECK(statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx));
    printf("AT_EMPTY_PATH size %llu\n", (unsigned long long)sx.stx_size);
    CHECK(symlink("file", "link"));
    CHECK(statx(AT_FDCWD, "link", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx));
    printf("symlink mode is a link: %d\n", S_ISLNK(sx.stx_mode));
    CHECK(statx(AT_FDCWD, "/dev/null", 0, STATX_BASIC_STATS, &sx));
    printf("/dev/null rdev %u:%u\n", sx.stx_rdev_major, sx.stx_rdev_minor);
    CHECK(statx(AT_FDCWD, "missing", 0, STATX_BASIC_STATS, &sx));
    CHECK(statx(AT_FDCWD, "file", 0x1, STATX_BASIC_STATS, &sx));
    CHECK(statx(AT_FDCWD, "file", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &sx));
    CHECK(statx(AT_FDCWD, "file", 0, 0x80000000U, &sx));
    CHECK(statx(AT_FDCWD, "file", 0, STATX_BASIC_STATS, BAD));
    CHECK(statx(AT_FDCWD, BAD, 0, STATX_BASIC_STATS, &sx));
    CHECK(statx(99, "file", 0, STATX_BASIC_STATS, &sx));

    /* exit(2) itself (not exit_group) ends a single-threaded process. */
    child = fork();
    if (child == 0)
        syscall(SYS_exit, 5);
    int status;
    waitpid(child, &status, 0);
    printf("SYS_exit: exited %d code %d\n", WIFEXITED(status), WEXITSTATUS(status));

    /* tkill. */
    CHECK(syscall(SYS_tkill, getpid(), 0));
    CHECK(syscall(SYS_tkill, 0, SIGUSR1));
    CHECK(syscall(SYS_tkill, -5, SIGUSR1));
    CHECK(syscall(SYS_tkill, 999999, 0));
    CHECK(syscall(SYS_tkill, getpid(), 99));

    /* sethostname: length and pointer checks, then a real change. */
    char name[80];
    memset(name, 'a', sizeof name);
    CHECK(sethostname(name, 65));
    CHECK(sethostname(BAD, 4));
    CHECK(sethostname("corpus", 6));
    CHECK(gethostname(name, sizeof name));
    printf("hostname now %s\n", name);

    /* clone3 as fork, and its argument checks. */
    unsigned long long args[11] = {0};
    args[4] = SIGCHLD; /* exit_signal */
    long forked = syscall(SYS_clone3, args, 64);
    if (forked == 0)
        syscall(SYS_exit, 4);
    waitpid(forked, &status, 0);
    printf("clone3 child: exited %d code %d\n", WIFEXITED(status), WEXITSTATUS(status));
    CHECK(syscall(SYS_clone3, args, 8));
    CHECK(syscall(SYS_clone3, BAD, 64));
    args[0] = SIGCHLD; /* a signal in the flags is clone's, not clone3's */
    CHECK(syscall(SYS_clone3, args, 64));
    args[0] = 0;
    args[4] = 99;
    CHECK(syscall(SYS_clone3, args, 64));
    args[4] = SIGCHLD;
    args[5] = 0x1000; /* a stack without its size */
    CHECK(syscall(SYS_clone3, args, 64));

    /* reboot: wrong magic numbers are refused before anything happens. */
    CHECK(syscall(SYS_reboot, 1, 2, 0x4321fedc, NULL));
    CHECK(syscall(SYS_reboot, 0xfee1dead, 12345, 0x4321fedc, NULL));
    CHECK(syscall(SYS_reboot, 0xfee1dead, 672274793, 0x7777, NULL));
    return 0;
}
