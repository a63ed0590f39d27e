/* Every syscall number with hostile arguments: null, unmapped, kernel and
 * misaligned pointers, huge and negative sizes, stray flags. Each number
 * gets its own child process, which a watchdog kills if it blocks (a
 * blocking call is legitimate; a kernel that hangs or panics is not).
 * The kernel must survive all of it and the parent must still work.
 * Calls that would end the test itself (reboot, kill, exit, execve,
 * process creation) are left out. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CALLS_PER_NUMBER 24
#define WATCHDOG_MS 400

static uint64_t state = 0x9e3779b97f4a7c15ULL;
static uint64_t next_random(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static char scratch[8192] __attribute__((aligned(4096)));

static long hostile(void)
{
    static const long values[] = {
        0, 1, 2, 3, -1, -2, 4096, 65536, 0x7fffffff, (long)0x80000000UL, -4096,
        (long)0xffffffc000001000UL, /* kernel direct map */
        (long)0xffffffff80200000UL, /* kernel image */
        0x10, 0x1000, 0x3ffffff000L, /* user, unmapped */
        (long)0x7fffffffffffffffL,
    };
    switch (next_random() % 4) {
    case 0: return values[next_random() % (sizeof values / sizeof values[0])];
    case 1: return (long)(scratch + (next_random() % sizeof scratch)); /* valid, maybe misaligned */
    case 2: return (long)(next_random() % 64);
    default: return (long)next_random();
    }
}

static int excluded(long number)
{
    switch (number) {
    case SYS_reboot: case SYS_kill: case SYS_tkill: case SYS_tgkill:
    case SYS_exit: case SYS_exit_group: case SYS_execve: case SYS_execveat:
    case SYS_clone: case SYS_clone3: case SYS_rt_sigreturn:
    case SYS_setpgid: case SYS_setsid: /* would leave the terminal's group */
    case SYS_rt_sigqueueinfo: case SYS_rt_tgsigqueueinfo: case SYS_pidfd_send_signal:
    case SYS_ptrace: case SYS_kexec_load: case SYS_kexec_file_load:
    case SYS_init_module: case SYS_finit_module: case SYS_delete_module:
    case SYS_swapon: case SYS_swapoff: case SYS_umount2: case SYS_mount:
    case SYS_pivot_root: case SYS_chroot: case SYS_unshare: case SYS_setns:
    case SYS_settimeofday: case SYS_clock_settime: case SYS_clock_adjtime: case SYS_adjtimex:
    case SYS_sethostname: case SYS_setdomainname: case SYS_acct: case SYS_quotactl:
    case SYS_syslog: case SYS_bpf: case SYS_perf_event_open: case SYS_userfaultfd:
    case SYS_process_vm_writev: case SYS_process_madvise: case SYS_mount_setattr:
    case SYS_fsopen: case SYS_fsmount: case SYS_move_mount: case SYS_open_tree:
    case SYS_setuid: case SYS_setgid: case SYS_setreuid: case SYS_setregid:
    case SYS_setresuid: case SYS_setresgid: case SYS_setfsuid: case SYS_setfsgid:
    case SYS_setgroups: case SYS_capset: case SYS_prctl: case SYS_seccomp:
    case SYS_unlinkat: case SYS_renameat2: case SYS_ftruncate: case SYS_truncate:
    case SYS_fchmodat: case SYS_fchmod: case SYS_fchownat: case SYS_fchown:
    case SYS_linkat: case SYS_symlinkat: case SYS_mkdirat: case SYS_mknodat:
    case SYS_write: case SYS_pwrite64: case SYS_writev: case SYS_pwritev: case SYS_pwritev2:
    case SYS_sendfile: case SYS_splice: case SYS_tee: case SYS_vmsplice:
    case SYS_copy_file_range: case SYS_fallocate: case SYS_utimensat:
    case SYS_close: case SYS_close_range: case SYS_dup3: case SYS_ioctl:
    case SYS_munmap: case SYS_mremap: case SYS_mprotect: case SYS_brk:
    case SYS_madvise: case SYS_remap_file_pages: case SYS_mbind: case SYS_set_mempolicy:
    case SYS_migrate_pages: case SYS_move_pages:
        return 1;
    }
    return 0;
}

static int run_one(long number)
{
    pid_t child = fork();
    if (child < 0)
        return -1;
    if (child == 0) {
        for (int i = 0; i < CALLS_PER_NUMBER; i++)
            syscall(number, hostile(), hostile(), hostile(), hostile(), hostile(), hostile());
        _exit(0);
    }
    for (int waited = 0; waited < WATCHDOG_MS; waited += 10) {
        int status;
        pid_t done = waitpid(child, &status, WNOHANG);
        if (done == child)
            return 0;
        struct timespec ten_ms = {0, 10 * 1000 * 1000};
        nanosleep(&ten_ms, NULL);
    }
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    return 1;
}

int main(void)
{
    /* The children may write into the terminal: keep our own output clean. */
    setvbuf(stdout, NULL, _IONBF, 0);
    /* Whatever the calls create lands in a directory of its own. */
    mkdir("/tmp/fuzz", 0755);
    chdir("/tmp/fuzz");
    int tried = 0;
    for (long number = 0; number < 460; number++) {
        if (excluded(number))
            continue;
        state = 0x9e3779b97f4a7c15ULL ^ (uint64_t)number * 0x100000001b3ULL;
        if (run_one(number) < 0) {
            printf("fork failed at %ld\n", number);
            return 1;
        }
        tried++;
    }
    /* The parent still works: memory, files, pipes. */
    char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    strcpy(page, "still");
    int p[2];
    char buffer[8] = {0};
    pipe(p);
    write(p[1], page, 6);
    read(p[0], buffer, 6);
    printf("fuzzed %s: %s alive\n", tried > 300 ? "every syscall number" : "too few", buffer);
    return 0;
}
