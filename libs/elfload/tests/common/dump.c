/* Host oracle for the elfload tests: lets the host's Linux kernel execute
 * scripts and lay out initial stacks, and reports what it did.
 *
 *   dump --exec PATH ARGS...         execve(PATH, [PATH, ARGS...]); on failure prints "ERRNO n"
 *   dump --exec-norandom PATH ARGS... the same with address randomization off
 *   dump --exec-noargs PATH          execve(PATH, [], env) with randomization off
 *   DUMP_MODE=argv dump ARGS...      prints each argv[i] followed by a NUL byte
 *   dump ARGS...                     prints "sp top\n" and the bytes sp..top in hex
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <unistd.h>

static int run(char *path, char **args, char **envp) {
    execve(path, args, envp);
    printf("ERRNO %d", errno);
    return 0;
}

int main(int argc, char **argv, char **envp) {
    if (argc > 2 && strcmp(argv[1], "--exec") == 0)
        return run(argv[2], argv + 2, envp);
    if (argc > 2 && strcmp(argv[1], "--exec-norandom") == 0) {
        personality(ADDR_NO_RANDOMIZE);
        return run(argv[2], argv + 2, envp);
    }
    if (argc > 2 && strcmp(argv[1], "--exec-noargs") == 0) {
        personality(ADDR_NO_RANDOMIZE);
        return run(argv[2], argv + argc, envp);
    }
    const char *mode = getenv("DUMP_MODE");
    if (mode && strcmp(mode, "argv") == 0) {
        for (int i = 0; i < argc; i++)
            fwrite(argv[i], 1, strlen(argv[i]) + 1, stdout);
        return 0;
    }
    /* At entry sp points at argc and argv follows it; glibc hands main the
     * kernel's argv unchanged. */
    uintptr_t sp = (uintptr_t)argv - sizeof(long);
    uintptr_t top = 0;
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[512];
    while (maps && fgets(line, sizeof line, maps)) {
        uintptr_t start, end;
        if (strstr(line, "[stack]") && sscanf(line, "%" SCNxPTR "-%" SCNxPTR, &start, &end) == 2)
            top = end;
    }
    if (!top)
        return 1;
    printf("%" PRIxPTR " %" PRIxPTR "\n", sp, top);
    for (uintptr_t at = sp; at < top; at++)
        printf("%02x", *(const unsigned char *)at);
    printf("\n");
    return 0;
}
