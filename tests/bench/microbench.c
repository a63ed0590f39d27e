/* Microbenchmarks that `cargo xtask bench` runs on Debian's Linux and on
 * goose, in the same initramfs.
 *
 *     microbench           runs every benchmark
 *     microbench NAME      runs one (the xtask runs each under a timeout)
 *     microbench --list    prints the names
 *
 * Each prints one line `bench METRIC VALUE`, where the metric's suffix is
 * its unit (_ns, _us: time per operation; _mb_s: throughput, 10^6 bytes a
 * second), VALUE `fail` when a system call failed (the error goes to
 * stderr) and `n/a` when the kernel lacks the feature.
 *
 * Timing is CLOCK_MONOTONIC around loops. Each benchmark runs one untimed
 * warm-up batch, then batches until BUDGET_NS of measured time has passed,
 * so a slow kernel runs fewer iterations rather than for longer. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BUDGET_NS 400e6
#define PAGE_SIZE 4096L
#define FAULT_AREA_BYTES (4L << 20)
#define FILE_BYTES (16L << 20)
#define CHUNK_BYTES (64L << 10)
#define READ_FILE "/tmp/microbench-read"

/* The measured part of `n` operations, in nanoseconds; -1 on failure. */
typedef double (*body_fn)(long n);

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static double fail(const char *what)
{
    fprintf(stderr, "microbench: %s: %s\n", what, strerror(errno));
    return -1;
}

/* Nanoseconds per operation of `body`, run `batch` operations at a time;
 * -1 if it failed. */
static double ns_per_op(body_fn body, long batch)
{
    if (body(batch) < 0)
        return -1;
    double spent = 0;
    long ops = 0;
    while (spent < BUDGET_NS) {
        double t = body(batch);
        if (t < 0)
            return -1;
        spent += t;
        ops += batch;
    }
    return spent / ops;
}

static double getppid_body(long n)
{
    double start = now_ns();
    for (long i = 0; i < n; i++)
        getppid();
    return now_ns() - start;
}

/* glibc's clock_gettime: computed in user mode from the vDSO where the
 * kernel has one, a system call otherwise. */
static double clock_gettime_body(long n)
{
    struct timespec t;
    double start = now_ns();
    for (long i = 0; i < n; i++)
        clock_gettime(CLOCK_MONOTONIC, &t);
    return now_ns() - start;
}

static int dev_null = -1;

static double write_devnull_body(long n)
{
    double start = now_ns();
    for (long i = 0; i < n; i++)
        if (write(dev_null, "x", 1) != 1)
            return fail("write /dev/null");
    return now_ns() - start;
}

/* Parent to child on to_child, child to parent on to_parent. */
static int to_child[2], to_parent[2];

static double pipe_body(long n)
{
    char c = 'x';
    double start = now_ns();
    for (long i = 0; i < n; i++) {
        if (write(to_child[1], &c, 1) != 1)
            return fail("pipe write");
        if (read(to_parent[0], &c, 1) != 1)
            return fail("pipe read");
    }
    return now_ns() - start;
}

/* The child echoes every byte back until its pipe closes. */
static void echo_child(void)
{
    char c;
    close(to_child[1]);
    close(to_parent[0]);
    while (read(to_child[0], &c, 1) == 1)
        if (write(to_parent[1], &c, 1) != 1)
            _exit(1);
    _exit(0);
}

static double fork_exit_body(long n)
{
    double start = now_ns();
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0)
            return fail("fork");
        if (pid == 0)
            _exit(0);
        int status;
        if (waitpid(pid, &status, 0) != pid || status != 0)
            return fail("waitpid");
    }
    return now_ns() - start;
}

static double fork_exec_body(long n)
{
    char *argv[] = { "/bin/true", NULL };
    char *envp[] = { "PATH=/bin", NULL };
    double start = now_ns();
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0)
            return fail("fork");
        if (pid == 0) {
            execve(argv[0], argv, envp);
            _exit(127);
        }
        int status;
        if (waitpid(pid, &status, 0) != pid)
            return fail("waitpid");
        if (status != 0) {
            fprintf(stderr, "microbench: /bin/true exited with status %#x\n", status);
            return -1;
        }
    }
    return now_ns() - start;
}

/* One operation is one page; `n` is a multiple of the area's pages. Only
 * the touching is timed, not mmap and munmap. */
