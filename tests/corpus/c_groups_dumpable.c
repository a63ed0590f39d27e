/* Supplementary groups (getgroups, setgroups, as initgroups uses them)
 * and prctl's dumpable flag (nginx sets both in its workers), with the
 * error paths: a short list, a bad pointer, a non-root caller. */
#define _GNU_SOURCE
#include "check.h"
#include <grp.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    gid_t list[8] = {0};
    gid_t three[3] = {30, 10, 20};
    CHECK(setgroups(0, NULL));
    CHECK(getgroups(0, NULL));
    CHECK(setgroups(3, three));
    CHECK(getgroups(0, NULL));
    CHECK(getgroups(8, list));
    printf("groups %u %u %u\n", list[0], list[1], list[2]);
    CHECK(getgroups(2, list));
    CHECK(getgroups(-1, list));
    CHECK(getgroups(8, (gid_t *)1));
    CHECK(setgroups(2, (gid_t *)1));
    CHECK(setgroups(70000, list));
    CHECK(prctl(PR_GET_DUMPABLE));
    CHECK(prctl(PR_SET_DUMPABLE, 0));
    CHECK(prctl(PR_GET_DUMPABLE));
    CHECK(prctl(PR_SET_DUMPABLE, 2));
    CHECK(prctl(PR_SET_DUMPABLE, 1));
    pid_t child = fork();
    if (child == 0) {
        /* Inherited by a child; a non-root process may not change them. */
        CHECK(getgroups(0, NULL));
        CHECK(setuid(1000));
        CHECK(setgroups(0, NULL));
        CHECK(getgroups(0, NULL));
        _exit(0);
    }
    int status;
    CHECK_PID(waitpid(child, &status, 0), child);
    CHECK(setgroups(0, NULL));
    return 0;
}
