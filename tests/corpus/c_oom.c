/* Memory pressure: a process that touches memory without end is killed
 * (SIGKILL, the out-of-memory killer's choice as the largest process),
 * and the rest of the system carries on: its parent allocates, forks and
 * execs afterwards. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHUNK (1 << 20)

static void hog(void)
{
    for (;;) {
        char *chunk = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (chunk == MAP_FAILED)
            _exit(3);
        for (size_t i = 0; i < CHUNK; i += 4096)
            chunk[i] = 1;
    }
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    pid_t child = fork();
    if (child == 0)
        hog();
    int status;
    waitpid(child, &status, 0);
    if (WIFSIGNALED(status))
        printf("hog: killed by signal %d\n", WTERMSIG(status));
    else
        printf("hog: exited %d\n", WEXITSTATUS(status));

    /* The system carries on. */
    size_t size = 16 << 20;
    char *memory = malloc(size);
    for (size_t i = 0; i < size; i += 4096)
        memory[i] = (char)i;
    printf("16 MiB after: %s\n", memory ? "ok" : "failed");
    free(memory);
    child = fork();
    if (child == 0) {
        execl("/bin/true", "true", (char *)NULL);
        _exit(127);
    }
    waitpid(child, &status, 0);
    printf("fork and exec after: status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}