static double page_fault_body(long n)
{
    double spent = 0;
    for (long done = 0; done < n; done += FAULT_AREA_BYTES / PAGE_SIZE) {
        char *area = mmap(NULL, FAULT_AREA_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (area == MAP_FAILED)
            return fail("mmap");
        /* One fault per 4 KiB page on Linux too, not one per huge page;
         * a kernel without madvise has no huge pages to refuse. */
        madvise(area, FAULT_AREA_BYTES, MADV_NOHUGEPAGE);
        double start = now_ns();
        for (long offset = 0; offset < FAULT_AREA_BYTES; offset += PAGE_SIZE)
            area[offset] = 1;
        spent += now_ns() - start;
        if (munmap(area, FAULT_AREA_BYTES) != 0)
            return fail("munmap");
    }
    return spent;
}

static double open_close_body(long n)
{
    double start = now_ns();
    for (long i = 0; i < n; i++) {
        int fd = open("/etc/passwd", O_RDONLY);
        if (fd < 0)
            return fail("open /etc/passwd");
        close(fd);
    }
    return now_ns() - start;
}

static char chunk[CHUNK_BYTES];

/* One operation reads the whole file, CHUNK_BYTES at a time. */
static double file_read_body(long n)
{
    double start = now_ns();
    for (long i = 0; i < n; i++) {
        int fd = open(READ_FILE, O_RDONLY);
        if (fd < 0)
            return fail("open " READ_FILE);
        long total = 0;
        ssize_t got;
        while ((got = read(fd, chunk, CHUNK_BYTES)) > 0)
            total += got;
        close(fd);
        if (got < 0)
            return fail("read " READ_FILE);
        if (total != FILE_BYTES) {
            fprintf(stderr, "microbench: read %ld bytes of %ld\n", total, FILE_BYTES);
            return -1;
        }
    }
    return now_ns() - start;
}

static void *thread_main(void *argument)
{
    return argument;
}

static double thread_body(long n)
{
    double start = now_ns();
    for (long i = 0; i < n; i++) {
        pthread_t thread;
        int error = pthread_create(&thread, NULL, thread_main, NULL);
        if (error != 0) {
            errno = error;
            return fail("pthread_create");
        }
        if ((errno = pthread_join(thread, NULL)) != 0)
            return fail("pthread_join");
    }
    return now_ns() - start;
}

/* TCP over 127.0.0.1 between the parent and a forked child. */
#define TCP_PORT 45123
#define TCP_MESSAGE_BYTES 100
#define TCP_BULK_CHUNK (1L << 20)
static int tcp_fd = -1;
static char tcp_buffer[CHUNK_BYTES];

/* Reads exactly `count` bytes; -1 on failure or end of stream. */
static long read_fully(int fd, char *buffer, long count)
{
    for (long done = 0; done < count;) {
        ssize_t n = read(fd, buffer + done, count - done);
        if (n <= 0)
            return -1;
        done += n;
    }
    return count;
}

/* A connected pair: the child runs `serve` on its end and exits; the
 * parent keeps the other in tcp_fd. Returns the child's pid or -1. */
static pid_t tcp_start(void (*serve)(int fd))
{
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(TCP_PORT) };
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 1) != 0)
        return fail("bind/listen"), -1;
    pid_t child = fork();
    if (child < 0)
        return fail("fork"), -1;
    if (child == 0) {
        int fd = accept(listener, NULL, NULL);
        if (fd < 0)
            _exit(1);
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        serve(fd);
        _exit(0);
    }
    tcp_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(tcp_fd, (struct sockaddr *)&address, sizeof address) != 0)
        return fail("connect"), -1;
    setsockopt(tcp_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    close(listener);
    return child;
}

static void tcp_echo(int fd)
{
    char message[TCP_MESSAGE_BYTES];
    while (read_fully(fd, message, sizeof message) > 0)
        if (write(fd, message, sizeof message) != sizeof message)
            return;
}

static double tcp_round_trip_body(long n)
{
    char message[TCP_MESSAGE_BYTES] = "request";
    double start = now_ns();
    for (long i = 0; i < n; i++) {
        if (write(tcp_fd, message, sizeof message) != sizeof message)
            return fail("write");
        if (read_fully(tcp_fd, message, sizeof message) < 0)
            return fail("read");
    }
    return now_ns() - start;
}

/* The child sends as many megabytes as each one-byte request says. */
static void tcp_source(int fd)
{
    unsigned char megabytes;
    while (read(fd, &megabytes, 1) == 1)
        for (long sent = 0; sent < megabytes * TCP_BULK_CHUNK;) {
            ssize_t n = write(fd, tcp_buffer, CHUNK_BYTES);
            if (n <= 0)
                return;
            sent += n;
        }
}

/* `n` megabytes from the child. */
static double tcp_bulk_body(long n)
{
    unsigned char megabytes = (unsigned char)n;
    double start = now_ns();
    if (write(tcp_fd, &megabytes, 1) != 1)
        return fail("write");
    for (long received = 0; received < n * TCP_BULK_CHUNK;) {
        ssize_t r = read(tcp_fd, tcp_buffer, sizeof tcp_buffer);
        if (r <= 0)
            return fail("read");
        received += r;
    }
    return now_ns() - start;
}

static void tcp_finish(pid_t child)
{
    close(tcp_fd);
    waitpid(child, NULL, 0);
}

static void report(const char *metric, double value)
{
    if (value < 0)
        printf("bench %s fail\n", metric);
    else
        printf("bench %s %.1f\n", metric, value);
    fflush(stdout);
}

static void bench_getppid(void)
{
    report("getppid_ns", ns_per_op(getppid_body, 1000));
}

