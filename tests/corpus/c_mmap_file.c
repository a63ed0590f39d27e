/* mmap of regular files: MAP_PRIVATE (reads the file, writes stay
 * private, copy-on-write across fork), MAP_SHARED (writes reach the file
 * and other mappings, also across fork), offsets, holes, and the errors:
 * EBADF, EACCES, ENODEV, EINVAL. */
#define _GNU_SOURCE
#include "check.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096

static void show_file(const char *what, int fd, off_t at, int count)
{
    char buffer[64] = {0};
    pread(fd, buffer, count, at);
    printf("%s: \"%.*s\"\n", what, count, buffer);
}

int main(void)
{
    int fd = open("data", O_CREAT | O_RDWR, 0644);
    char page[PAGE];
    memset(page, 'a', PAGE);
    write(fd, page, PAGE);
    memset(page, 'b', PAGE);
    write(fd, page, PAGE);
    write(fd, "tail", 4);

    char *private = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK(private != MAP_FAILED);
    printf("private reads: %c %c %.4s\n", private[0], private[PAGE], private + 2 * PAGE);
    printf("past the end of the file in the last page: %d\n", private[2 * PAGE + 100]);
    private[0] = 'X';
    printf("private write seen in the mapping: %c\n", private[0]);
    show_file("file after a private write", fd, 0, 4);

    char *shared = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(shared != MAP_FAILED);
    shared[1] = 'S';
    show_file("file after a shared write", fd, 0, 4);
    char *second = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
    printf("another shared mapping sees it: %c\n", second[1]);
    pwrite(fd, "W", 1, 2);
    printf("a write(2) is seen by the shared mapping: %c\n", shared[2]);

    char *offset = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, PAGE);
    printf("mapping at offset one page: %c\n", offset[0]);

    pid_t child = fork();
    if (child == 0) {
        shared[3] = 'C';
        private[1] = 'P';
        _exit(0);
    }
    waitpid(child, NULL, 0);
    show_file("file after the child's shared write", fd, 0, 4);
    printf("parent's private copy after the child's write: %c\n", private[1]);

    CHECK(munmap(shared, 2 * PAGE));
    CHECK(munmap(second, PAGE));
    CHECK(msync(private, PAGE, MS_SYNC));

    /* A file with a hole: the hole maps as zeros. */
    int sparse = open("sparse", O_CREAT | O_RDWR, 0644);
    pwrite(sparse, "end", 3, 3 * PAGE);
    char *holes = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, sparse, 0);
    printf("hole reads zero: %d, end: %.3s\n", holes[PAGE], holes + 3 * PAGE);
    holes[PAGE] = 'H';
    show_file("write into the hole reached the file", sparse, PAGE, 1);

    /* Errors. */
    int read_only = open("data", O_RDONLY);
    int write_only = open("data", O_WRONLY);
    int p[2];
    pipe(p);
    CHECK(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, 99, 0) == MAP_FAILED ? -1 : 0);
    CHECK(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, read_only, 0) == MAP_FAILED ? -1 : 0);
    CHECK(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, read_only, 0) == MAP_FAILED ? -1 : 0);
    CHECK(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, write_only, 0) == MAP_FAILED ? -1 : 0);
    CHECK(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, p[0], 0) == MAP_FAILED ? -1 : 0);
    CHECK(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 100) == MAP_FAILED ? -1 : 0);
    int directory = open(".", O_RDONLY);
    CHECK(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, directory, 0) == MAP_FAILED ? -1 : 0);
    return 0;
}
