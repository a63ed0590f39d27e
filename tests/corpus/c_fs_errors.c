/* Error paths of the file syscalls: each prints the errno Linux gives. */
#include "check.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
    char long_name[300], long_path[5000];
    struct stat st;
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = 0;
    for (int i = 0; i < (int)sizeof long_path - 1; i++)
        long_path[i] = (i % 2) ? 'p' : '/';
    long_path[sizeof long_path - 1] = 0;

    CHECK(mkdir("d", 0755));
    CHECK(mkdir("d", 0755));
    CHECK_OK(open("f", O_CREAT | O_WRONLY, 0644));
    CHECK(open("f", O_CREAT | O_EXCL | O_WRONLY, 0644));
    CHECK(open("f/x", O_RDONLY));
    CHECK(open("d", O_WRONLY));
    CHECK(open("missing", O_RDONLY));
    CHECK(open("missing/x", O_CREAT | O_WRONLY, 0644));
    CHECK(open(long_name, O_CREAT | O_WRONLY, 0644));
    CHECK(open(long_path, O_RDONLY));
    CHECK(symlink("loop1", "loop2"));
    CHECK(symlink("loop2", "loop1"));
    CHECK(open("loop1", O_RDONLY));
    CHECK(symlink("f", "link"));
    CHECK(open("link", O_RDONLY | O_NOFOLLOW));
    CHECK_OK(open("link", O_RDONLY));
    CHECK(open("f", O_RDONLY | O_DIRECTORY));
    CHECK(rmdir("f"));
    CHECK(unlink("d"));
    CHECK(rmdir("missing"));
    CHECK(mkdir("d/sub", 0755));
    CHECK(rmdir("d"));
    CHECK(rename("d", "d/sub/inside"));
    CHECK(rename("f", "d"));
    CHECK(rename("d", "f"));
    CHECK(link("d", "dlink"));
    CHECK(stat("f/", &st));
    CHECK(stat("", &st));
    CHECK(chdir("f"));
    CHECK(chdir("missing"));
    CHECK(read(-1, long_name, 1));
    CHECK(close(-1));
    CHECK(close(1000));
    CHECK(dup(1000));
    CHECK(dup2(1000, 5));
    CHECK(lseek(1000, 0, SEEK_SET));
    int fd = open("f", O_RDWR);
    CHECK(lseek(fd, -1, SEEK_SET));
    CHECK(lseek(fd, 0, 42));
    CHECK(write(fd, "abc", 3));
    CHECK(lseek(fd, 0, SEEK_CUR));
    CHECK(lseek(fd, 0, SEEK_END));
    CHECK(pread(fd, long_name, 2, 1));
    CHECK(read(fd, NULL, 0));
    CHECK(ftruncate(fd, -1));
    CHECK(ftruncate(fd, 1));
    CHECK(fstat(fd, &st));
    printf("size after truncate %ld\n", (long)st.st_size);
    close(fd);
    int p[2];
    CHECK(pipe(p));
    CHECK(lseek(p[0], 0, SEEK_SET));
    CHECK(write(p[0], "x", 1));
    CHECK(read(p[1], long_name, 1));
    return 0;
}
