/* Memory syscalls, success and error paths: brk, anonymous mmap (private
 * and shared, across fork), munmap, mprotect and madvise, with the faults
 * they cause reported by a SIGSEGV handler (si_code, whether si_addr is
 * the address touched) or by a child's death. */
#define _GNU_SOURCE
#include "check.h"
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096L

static sigjmp_buf recover;
static volatile void *touched;
static volatile int fault_code, fault_at_address;

static void on_segv(int signal, siginfo_t *info, void *context)
{
    (void)signal;
    (void)context;
    fault_code = info->si_code;
    fault_at_address = info->si_addr == touched;
    siglongjmp(recover, 1);
}

static const char *code_name(int code)
{
    switch (code) {
    case SEGV_MAPERR: return "SEGV_MAPERR";
    case SEGV_ACCERR: return "SEGV_ACCERR";
    default: return "other";
    }
}

/* Reads or writes one byte at `address`, reporting a fault. */
static void probe(const char *what, volatile char *address, int write)
{
    touched = address;
    fault_code = 0;
    if (sigsetjmp(recover, 1) == 0) {
        if (write)
            *address = 'w';
        else
            (void)*address;
        printf("%s: ok\n", what);
    } else {
        printf("%s: SIGSEGV %s at the address: %d\n", what, code_name(fault_code), fault_at_address);
    }
}

