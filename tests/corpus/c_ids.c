/* Process, group, session and user ids, success and error paths:
 * getpid/gettid/getppid relations, setpgid/getpgid/setsid/getsid with
 * ESRCH, EPERM, EACCES and EINVAL, and setuid/setgid dropping root in a
 * child (after which kill and setuid(0) are refused). Ids are printed as
 * relations, never as numbers (except 0 for root). */
#define _GNU_SOURCE
#include "check.h"
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MISSING 99999

static void yes_no(const char *what, int condition)
{
    printf("%s: %s\n", what, condition ? "yes" : "no");
}

int main(int argc, char **argv)
{
    int status, up[2], down[2];
    char c;
    setvbuf(stdout, NULL, _IOLBF, 0);

    /* The re-executed child: tells the parent it runs, waits, exits. */
    if (argc > 2 && strcmp(argv[1], "execed") == 0) {
        int fd = atoi(argv[2]);
        write(fd, "e", 1);
        pause();
        return 0;
    }

    pid_t self = getpid();
    /* Linux starts init in process group 0 and session 0 (those of the
     * idle task), and the test's shell ancestors never change them. */
    yes_no("runs in process group 0", getpgrp() == 0);
    yes_no("runs in session 0", getsid(0) == 0);
    CHECK(setpgid(0, 0));
    yes_no("now leads a group of its own", getpgrp() == self);
    yes_no("gettid == getpid", syscall(SYS_gettid) == self);
    yes_no("getpgid(0) == getpgrp()", getpgid(0) == getpgrp());
    yes_no("getpgid(getpid()) == getpgid(0)", getpgid(self) == getpgid(0));
    yes_no("getsid(getpid()) == getsid(0)", getsid(self) == getsid(0));
    printf("uid %d euid %d gid %d egid %d\n", getuid(), geteuid(), getgid(), getegid());
    CHECK(getpgid(MISSING));
    CHECK(getsid(MISSING));
    CHECK(getpgid(-1));
    CHECK(getsid(-1));
    CHECK(setpgid(MISSING, 0));
    CHECK(setpgid(0, -1));
    CHECK(setpgid(-1, 0));

    /* A child: its parent is us; it is not a group leader, so setsid
     * works once; then it leads a session and cannot join other groups. */
    pipe(up);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        yes_no("child: getppid == parent's getpid", getppid() == self);
        yes_no("child: inherits the parent's group", getpgid(0) == getpgid(self));
        yes_no("child: inherits the parent's session", getsid(0) == getsid(self));
        yes_no("child: getpid differs from the parent's", getpid() != self);
        pid_t sid = setsid();
        yes_no("child: setsid returns its pid", sid == getpid());
        yes_no("child: now leads its group", getpgid(0) == getpid());
        yes_no("child: now leads its session", getsid(0) == getpid());
        CHECK(setsid());
        CHECK(setpgid(0, getpgid(self)));
        CHECK(setpgid(0, 0));
        CHECK(setpgid(self, 0));
        yes_no("child: parent's session unchanged", getsid(self) != getpid());
        write(up[1], "s", 1);
        pause();
        _exit(0);
    }
    read(up[0], &c, 1);
    yes_no("parent: getsid(child) == child", getsid(child) == child);
    yes_no("parent: getpgid(child) == child", getpgid(child) == child);
    CHECK(setpgid(child, child));
    CHECK(setpgid(child, getpgrp()));
    kill(child, SIGKILL);
    waitpid(child, &status, 0);

    /* setpgid from the parent and the child race to the same result. */
    pipe(down);
    fflush(stdout);
    if ((child = fork()) == 0) {
        setpgid(0, 0);
        write(up[1], "g", 1);
        read(down[0], &c, 1);
        _exit(0);
    }
    CHECK(setpgid(child, child));
    yes_no("new group led by the child", getpgid(child) == child);
    /* The child's own setpgid is done before it is moved back (a late
     * one would undo the move). */
    read(up[0], &c, 1);
    CHECK(setpgid(child, MISSING));
    CHECK(setpgid(child, getpgrp()));
    yes_no("moved back to the parent's group", getpgid(child) == getpgrp());
    write(down[1], "x", 1);
    waitpid(child, &status, 0);
    CHECK(setpgid(child, child));
    CHECK(getpgid(child));

    /* After the child's execve, its parent may no longer move it. */
    pipe(up);
    fflush(stdout);
    if ((child = fork()) == 0) {
        char fd[16];
        snprintf(fd, sizeof fd, "%d", up[1]);
        execl(argv[0], argv[0], "execed", fd, (char *)NULL);
        _exit(127);
    }
    close(up[1]);
    CHECK(read(up[0], &c, 1));
    CHECK(setpgid(child, child));
    kill(child, SIGKILL);
    waitpid(child, &status, 0);

    /* A group leader cannot start a session; a group can only be joined
     * within one's session. */
    fflush(stdout);
    if ((child = fork()) == 0) {
        setpgid(0, 0);
        CHECK(setsid());
        _exit(0);
    }
    waitpid(child, &status, 0);

    /* Dropping root: the ids change, and privileges go with them. */
    pipe(up);
    fflush(stdout);
    if ((child = fork()) == 0) {
        CHECK(setgid(1000));
        CHECK(setuid(1000));
        printf("uid %d euid %d gid %d egid %d\n", getuid(), geteuid(), getgid(), getegid());
        CHECK(setuid(0));
        CHECK(setgid(0));
        CHECK(setuid(1000));
        CHECK(kill(self, 0));
        CHECK(kill(1, SIGCONT));
        CHECK(kill(getpid(), 0));
        CHECK(setpgid(0, 0));
        CHECK(setsid());
        _exit(0);
    }
    waitpid(child, &status, 0);
    CHECK(setuid(0));
    CHECK(setgid(0));
    CHECK(setuid(-1));
    printf("uid %d euid %d\n", getuid(), geteuid());
    return 0;
}