static void bench_clock_gettime(void)
{
    report("clock_gettime_ns", ns_per_op(clock_gettime_body, 1000));
}

static void bench_write_devnull(void)
{
    dev_null = open("/dev/null", O_WRONLY);
    report("write_devnull_ns", dev_null < 0 ? fail("open /dev/null") : ns_per_op(write_devnull_body, 1000));
}

static void bench_pipe_round_trip(void)
{
    if (pipe(to_child) != 0 || pipe(to_parent) != 0) {
        report("pipe_round_trip_ns", fail("pipe"));
        return;
    }
    pid_t child = fork();
    if (child < 0) {
        report("pipe_round_trip_ns", fail("fork"));
        return;
    }
    if (child == 0)
        echo_child();
    close(to_child[0]);
    close(to_parent[1]);
    double value = ns_per_op(pipe_body, 100);
    close(to_child[1]);
    waitpid(child, NULL, 0);
    report("pipe_round_trip_ns", value);
}

static void bench_fork_exit_wait(void)
{
    report("fork_exit_wait_us", ns_per_op(fork_exit_body, 10) / 1e3);
}

static void bench_fork_exec_wait(void)
{
    report("fork_exec_wait_us", ns_per_op(fork_exec_body, 5) / 1e3);
}

static void bench_page_fault(void)
{
    report("page_fault_ns", ns_per_op(page_fault_body, FAULT_AREA_BYTES / PAGE_SIZE));
}

static void bench_open_close(void)
{
    report("open_close_ns", ns_per_op(open_close_body, 200));
}

static void bench_file_read(void)
{
    memset(chunk, 'x', sizeof chunk);
    int fd = open(READ_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        report("file_read_mb_s", fail("create " READ_FILE));
        return;
    }
    for (long written = 0; written < FILE_BYTES; written += CHUNK_BYTES) {
        if (write(fd, chunk, CHUNK_BYTES) != CHUNK_BYTES) {
            report("file_read_mb_s", fail("write " READ_FILE));
            close(fd);
            unlink(READ_FILE);
            return;
        }
    }
    close(fd);
    double ns = ns_per_op(file_read_body, 1);
    unlink(READ_FILE);
    /* 10^6 bytes a second is 10^-3 bytes a nanosecond. */
    report("file_read_mb_s", ns < 0 ? -1 : FILE_BYTES / ns * 1e3);
}

static void bench_thread_create_join(void)
{
    pthread_t thread;
    int error = pthread_create(&thread, NULL, thread_main, NULL);
    if (error != 0) {
        /* Not faked: a kernel without threads has no number here. */
        fprintf(stderr, "microbench: pthread_create: %s\n", strerror(error));
        printf("bench thread_create_join_us n/a\n");
        fflush(stdout);
        return;
    }
    pthread_join(thread, NULL);
    report("thread_create_join_us", ns_per_op(thread_body, 20) / 1e3);
}

static void bench_tcp_round_trip(void)
{
    pid_t child = tcp_start(tcp_echo);
    if (child < 0) {
        report("tcp_round_trip_ns", -1);
        return;
    }
    double value = ns_per_op(tcp_round_trip_body, 1000);
    tcp_finish(child);
    report("tcp_round_trip_ns", value);
}

static void bench_tcp_bulk(void)
{
    pid_t child = tcp_start(tcp_source);
    if (child < 0) {
        report("tcp_bulk_mb_s", -1);
        return;
    }
    /* 100 MB at a time; ns per megabyte (2^20 bytes). */
    double ns = ns_per_op(tcp_bulk_body, 100);
    tcp_finish(child);
    report("tcp_bulk_mb_s", ns < 0 ? -1 : TCP_BULK_CHUNK / ns * 1e3);
}

static const struct {
    const char *name;
    void (*run)(void);
} benchmarks[] = {
    { "getppid", bench_getppid },
    { "clock_gettime", bench_clock_gettime },
    { "write_devnull", bench_write_devnull },
    { "pipe_round_trip", bench_pipe_round_trip },
    { "fork_exit_wait", bench_fork_exit_wait },
    { "fork_exec_wait", bench_fork_exec_wait },
    { "page_fault", bench_page_fault },
    { "open_close", bench_open_close },
    { "file_read", bench_file_read },
    { "thread_create_join", bench_thread_create_join },
    { "tcp_round_trip", bench_tcp_round_trip },
    { "tcp_bulk", bench_tcp_bulk },
};

#define COUNT (sizeof benchmarks / sizeof benchmarks[0])

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < COUNT; i++)
            printf("%s\n", benchmarks[i].name);
        return 0;
    }
    int found = 0;
    for (size_t i = 0; i < COUNT; i++) {
        if (argc > 1 && strcmp(argv[1], benchmarks[i].name) != 0)
            continue;
        benchmarks[i].run();
        found = 1;
    }
    if (!found) {
        fprintf(stderr, "microbench: no benchmark %s (try --list)\n", argv[1]);
        return 2;
    }
    return 0;
}