static void report(const char *what, int status)
{
    printf("%s: raw %#x", what, status);
    if (WIFEXITED(status))
        printf(" exited %d", WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        printf(" signaled %d", WTERMSIG(status));
    printf("\n");
}

/* CHECK_MAP(call): "call = mapped" (then unmapped again, one page) or
 * "call = -1 ERRNO": addresses are not deterministic. */
#define CHECK_MAP(call)                                                        \
    do {                                                                       \
        errno = 0;                                                             \
        void *check_map_ = (call);                                             \
        if (check_map_ == MAP_FAILED)                                          \
            printf("%s = -1 %s\n", #call, errno_name(errno));                  \
        else                                                                   \
            printf("%s = mapped\n", #call);                                    \
        if (check_map_ != MAP_FAILED)                                          \
            munmap(check_map_, PAGE);                                          \
    } while (0)

static void *map(size_t length, int prot, int flags)
{
    return mmap(NULL, length, prot, flags | MAP_ANONYMOUS, -1, 0);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct sigaction action = {0};
    action.sa_sigaction = on_segv;
    action.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &action, NULL);

    /* brk: the raw call returns the new break, or the old one on failure. */
    uintptr_t start = syscall(SYS_brk, 0);
    printf("brk(0) is page aligned: %d\n", start % PAGE == 0);
    CHECK(syscall(SYS_brk, start + 3 * PAGE) - start);
    volatile char *heap = (char *)start;
    heap[0] = 'a';
    heap[3 * PAGE - 1] = 'z';
    printf("new heap reads: %c %c\n", heap[0], heap[3 * PAGE - 1]);
    CHECK(syscall(SYS_brk, start + 3 * PAGE + 10) - start);
    CHECK(syscall(SYS_brk, 0) - start);
    CHECK(syscall(SYS_brk, start + PAGE) - start);
    probe("heap above a lowered break", heap + 2 * PAGE, 0);
    CHECK(syscall(SYS_brk, start + 3 * PAGE) - start);
    printf("regrown heap is zeroed: %d\n", heap[2 * PAGE] == 0 && heap[3 * PAGE - 1] == 0);
    CHECK(syscall(SYS_brk, start - 1000 * PAGE * 1000) - start);
    CHECK(syscall(SYS_brk, (uintptr_t)1 << 50) - start);
    CHECK(syscall(SYS_brk, start) - start);
    CHECK(sbrk(0) == (void *)start);

    /* mmap errors; the calls that succeed are undone at once. */
    CHECK_MAP(map(0, PROT_READ, MAP_PRIVATE));
    CHECK_MAP(mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0));
    CHECK_MAP(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, -1, 0));
    CHECK_MAP(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 99, 0));
    CHECK_MAP(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1));
    CHECK_MAP(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, PAGE));
    CHECK_MAP(mmap((void *)(PAGE * 1000 + 1), PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    CHECK_MAP(map((size_t)1 << 62, PROT_READ, MAP_PRIVATE));
    CHECK_MAP(map(-PAGE, PROT_READ, MAP_PRIVATE));
    CHECK_MAP(map(PAGE, PROT_READ, MAP_SHARED | MAP_PRIVATE));
    CHECK_MAP(map(PAGE, PROT_READ, MAP_SHARED_VALIDATE | 0x800000));
    CHECK_MAP(map(PAGE, PROT_READ, MAP_PRIVATE | 0x800000));
    CHECK_MAP(map(PAGE, 0x100, MAP_PRIVATE));

    /* Anonymous mmap: zero-filled, page-aligned, the length rounded up. */
    char *odd = map(PAGE + 1, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    CHECK(odd != MAP_FAILED);
    printf("aligned: %d, zeroed: %d\n", (uintptr_t)odd % PAGE == 0, odd[0] == 0 && odd[PAGE] == 0);
    probe("last byte of a rounded-up length", odd + 2 * PAGE - 1, 1);
    CHECK(munmap(odd, PAGE + 1));
    probe("after munmap with the same length", odd + PAGE, 0);

    /* Three pages and a hole above them, which nothing else may take:
     * no mmap below until the hole is no longer needed. */
    char *p = map(4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    CHECK(munmap(p + 3 * PAGE, PAGE));
    CHECK_MAP(mmap(p, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));
    CHECK_MAP(mmap(p + 2 * PAGE, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));

    /* MAP_FIXED replaces what was there. */
    p[PAGE] = 'x';
    CHECK(mmap(p + PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == p + PAGE);
    printf("replaced page is zeroed: %d\n", p[PAGE] == 0);

    /* mprotect. */
    p[0] = 'r';
    CHECK(mprotect(p, PAGE, PROT_READ));
    probe("read of PROT_READ", p, 0);
    probe("write to PROT_READ", p, 1);
    printf("data kept: %c\n", p[0]);
    CHECK(mprotect(p, PAGE, PROT_NONE));
    probe("read of PROT_NONE", p, 0);
    CHECK(mprotect(p, PAGE, PROT_READ | PROT_WRITE));
    probe("write after PROT_READ|PROT_WRITE", p, 1);
    CHECK(mprotect(p + 1, PAGE, PROT_READ));
    CHECK(mprotect(p, PAGE, 0x100));
    CHECK(mprotect(p, 0, PROT_READ));
    CHECK(mprotect(p, 1, PROT_READ));
    probe("write after mprotect of 1 byte", p + PAGE - 1, 1);
    /* Over the hole: ENOMEM, but Linux has already changed the pages
     * before it. */
    CHECK(mprotect(p, 4 * PAGE, PROT_READ | PROT_WRITE));
    probe("first page after a failed mprotect over a hole", p, 1);
    CHECK(mprotect(p + 3 * PAGE, PAGE, PROT_READ));
    CHECK(madvise(p + 3 * PAGE, PAGE, MADV_NORMAL));

    /* munmap: holes, partial unmaps, unmapped ranges. */
    CHECK(munmap(p + PAGE, PAGE));
    probe("read of an unmapped page", p + PAGE, 0);
    probe("page before the hole", p, 1);
    probe("page after the hole", p + 2 * PAGE, 1);
    CHECK(munmap(p + PAGE, PAGE));
    CHECK(munmap(p + 3 * PAGE, PAGE));
    CHECK(mprotect(p, 3 * PAGE, PROT_READ));
    probe("first page after mprotect over an inner hole", p, 1);
    CHECK(munmap(p + 1, PAGE));
    CHECK(munmap(p, 0));
    CHECK(munmap((void *)-PAGE, PAGE));
    CHECK(munmap((void *)(1UL << 60), PAGE));
    CHECK(munmap(p, 3 * PAGE));
    probe("read after munmap", p, 0);
    CHECK(mprotect(p, PAGE, PROT_READ));
    CHECK(madvise(p, PAGE, MADV_NORMAL));

    /* MAP_FIXED_NOREPLACE into a free range, and a hint that is free. */
    CHECK(mmap(p, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) == p);
    CHECK(munmap(p, PAGE));
    CHECK(mmap(p, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == p);
    CHECK(munmap(p, PAGE));

    /* madvise: MADV_DONTNEED drops private anonymous pages (zero after). */
    char *q = map(2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    q[0] = 'd';
    q[PAGE] = 'k';
    CHECK(madvise(q, PAGE, MADV_DONTNEED));
    printf("after MADV_DONTNEED: first page %s, second kept: %c\n", q[0] == 0 ? "zero" : "kept", q[PAGE]);
    CHECK(madvise(q, PAGE, MADV_WILLNEED));
    CHECK(madvise(q, PAGE, 12345));
    CHECK(madvise(q + 1, PAGE, MADV_NORMAL));
    CHECK(madvise(q, 0, MADV_NORMAL));

    /* Private mappings are copied on fork; shared ones are shared. */
    char *shared = map(PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
    CHECK(shared != MAP_FAILED);
    q[0] = 'p';
    shared[0] = 's';
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        q[0] = 'c';
        shared[0] = 'c';
        _exit(q[0] == 'c' ? 0 : 1);
    }
    int status;
    waitpid(child, &status, 0);
    report("child writing both", status);
    printf("private after the child wrote: %c, shared: %c\n", q[0], shared[0]);

    /* Faults that nobody handles kill the child with SIGSEGV. */
    fflush(stdout);
    if ((child = fork()) == 0) {
        signal(SIGSEGV, SIG_DFL);
        mprotect(q, PAGE, PROT_READ);
        q[0] = 1;
        _exit(0);
    }
    waitpid(child, &status, 0);
    report("write to PROT_READ memory, no handler", status);
    fflush(stdout);
    if ((child = fork()) == 0) {
        signal(SIGSEGV, SIG_DFL);
        munmap(q, PAGE);
        q[0] = 1;
        _exit(0);
    }
    waitpid(child, &status, 0);
    report("write to unmapped memory, no handler", status);
    fflush(stdout);
    if ((child = fork()) == 0) {
        /* SIGSEGV blocked: the kernel forces it through anyway. */
        sigset_t segv;
        sigemptyset(&segv);
        sigaddset(&segv, SIGSEGV);
        sigprocmask(SIG_BLOCK, &segv, NULL);
        mprotect(q, PAGE, PROT_NONE);
        (void)*(volatile char *)q;
        _exit(0);
    }
    waitpid(child, &status, 0);
    report("fault with SIGSEGV blocked", status);

    /* Code in a writable anonymous mapping runs only with PROT_EXEC. */
    uint32_t *code = map(PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    code[0] = 0x02a00513; /* li a0, 42 */
    code[1] = 0x00008067; /* ret */
    __builtin___clear_cache((char *)code, (char *)(code + 2));
    fflush(stdout);
    if ((child = fork()) == 0) {
        signal(SIGSEGV, SIG_DFL);
        _exit(((int (*)(void))code)());
    }
    waitpid(child, &status, 0);
    report("call into PROT_READ|PROT_WRITE", status);
    CHECK(mprotect(code, PAGE, PROT_READ | PROT_EXEC));
    __builtin___clear_cache((char *)code, (char *)(code + 2));
    fflush(stdout);
    if ((child = fork()) == 0)
        _exit(((int (*)(void))code)());
    waitpid(child, &status, 0);
    report("call into PROT_READ|PROT_EXEC", status);
    return 0;
}
