/* fcntl record locks between two processes: F_GETLK reports the holder,
 * F_SETLK fails with EAGAIN on a conflict, F_SETLKW waits for the
 * unlock, read locks share, close(2) drops a process's locks, and the
 * error paths (EBADF for the wrong access mode, EINVAL). */
#define _GNU_SOURCE
#include "check.h"
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int lock(int fd, int command, short type, off_t start, off_t length)
{
    struct flock f = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = length};
    return fcntl(fd, command, &f);
}

static void pause_ms(int ms)
{
    struct timespec t = {0, ms * 1000000L};
    nanosleep(&t, NULL);
}

int main(void)
{
    int fd = open("locked", O_CREAT | O_RDWR, 0644);
    write(fd, "0123456789", 10);
    pid_t parent = getpid();
    CHECK(lock(fd, F_SETLK, F_WRLCK, 0, 5));
    CHECK(lock(fd, F_SETLK, F_WRLCK, 0, 5)); /* own lock: fine */
    int to_child[2], to_parent[2];
    pipe(to_child);
    pipe(to_parent);
    pid_t child = fork();
    if (child == 0) {
        int mine = open("locked", O_RDWR);
        struct flock f = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 2, .l_len = 1};
        CHECK(fcntl(mine, F_GETLK, &f));
        printf("child sees: type %s start %ld len %ld holder is parent %d\n",
               f.l_type == F_WRLCK ? "F_WRLCK" : "other", (long)f.l_start, (long)f.l_len, f.l_pid == parent);
        CHECK(lock(mine, F_SETLK, F_WRLCK, 2, 1));
        CHECK(lock(mine, F_SETLK, F_RDLCK, 4, 3));
        CHECK(lock(mine, F_SETLK, F_WRLCK, 5, 5)); /* no overlap */
        f.l_type = F_WRLCK; f.l_start = 7; f.l_len = 1;
        CHECK(fcntl(mine, F_GETLK, &f));
        printf("own lock is no conflict: %s\n", f.l_type == F_UNLCK ? "F_UNLCK" : "locked");
        write(to_parent[1], "r", 1);
        CHECK(lock(mine, F_SETLKW, F_WRLCK, 0, 1)); /* waits for the parent */
        printf("child got the lock after the parent's unlock\n");
        fflush(stdout);
        write(to_parent[1], "g", 1);
        char c;
        read(to_child[0], &c, 1);
        _exit(0);
    }
    char c;
    read(to_parent[0], &c, 1);
    pause_ms(100);
    printf("parent unlocks\n");
    fflush(stdout);
    /* The result is printed once the child has printed its own, so the
     * two never race for the output. */
    int unlocked = lock(fd, F_SETLK, F_UNLCK, 0, 5);
    read(to_parent[0], &c, 1);
    printf("lock(fd, F_SETLK, F_UNLCK, 0, 5) = %d\n", unlocked);
    CHECK(lock(fd, F_SETLK, F_WRLCK, 0, 1));
    CHECK(lock(fd, F_SETLK, F_RDLCK, 0, 10));
    write(to_child[1], "x", 1);
    waitpid(child, NULL, 0);
    CHECK(lock(fd, F_SETLK, F_WRLCK, 0, 1)); /* the child's locks went with it */

    /* Read locks share; close drops the process's locks. */
    CHECK(lock(fd, F_SETLK, F_RDLCK, 0, 0));
    child = fork();
    if (child == 0) {
        int mine = open("locked", O_RDONLY);
        CHECK(lock(mine, F_SETLK, F_RDLCK, 0, 0));
        _exit(0);
    }
    waitpid(child, NULL, 0);
    int other = open("locked", O_RDONLY);
    close(other); /* drops every lock this process holds on the file */
    child = fork();
    if (child == 0) {
        int mine = open("locked", O_RDWR);
        CHECK(lock(mine, F_SETLK, F_WRLCK, 0, 0));
        _exit(0);
    }
    waitpid(child, NULL, 0);

    /* Errors. */
    int read_only = open("locked", O_RDONLY);
    int write_only = open("locked", O_WRONLY);
    CHECK(lock(read_only, F_SETLK, F_WRLCK, 0, 1));
    CHECK(lock(write_only, F_SETLK, F_RDLCK, 0, 1));
    CHECK(lock(fd, F_SETLK, 7, 0, 1));
    CHECK(lock(fd, F_SETLK, F_WRLCK, -5, 1));
    CHECK(fcntl(fd, F_SETLK, (void *)16));
    CHECK(lock(99, F_SETLK, F_WRLCK, 0, 1));
    return 0;
}
