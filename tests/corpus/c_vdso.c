/* The vDSO: found through AT_SYSINFO_EHDR, an ELF shared object whose
 * dynamic symbol table exports Linux riscv64's __vdso_* functions at
 * version LINUX_4.15; its clock functions called directly and through
 * glibc agree with the system calls; signal handlers return through
 * __vdso_rt_sigreturn (also in a forked child); /proc/self/maps shows
 * [vvar] and [vdso]. Only facts that hold on any correct kernel are
 * printed, never times or addresses. */
#define _GNU_SOURCE
#include "check.h"
#include <elf.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef long (*clock_fn)(clockid_t, struct timespec *);
typedef long (*timeofday_fn)(struct timeval *, struct timezone *);

static uintptr_t base, load_offset;
static const Elf64_Sym *symbols;
static const char *strings;
static const Elf64_Half *versym;
static const Elf64_Verdef *verdef;
static size_t symbol_count;

static long long ns(struct timespec t)
{
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static long long sys_now(clockid_t clock)
{
    struct timespec t;
    syscall(SYS_clock_gettime, clock, &t);
    return ns(t);
}

/* Symbols in a DT_GNU_HASH table: past the highest chain's end. */
static size_t gnu_hash_count(const uint32_t *table)
{
    uint32_t buckets = table[0], first = table[1], bloom = table[2];
    const uint32_t *bucket = table + 4 + bloom * 2; /* 64-bit bloom words */
    const uint32_t *chain = bucket + buckets;
    uint32_t last = 0;
    for (uint32_t i = 0; i < buckets; i++)
        if (bucket[i] > last)
            last = bucket[i];
    if (last < first)
        return first;
    while (!(chain[last - first] & 1))
        last++;
    return last + 1;
}

static int parse_vdso(void)
{
    const Elf64_Ehdr *header = (const Elf64_Ehdr *)base;
    printf("ELF magic %d, 64-bit %d, little-endian %d, shared object %d, RISC-V %d\n",
           memcmp(header->e_ident, ELFMAG, SELFMAG) == 0, header->e_ident[EI_CLASS] == ELFCLASS64,
           header->e_ident[EI_DATA] == ELFDATA2LSB, header->e_type == ET_DYN, header->e_machine == EM_RISCV);
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + header->e_phoff);
    const Elf64_Dyn *dynamic = NULL;
    int loads = 0;
    for (int i = 0; i < header->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD && loads++ == 0)
            load_offset = base + ph[i].p_offset - ph[i].p_vaddr;
        if (ph[i].p_type == PT_DYNAMIC)
            dynamic = (const Elf64_Dyn *)(base + ph[i].p_offset);
    }
    printf("has PT_LOAD %d, has PT_DYNAMIC %d\n", loads > 0, dynamic != NULL);
    if (!dynamic)
        return 0;
    const uint32_t *hash = NULL, *gnu_hash = NULL;
    const char *soname = NULL;
    size_t soname_offset = 0;
    for (const Elf64_Dyn *d = dynamic; d->d_tag != DT_NULL; d++) {
        uintptr_t p = load_offset + d->d_un.d_ptr;
        switch (d->d_tag) {
        case DT_SYMTAB: symbols = (const Elf64_Sym *)p; break;
        case DT_STRTAB: strings = (const char *)p; break;
        case DT_HASH: hash = (const uint32_t *)p; break;
        case DT_GNU_HASH: gnu_hash = (const uint32_t *)p; break;
        case DT_VERSYM: versym = (const Elf64_Half *)p; break;
        case DT_VERDEF: verdef = (const Elf64_Verdef *)p; break;
        case DT_SONAME: soname_offset = d->d_un.d_val; soname = ""; break;
        }
    }
    printf("symbol table %d, string table %d, a hash table %d, versym %d, verdef %d\n", symbols != NULL,
           strings != NULL, hash != NULL || gnu_hash != NULL, versym != NULL, verdef != NULL);
    if (soname && strings)
        printf("soname %s\n", strings + soname_offset);
    if (!symbols || !strings || !(hash || gnu_hash))
        return 0;
    symbol_count = hash ? hash[1] : gnu_hash_count(gnu_hash);
    return 1;
}

/* The name of version index `index` in the version definitions. */
static const char *version_name(unsigned index)
{
    const Elf64_Verdef *d = verdef;
    while (d) {
        if ((d->vd_ndx & 0x7fff) == index && !(d->vd_flags & VER_FLG_BASE)) {
            const Elf64_Verdaux *aux = (const Elf64_Verdaux *)((const char *)d + d->vd_aux);
            return strings + aux->vda_name;
        }
        d = d->vd_next ? (const Elf64_Verdef *)((const char *)d + d->vd_next) : NULL;
    }
    return "(none)";
}

