/*
 * The guest half of `cargo xtask net-check` (xtask/src/net_check.rs):
 * talks to the host through QEMU's user network on both kernels.
 *
 *   net_check UDP_PORT TCP_PORT LISTEN_PORT
 *
 * 1. UDP to 10.0.2.2:UDP_PORT ("udp-ping"), expects "udp-pong" back.
 * 2. TCP to 10.0.2.2:TCP_PORT ("tcp-ping\n"), expects "tcp-pong\n".
 * 3. Listens on LISTEN_PORT (the host reaches it through a hostfwd),
 *    prints "net_check: listening" once listen() returned, then serves one
 *    connection: "SEND n\n" writes n pattern bytes, "RECV n\n" reads n
 *    bytes and answers "got n\n", "QUIT\n" ends.
 * Every wait has a timeout, so a broken network fails instead of hanging.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TIMEOUT_MS 20000

static void die(const char *what) {
    perror(what);
    printf("net_check: FAILED at %s\n", what);
    exit(1);
}

static void wait_readable(int fd, const char *what) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, TIMEOUT_MS) != 1)
        die(what);
}

static struct sockaddr_in host_address(int port) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "10.0.2.2", &a.sin_addr);
    return a;
}

/* Sends `length` bytes (starting "udp-ping") and expects "udp-pong
 * LENGTH" back, padded with dots to LENGTH bytes: 4000 bytes leave eth0
 * as IPv4 fragments and come back as fragments. */
static void udp_exchange(int fd, struct sockaddr_in *a, size_t length) {
    static char datagram[4000], answer[8192];
    memcpy(datagram, "udp-ping", 8);
    if (sendto(fd, datagram, length, 0, (struct sockaddr *)a, sizeof *a) != (ssize_t)length)
        die("udp send");
    wait_readable(fd, "udp reply");
    char expected[64];
    ssize_t n = recv(fd, answer, sizeof answer, 0);
    size_t text = (size_t)snprintf(expected, sizeof expected, "udp-pong %zu", length);
    size_t whole = text > length ? text : length;
    if (n != (ssize_t)whole || memcmp(answer, expected, text) != 0)
        die("udp reply content");
    for (size_t i = text; i < whole; i++)
        if (answer[i] != '.')
            die("udp reply padding");
}

static void udp_check(int port) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = host_address(port);
    if (fd < 0)
        die("udp socket");
    udp_exchange(fd, &a, 8);
    printf("net_check: udp to 10.0.2.2 ok\n");
    udp_exchange(fd, &a, 4000);
    printf("net_check: 4000-byte udp to 10.0.2.2 ok\n");
    close(fd);
}

/* Reads exactly `len` bytes (or fails). */
static void read_exactly(int fd, char *buffer, size_t len, const char *what) {
    size_t done = 0;
    while (done < len) {
        wait_readable(fd, what);
        ssize_t n = read(fd, buffer + done, len - done);
        if (n <= 0)
            die(what);
        done += n;
    }
}

static void tcp_check(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = host_address(port);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        die("tcp connect");
    if (write(fd, "tcp-ping\n", 9) != 9)
        die("tcp write");
    char buffer[9];
    read_exactly(fd, buffer, 9, "tcp reply");
    if (memcmp(buffer, "tcp-pong\n", 9) != 0)
        die("tcp reply content");
    printf("net_check: tcp to 10.0.2.2 ok\n");
    close(fd);
}

/* One command line from the host, without its newline. */
static int read_line(int fd, char *line, size_t size) {
    size_t len = 0;
    while (len + 1 < size) {
        wait_readable(fd, "command");
        ssize_t n = read(fd, line + len, 1);
        if (n <= 0)
            return -1;
        if (line[len] == '\n')
            break;
        len++;
    }
    line[len] = 0;
    return 0;
}

static void serve(int port) {
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (listener < 0 || bind(listener, (struct sockaddr *)&a, sizeof a) != 0 || listen(listener, 1) != 0)
        die("listen");
    printf("net_check: listening\n");
    fflush(stdout);
    wait_readable(listener, "accept");
    int fd = accept(listener, NULL, NULL);
    if (fd < 0)
        die("accept");
    static char pattern[65536], buffer[65536];
    for (int i = 0; i < (int)sizeof pattern; i++)
        pattern[i] = 'a' + i % 26;
    char line[64];
    while (read_line(fd, line, sizeof line) == 0) {
        long n;
        if (sscanf(line, "SEND %ld", &n) == 1) {
            for (long sent = 0; sent < n;) {
                /* Byte i of the stream is 'a' + i % 26. */
                long chunk = n - sent < (long)sizeof pattern - 26 ? n - sent : (long)sizeof pattern - 26;
                ssize_t w = write(fd, pattern + sent % 26, chunk);
                if (w <= 0)
                    die("send");
                sent += w;
            }
        } else if (sscanf(line, "RECV %ld", &n) == 1) {
            for (long got = 0; got < n;) {
                long chunk = n - got < (long)sizeof buffer ? n - got : (long)sizeof buffer;
                wait_readable(fd, "recv");
                ssize_t r = read(fd, buffer, chunk);
                if (r <= 0)
                    die("recv");
                got += r;
            }
            dprintf(fd, "got %ld\n", n);
        } else if (strcmp(line, "QUIT") == 0) {
            break;
        }
    }
    printf("net_check: served\n");
    close(fd);
    close(listener);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: net_check UDP_PORT TCP_PORT LISTEN_PORT\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    udp_check(atoi(argv[1]));
    tcp_check(atoi(argv[2]));
    serve(atoi(argv[3]));
    return 0;
}