/* Finds `name`, printing what a dynamic linker checks about it. */
static void *find(const char *name)
{
    for (size_t i = 1; i < symbol_count; i++) {
        const Elf64_Sym *s = &symbols[i];
        if (strcmp(strings + s->st_name, name) != 0)
            continue;
        printf("%s: function %d, global %d, defined %d, version %s\n", name, ELF64_ST_TYPE(s->st_info) == STT_FUNC,
               ELF64_ST_BIND(s->st_info) == STB_GLOBAL, s->st_shndx != SHN_UNDEF,
               versym ? version_name(versym[i] & 0x7fff) : "(unversioned)");
        return (void *)(load_offset + s->st_value);
    }
    printf("%s: missing\n", name);
    return NULL;
}

static const struct {
    clockid_t id;
    const char *name;
} clocks[] = {
    {CLOCK_REALTIME, "CLOCK_REALTIME"},
    {CLOCK_MONOTONIC, "CLOCK_MONOTONIC"},
    {CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW"},
    {CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE"},
    {CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE"},
    {CLOCK_BOOTTIME, "CLOCK_BOOTTIME"},
    {CLOCK_TAI, "CLOCK_TAI"},
};

/* Each clock read between two system calls of the same clock, through
 * `call` (the vDSO's function or glibc's clock_gettime). */
static void check_clocks(const char *how, clock_fn call)
{
    for (size_t i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
        struct timespec t = {-1, -1};
        long long before = sys_now(clocks[i].id);
        long r = call(clocks[i].id, &t);
        long long after = sys_now(clocks[i].id);
        printf("%s %s: returns %ld, normalized %d, between two system calls %d\n", how, clocks[i].name, r,
               t.tv_nsec >= 0 && t.tv_nsec < 1000000000, before <= ns(t) && ns(t) <= after);
    }
}

static long glibc_clock_gettime(clockid_t clock, struct timespec *t)
{
    return clock_gettime(clock, t);
}

static void *sigreturn_address;
static void *volatile handler_return_address;
static volatile int handled;

static __attribute__((noinline)) void handler(int signal)
{
    handler_return_address = __builtin_return_address(0);
    handled = signal;
}

static void check_signal_return(const char *who)
{
    struct sigaction action = {0};
    action.sa_handler = handler;
    sigaction(SIGUSR1, &action, NULL);
    handled = 0;
    handler_return_address = NULL;
    volatile long kept = 0x1234567;
    raise(SIGUSR1);
    printf("%s: handler ran %d, returned to __vdso_rt_sigreturn %d, state kept %d\n", who, handled == SIGUSR1,
           sigreturn_address && handler_return_address == sigreturn_address, kept == 0x1234567);
}

static void check_maps(void)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[512];
    unsigned long vvar_start = 0, vvar_end = 0, vdso_start = 0, vdso_end = 0;
    char vvar_perms[5] = "", vdso_perms[5] = "";
    while (maps && fgets(line, sizeof line, maps)) {
        unsigned long start, end;
        char perms[5];
        if (sscanf(line, "%lx-%lx %4s", &start, &end, perms) != 3)
            continue;
        if (strstr(line, "[vvar]")) {
            vvar_start = start, vvar_end = end;
            memcpy(vvar_perms, perms, 5);
        }
        if (strstr(line, "[vdso]")) {
            vdso_start = start, vdso_end = end;
            memcpy(vdso_perms, perms, 5);
        }
    }
    if (maps)
        fclose(maps);
    printf("[vvar] %s, %lu bytes\n", vvar_perms, vvar_end - vvar_start);
    printf("[vdso] %s, %lu bytes\n", vdso_perms, vdso_end - vdso_start);
    printf("AT_SYSINFO_EHDR is the start of [vdso] %d, [vvar] just below it %d\n", base == vdso_start,
           vvar_end == vdso_start);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    base = getauxval(AT_SYSINFO_EHDR);
    printf("AT_SYSINFO_EHDR present %d, page aligned %d\n", base != 0, base % 4096 == 0);
    if (!base || !parse_vdso())
        return 1;
    const char *names[] = {"__vdso_rt_sigreturn", "__vdso_gettimeofday", "__vdso_clock_gettime",
                           "__vdso_clock_getres", "__vdso_getcpu",       "__vdso_flush_icache",
                           "__vdso_riscv_hwprobe"};
    void *found[7];
    for (int i = 0; i < 7; i++)
        found[i] = find(names[i]);
    sigreturn_address = found[0];
    timeofday_fn vdso_gettimeofday = (timeofday_fn)found[1];
    clock_fn vdso_clock_gettime = (clock_fn)found[2];
    clock_fn vdso_clock_getres = (clock_fn)found[3];
    if (!vdso_gettimeofday || !vdso_clock_gettime || !vdso_clock_getres)
        return 1;

    check_clocks("vDSO", vdso_clock_gettime);
    check_clocks("glibc", glibc_clock_gettime);
    /* Clocks the vDSO leaves to the system call, and invalid ones. */
    struct timespec t;
    printf("vDSO CLOCK_PROCESS_CPUTIME_ID returns %ld\n", vdso_clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t));
    printf("vDSO clock 12 returns %ld, clock 100 returns %ld, clock -1 returns %ld\n", vdso_clock_gettime(12, &t),
           vdso_clock_gettime(100, &t), vdso_clock_gettime(-1, &t));

    /* Monotonic: never goes back over many reads, and matches the
     * system call's clock. */
    int backwards = 0;
    struct timespec previous, now;
    vdso_clock_gettime(CLOCK_MONOTONIC, &previous);
    for (int i = 0; i < 10000; i++) {
        vdso_clock_gettime(CLOCK_MONOTONIC, &now);
        backwards += ns(now) < ns(previous);
        previous = now;
    }
    printf("monotonic ok %d\n", backwards == 0);
    long long real = sys_now(CLOCK_REALTIME);
    vdso_clock_gettime(CLOCK_REALTIME, &now);
    printf("realtime within a second of the system call %d\n", llabs(ns(now) - real) < 1000000000LL);

    /* gettimeofday: microseconds of CLOCK_REALTIME, zone zero. */
    struct timeval tv = {-1, -1};
    struct timezone tz = {-1, -1};
    long long before = sys_now(CLOCK_REALTIME) / 1000;
    long r = vdso_gettimeofday(&tv, &tz);
    long long after = sys_now(CLOCK_REALTIME) / 1000;
    long long us = tv.tv_sec * 1000000LL + tv.tv_usec;
    printf("vDSO gettimeofday returns %ld, normalized %d, between two system calls %d, zone %d %d\n", r,
           tv.tv_usec >= 0 && tv.tv_usec < 1000000, before <= us && us <= after, tz.tz_minuteswest, tz.tz_dsttime);
    printf("vDSO gettimeofday(NULL, NULL) returns %ld\n", vdso_gettimeofday(NULL, NULL));
    before = sys_now(CLOCK_REALTIME) / 1000;
    CHECK(gettimeofday(&tv, NULL));
    after = sys_now(CLOCK_REALTIME) / 1000;
    us = tv.tv_sec * 1000000LL + tv.tv_usec;
    printf("glibc gettimeofday between two system calls %d\n", before <= us && us <= after);

    /* clock_getres: 1 ns for the precise clocks, the tick for coarse. */
    clockid_t fine[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_BOOTTIME, CLOCK_TAI};
    for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
        struct timespec res = {-1, -1}, sys = {-2, -2};
        long r1 = vdso_clock_getres(fine[i], &res);
        syscall(SYS_clock_getres, fine[i], &sys);
        printf("vDSO clock_getres(%d) = %ld: %ld.%09ld, as the system call %d\n", fine[i], r1, (long)res.tv_sec,
               res.tv_nsec, res.tv_sec == sys.tv_sec && res.tv_nsec == sys.tv_nsec);
    }
    clockid_t coarse[] = {CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE};
    for (size_t i = 0; i < 2; i++) {
        struct timespec res = {-1, -1}, sys = {-2, -2};
        long r1 = vdso_clock_getres(coarse[i], &res);
        syscall(SYS_clock_getres, coarse[i], &sys);
        printf("vDSO clock_getres(%d) = %ld: a tick (1 to 10 ms) %d, as the system call %d\n", coarse[i], r1,
               res.tv_sec == 0 && res.tv_nsec >= 1000000 && res.tv_nsec <= 10000000,
               res.tv_sec == sys.tv_sec && res.tv_nsec == sys.tv_nsec);
    }
    printf("vDSO clock_getres(CLOCK_MONOTONIC, NULL) = %ld, clock 100: %ld\n",
           vdso_clock_getres(CLOCK_MONOTONIC, NULL), vdso_clock_getres(100, &t));
    struct timespec res;
    CHECK(clock_getres(CLOCK_MONOTONIC, &res));

    check_signal_return("parent");
    pid_t child = fork();
    if (child == 0) {
        check_signal_return("forked child");
        struct timespec c;
        printf("forked child: vDSO clock_gettime returns %ld\n", vdso_clock_gettime(CLOCK_MONOTONIC, &c));
        _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
    printf("child exited %d with %d\n", WIFEXITED(status), WEXITSTATUS(status));
    check_maps();
    return 0;
}
