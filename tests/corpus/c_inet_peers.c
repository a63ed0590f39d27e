#define _GNU_SOURCE
// AF_INET TCP as servers use it, and peers that misbehave: socket
// options (SOL_SOCKET for AF_INET and AF_UNIX, IPPROTO_TCP, IPPROTO_IP),
// EADDRINUSE and SO_REUSEADDR/SO_REUSEPORT, non-blocking connect and
// accept, resets (ECONNRESET then EPIPE+SIGPIPE), half-close with
// EPOLLRDHUP, a full backlog, a client gone mid-request, edge-triggered
// epoll, sendfile to a socket, and 3000 connections opened and closed
// after which /proc/net/sockstat and MemFree are back where they were.
// Everything runs in one process over loopback, so nothing depends on
// scheduling order.
#include "check.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Names check.h does not know, for this test's output. */
static const char *error_name(int e) {
    switch (e) {
    case EINPROGRESS: return "EINPROGRESS";
    case EALREADY: return "EALREADY";
    case ECONNABORTED: return "ECONNABORTED";
    default: return errno_name(e);
    }
}
#define errno_name error_name

static volatile sig_atomic_t sigpipes;
static void on_sigpipe(int signal) { (void)signal; sigpipes++; }

static struct sockaddr_in address_of(uint32_t host, int port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(host);
    return a;
}
#define LOOPBACK(port) address_of(INADDR_LOOPBACK, port)
#define SA(a) ((struct sockaddr *)&(a))

static int tcp_socket(void) { return socket(AF_INET, SOCK_STREAM, 0); }

static int set_int(int fd, int level, int name, int value) {
    return setsockopt(fd, level, name, &value, sizeof value);
}

static void show_int(const char *what, int fd, int level, int name) {
    int value = -1;
    socklen_t length = sizeof value;
    if (getsockopt(fd, level, name, &value, &length) < 0)
        printf("  get %s: %s\n", what, errno_name(errno));
    else
        printf("  get %s: %d (length %u)\n", what, value, length);
}

/* A listener on 127.0.0.1:port with SO_REUSEADDR, or -1. */
static int listener_on(int port, int backlog) {
    int fd = tcp_socket();
    set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    struct sockaddr_in a = LOOPBACK(port);
    if (bind(fd, SA(a), sizeof a) < 0 || listen(fd, backlog) < 0) {
        printf("listener on %d: %s\n", port, errno_name(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static int connect_to(int port) {
    int fd = tcp_socket();
    struct sockaddr_in a = LOOPBACK(port);
    if (connect(fd, SA(a), sizeof a) < 0) {
        printf("connect to %d: %s\n", port, errno_name(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static void socket_options(const char *family, int fd) {
    printf("SOL_SOCKET options, %s:\n", family);
    static const struct { const char *name; int option, value; } ints[] = {
        {"SO_REUSEADDR", SO_REUSEADDR, 5}, {"SO_REUSEPORT", SO_REUSEPORT, 1},
        {"SO_KEEPALIVE", SO_KEEPALIVE, 1}, {"SO_BROADCAST", SO_BROADCAST, 1},
        {"SO_OOBINLINE", SO_OOBINLINE, 1}, {"SO_PASSCRED", SO_PASSCRED, 1},
        {"SO_RCVLOWAT", SO_RCVLOWAT, 10}, {"SO_PRIORITY", SO_PRIORITY, 6},
        {"SO_SNDBUF", SO_SNDBUF, 4096}, {"SO_RCVBUF", SO_RCVBUF, 1000},
        {"SO_DONTROUTE", SO_DONTROUTE, 1},
    };
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        show_int(ints[i].name, fd, SOL_SOCKET, ints[i].option);
        if (set_int(fd, SOL_SOCKET, ints[i].option, ints[i].value) < 0)
            printf("  set %s: %s\n", ints[i].name, errno_name(errno));
        show_int(ints[i].name, fd, SOL_SOCKET, ints[i].option);
    }
    show_int("SO_SNDBUF after huge", fd, SOL_SOCKET, SO_SNDBUF);
    set_int(fd, SOL_SOCKET, SO_SNDBUF, 1 << 30);
    show_int("SO_SNDBUF after huge", fd, SOL_SOCKET, SO_SNDBUF);
    set_int(fd, SOL_SOCKET, SO_RCVBUF, -5);
    show_int("SO_RCVBUF after negative", fd, SOL_SOCKET, SO_RCVBUF);

    struct linger linger = {1, 5};
    CHECK(setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger));
    memset(&linger, 0xff, sizeof linger);
    socklen_t length = sizeof linger;
    CHECK(getsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, &length));
    printf("  linger %d %d length %u\n", linger.l_onoff, linger.l_linger, length);
    CHECK(setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, 4));

    struct timeval timeout = {1, 500000};
    CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout));
    CHECK(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout));
    memset(&timeout, 0, sizeof timeout);
    length = sizeof timeout;
    CHECK(getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, &length));
    printf("  rcvtimeo %ld.%06ld length %u\n", (long)timeout.tv_sec, (long)timeout.tv_usec, length);
    timeout.tv_usec = 1000000;
    CHECK(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout));
    CHECK(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, 8));

    CHECK(setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "", 0));
    char device[32] = "x";
    length = sizeof device;
    CHECK(getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device, &length));
    printf("  bindtodevice length %u\n", length);

    /* Linux's order: short value EINVAL, then EFAULT, then ENOPROTOOPT. */
    int value = 1;
    CHECK(setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &value, 2));
    CHECK(setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, (void *)8, 4));
    CHECK(setsockopt(fd, SOL_SOCKET, 999, &value, 4));
    CHECK(setsockopt(fd, SOL_SOCKET, 999, &value, 2));
    length = 2;
    CHECK(getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &value, &length));
    printf("  short get length %u\n", length);
    length = 4;
    CHECK(getsockopt(fd, SOL_SOCKET, 999, &value, &length));
    CHECK(getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, (void *)8, &length));
}

static void protocol_options(void) {
    printf("IPPROTO_TCP and IPPROTO_IP options:\n");
    int fd = tcp_socket();
    static const struct { const char *name; int level, option, value; } ints[] = {
        {"TCP_NODELAY", IPPROTO_TCP, TCP_NODELAY, 1},
        {"TCP_KEEPIDLE", IPPROTO_TCP, TCP_KEEPIDLE, 30},
        {"TCP_KEEPINTVL", IPPROTO_TCP, TCP_KEEPINTVL, 5},
        {"TCP_KEEPCNT", IPPROTO_TCP, TCP_KEEPCNT, 3},
        {"TCP_CORK", IPPROTO_TCP, TCP_CORK, 1},
        {"TCP_DEFER_ACCEPT", IPPROTO_TCP, TCP_DEFER_ACCEPT, 5},
        {"TCP_FASTOPEN", IPPROTO_TCP, TCP_FASTOPEN, 5},
        {"TCP_MAXSEG", IPPROTO_TCP, TCP_MAXSEG, 1000},
        {"TCP_QUICKACK", IPPROTO_TCP, TCP_QUICKACK, 1},
        {"TCP_USER_TIMEOUT", IPPROTO_TCP, TCP_USER_TIMEOUT, 3000},
        {"IP_TOS", IPPROTO_IP, IP_TOS, 0x10},
        {"IP_TTL", IPPROTO_IP, IP_TTL, 32},
    };
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        show_int(ints[i].name, fd, ints[i].level, ints[i].option);
        if (set_int(fd, ints[i].level, ints[i].option, ints[i].value) < 0)
            printf("  set %s: %s\n", ints[i].name, errno_name(errno));
        show_int(ints[i].name, fd, ints[i].level, ints[i].option);
    }
    CHECK(set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, 0));
    CHECK(set_int(fd, IPPROTO_TCP, TCP_KEEPCNT, 1000));
    CHECK(set_int(fd, IPPROTO_TCP, TCP_MAXSEG, 10));
    CHECK(set_int(fd, IPPROTO_IP, IP_TTL, 0));
    CHECK(set_int(fd, IPPROTO_IP, IP_TTL, -1));
    show_int("IP_TTL after -1", fd, IPPROTO_IP, IP_TTL);
    CHECK(set_int(fd, IPPROTO_TCP, 9999, 1));
    show_int("TCP 9999", fd, IPPROTO_TCP, 9999);

    unsigned char info[512];
    memset(info, 0xff, sizeof info);
    socklen_t length = sizeof(struct tcp_info);
    CHECK(getsockopt(fd, IPPROTO_TCP, TCP_INFO, info, &length));
    printf("  tcp_info state %d, full length %s\n", info[0],
           length == sizeof(struct tcp_info) ? "yes" : "no");
    close(fd);

    errno = 0;
    int six = socket(AF_INET6, SOCK_STREAM, 0);
    printf("AF_INET6 socket: %s\n", six >= 0 || errno == EAFNOSUPPORT ? "usable or EAFNOSUPPORT" : errno_name(errno));
    if (six >= 0) close(six);
}

static void address_in_use(void) {
    printf("EADDRINUSE:\n");
    int a = tcp_socket(), b = tcp_socket();
    struct sockaddr_in loop = LOOPBACK(41001), any = address_of(INADDR_ANY, 41001);
    CHECK(bind(a, SA(loop), sizeof loop));
    CHECK(bind(b, SA(loop), sizeof loop));
    CHECK(bind(b, SA(any), sizeof any));
    close(a);
    CHECK(bind(b, SA(any), sizeof any));
    close(b);

    /* SO_REUSEADDR on both: binding is fine until one listens. */
    a = tcp_socket(), b = tcp_socket();
    struct sockaddr_in second = LOOPBACK(41002);
    set_int(a, SOL_SOCKET, SO_REUSEADDR, 1);
    set_int(b, SOL_SOCKET, SO_REUSEADDR, 1);
    CHECK(bind(a, SA(second), sizeof second));
    CHECK(bind(b, SA(second), sizeof second));
    CHECK(listen(a, 4));
    CHECK(listen(b, 4));
    int c = tcp_socket();
    set_int(c, SOL_SOCKET, SO_REUSEADDR, 1);
    CHECK(bind(c, SA(second), sizeof second));
    close(a), close(b), close(c);

    /* SO_REUSEPORT on both: two listeners. */
    a = tcp_socket(), b = tcp_socket();
    struct sockaddr_in third = LOOPBACK(41003);
    set_int(a, SOL_SOCKET, SO_REUSEPORT, 1);
    set_int(b, SOL_SOCKET, SO_REUSEPORT, 1);
    CHECK(bind(a, SA(third), sizeof third));
    CHECK(listen(a, 4));
    CHECK(bind(b, SA(third), sizeof third));
    CHECK(listen(b, 4));
    c = tcp_socket();
    CHECK(bind(c, SA(third), sizeof third));
    close(a), close(b), close(c);

    /* A connection in TIME_WAIT: rebinding needs SO_REUSEADDR, on the
     * old socket as on the new one. */
    int listener = tcp_socket();
    struct sockaddr_in fourth = LOOPBACK(41004);
    set_int(listener, SOL_SOCKET, SO_REUSEADDR, 1);
    CHECK(bind(listener, SA(fourth), sizeof fourth));
    CHECK(listen(listener, 4));
    int client = connect_to(41004);
    int server = accept(listener, NULL, NULL);
    close(listener);
    close(server); /* the server closes first: its side goes to TIME_WAIT */
    char byte;
    CHECK(read(client, &byte, 1));
    close(client);
    a = tcp_socket();
    CHECK(bind(a, SA(fourth), sizeof fourth));
    set_int(a, SOL_SOCKET, SO_REUSEADDR, 1);
    CHECK(bind(a, SA(fourth), sizeof fourth));
    CHECK(listen(a, 4));
    close(a);
}

static void non_blocking(void) {
    printf("non-blocking connect and accept:\n");
    int listener = listener_on(41010, 4);
    fcntl(listener, F_SETFL, O_NONBLOCK);
    CHECK(accept(listener, NULL, NULL));
    CHECK(accept4(listener, NULL, NULL, 0x1234));
    int client = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = LOOPBACK(41010);
    CHECK(connect(client, SA(a), sizeof a));
    struct pollfd p = {client, POLLIN | POLLOUT | POLLRDHUP, 0};
    CHECK(poll(&p, 1, 5000));
    printf("  revents %#x\n", p.revents);
    int error = -1;
    socklen_t length = sizeof error;
    CHECK(getsockopt(client, SOL_SOCKET, SO_ERROR, &error, &length));
    printf("  SO_ERROR %s\n", errno_name(error));
    CHECK(connect(client, SA(a), sizeof a));
    struct pollfd q = {listener, POLLIN, 0};
    CHECK(poll(&q, 1, 5000));
    int server = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    printf("  accept4: %s, flags %s%s\n", server >= 0 ? "ok" : errno_name(errno),
           fcntl(server, F_GETFL) & O_NONBLOCK ? "O_NONBLOCK " : "",
           fcntl(server, F_GETFD) & FD_CLOEXEC ? "FD_CLOEXEC" : "");
    char buffer[16];
    CHECK(read(server, buffer, sizeof buffer));
    close(server), close(client), close(listener);

    /* Refused: EINPROGRESS, then POLLERR and SO_ERROR ECONNREFUSED. */
    client = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    a = LOOPBACK(41011);
    CHECK(connect(client, SA(a), sizeof a));
    p = (struct pollfd){client, POLLIN | POLLOUT | POLLRDHUP, 0};
    CHECK(poll(&p, 1, 5000));
    printf("  refused revents %#x\n", p.revents);
    CHECK(getsockopt(client, SOL_SOCKET, SO_ERROR, &error, &length));
    printf("  SO_ERROR %s\n", errno_name(error));
    CHECK(getsockopt(client, SOL_SOCKET, SO_ERROR, &error, &length));
    printf("  SO_ERROR again %s\n", errno_name(error));
    close(client);
}

static void resets(void) {
    printf("resets and closed peers:\n");
    int listener = listener_on(41020, 4);
    /* The server closes with unread data: a reset. */
    int client = connect_to(41020);
    int server = accept(listener, NULL, NULL);
    CHECK(write(client, "unread", 6));
    close(server);
    char buffer[64];
    CHECK(recv(client, buffer, sizeof buffer, 0));
    CHECK(recv(client, buffer, sizeof buffer, 0));
    CHECK(send(client, "x", 1, MSG_NOSIGNAL));
    printf("  sigpipes %d\n", (int)sigpipes);
    CHECK(send(client, "x", 1, 0));
    printf("  sigpipes %d\n", (int)sigpipes);
    close(client);

    /* The server closes cleanly: EOF, then writes meet a reset. */
    client = connect_to(41020);
    server = accept(listener, NULL, NULL);
    close(server);
    CHECK(recv(client, buffer, sizeof buffer, 0));
    CHECK(send(client, "a", 1, MSG_NOSIGNAL));
    CHECK(send(client, "b", 1, MSG_NOSIGNAL));
    CHECK(send(client, "c", 1, MSG_NOSIGNAL));
    close(client);

    /* Half-close: the peer reads EOF, sees EPOLLRDHUP, and still sends. */
    client = connect_to(41020);
    server = accept(listener, NULL, NULL);
    CHECK(shutdown(client, SHUT_WR));
    int epoll = epoll_create1(0);
    struct epoll_event event = {EPOLLIN | EPOLLRDHUP, {.fd = server}};
    epoll_ctl(epoll, EPOLL_CTL_ADD, server, &event);
    CHECK(epoll_wait(epoll, &event, 1, 5000));
    printf("  events %#x\n", event.events);
    struct pollfd p = {server, POLLIN | POLLOUT | POLLRDHUP, 0};
    CHECK(poll(&p, 1, 0));
    printf("  revents %#x\n", p.revents);
    CHECK(read(server, buffer, sizeof buffer));
    CHECK(write(server, "reply", 5));
    CHECK(read(client, buffer, sizeof buffer));
    CHECK(write(client, "more", 4));
    printf("  sigpipes %d\n", (int)sigpipes);
    close(server), close(client), close(epoll);

    /* A client gone mid-request: the server reads what came, then EOF. */
    client = connect_to(41020);
    server = accept(listener, NULL, NULL);
    CHECK(write(client, "GET / HT", 8));
    close(client);
    CHECK(read(server, buffer, sizeof buffer));
    CHECK(read(server, buffer, sizeof buffer));
    CHECK(write(server, "HTTP/1.0 200", 12));
    close(server);

    /* A full backlog: connects beyond it wait (non-blocking: EINPROGRESS)
     * and the listener keeps serving. */
    int small = listener_on(41021, 1);
    int clients[4];
    for (int i = 0; i < 4; i++) {
        clients[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        struct sockaddr_in a = LOOPBACK(41021);
        int result = connect(clients[i], SA(a), sizeof a);
        printf("  connect %d: %s\n", i, result == 0 ? "0" : errno_name(errno));
    }
    server = accept(small, NULL, NULL);
    printf("  accepted %s\n", server >= 0 ? "ok" : errno_name(errno));
    close(server);
    /* Closing the listener resets what it had not accepted. */
    close(small);
    for (int i = 0; i < 4; i++) close(clients[i]);
    close(listener);
}

static void timeouts_and_epoll(void) {
    printf("timeouts, edge-triggered epoll, sendfile:\n");
    int listener = listener_on(41030, 4);
    int client = connect_to(41030);
    int server = accept(listener, NULL, NULL);
    struct timeval timeout = {0, 100000};
    setsockopt(server, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    char buffer[4096];
    CHECK(recv(server, buffer, sizeof buffer, 0));
    setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    CHECK(accept(listener, NULL, NULL));
    setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    long sent = 0;
    for (int i = 0; i < 10000; i++) {
        ssize_t n = send(client, buffer, sizeof buffer, 0);
        if (n < 0) {
            printf("  send into a full window: %s after %s\n", errno_name(errno), sent > 0 ? "some" : "none");
            break;
        }
        sent += n;
    }
    /* Drain with an edge-triggered loop that reads until EAGAIN. */
    fcntl(server, F_SETFL, O_NONBLOCK);
    int epoll = epoll_create1(0);
    struct epoll_event event = {EPOLLIN | EPOLLET, {.fd = server}};
    epoll_ctl(epoll, EPOLL_CTL_ADD, server, &event);
    long received = 0;
    int rounds = 0;
    while (received < sent && rounds < 100000) {
        rounds++;
        if (epoll_wait(epoll, &event, 1, 5000) != 1) {
            printf("  epoll_wait timed out\n");
            break;
        }
        for (;;) {
            ssize_t n = read(server, buffer, sizeof buffer);
            if (n > 0) {
                received += n;
                continue;
            }
            if (n < 0 && errno != EAGAIN) printf("  read: %s\n", errno_name(errno));
            break;
        }
    }
    printf("  edge-triggered drain: %s\n", received == sent ? "all" : "short");
    CHECK(epoll_wait(epoll, &event, 1, 0));
    close(epoll);

    /* sendfile from a file to the socket. */
    char path[] = "/tmp/c_inet_peers_XXXXXX";
    int file = mkstemp(path);
    unlink(path);
    static char content[300000];
    for (size_t i = 0; i < sizeof content; i++) content[i] = (char)(i * 7);
    write(file, content, sizeof content);
    off_t offset = 0;
    CHECK(sendfile(client, file, &offset, 1000));
    printf("  offset %ld\n", (long)offset);
    fcntl(client, F_SETFL, O_NONBLOCK);
    long total = 1000;
    int partial = 0;
    while (total < (long)sizeof content) {
        ssize_t n = sendfile(client, file, &offset, sizeof content - total);
        if (n < 0 && errno == EAGAIN) {
            partial = 1;
            for (;;) {
                ssize_t r = read(server, buffer, sizeof buffer);
                if (r <= 0) break;
            }
            continue;
        }
        if (n <= 0) {
            printf("  sendfile: %s\n", errno_name(errno));
            break;
        }
        if (total + n < (long)sizeof content) partial = 1;
        total += n;
    }
    (void)partial; /* how much fits at once is the kernel's buffer sizing */
    printf("  sendfile non-blocking: %s, offset %s\n", total == (long)sizeof content ? "all" : "short",
           offset == (off_t)sizeof content ? "at end" : "wrong");
    close(file), close(client), close(server), close(listener);
}

/* A field of /proc/net/sockstat: `line` ("TCP:"), `key` ("inuse"). */
static long sockstat(const char *line, const char *key) {
    FILE *f = fopen("/proc/net/sockstat", "r");
    if (!f) return -1;
    char text[256];
    long value = -1;
    while (fgets(text, sizeof text, f)) {
        if (strncmp(text, line, strlen(line)) != 0) continue;
        char *at = strstr(text, key);
        if (at) value = atol(at + strlen(key) + 1);
    }
    fclose(f);
    return value;
}

static long memory_free_kb(void) {
    FILE *f = fopen("/proc/meminfo", "r");
    char text[256];
    long value = -1;
    while (f && fgets(text, sizeof text, f))
        if (sscanf(text, "MemFree: %ld kB", &value) == 1) break;
    if (f) fclose(f);
    return value;
}

static void many_connections(void) {
    printf("3000 connections:\n");
    int listener = listener_on(41040, 16);
    long used = sockstat("sockets:", "used"), inuse = sockstat("TCP:", "inuse");
    long free_kb = memory_free_kb();
    int failures = 0;
    for (int i = 0; i < 3000; i++) {
        int client = connect_to(41040);
        int server = accept(listener, NULL, NULL);
        if (client < 0 || server < 0) {
            failures++;
            close(client), close(server);
            continue;
        }
        char buffer[8];
        if (write(client, "ping", 4) != 4 || read(server, buffer, 8) != 4) failures++;
        if (write(server, "pong", 4) != 4 || read(client, buffer, 8) != 4) failures++;
        if (i % 2) {
            close(client);
            close(server);
        } else {
            close(server);
            close(client);
        }
    }
    printf("  failures %d\n", failures);
    /* At most the starting values: a connection of an earlier part may
     * still have been finishing its close when they were read. */
    printf("  sockets used back: %s\n", sockstat("sockets:", "used") <= used ? "yes" : "no");
    printf("  TCP inuse back: %s\n", sockstat("TCP:", "inuse") <= inuse ? "yes" : "no");
    long after_kb = memory_free_kb();
    printf("  memory kept: %s\n", after_kb >= free_kb - 16 * 1024 ? "yes" : "no");
    close(listener);
}

int main(void) {
    signal(SIGPIPE, on_sigpipe);
    socket_options("AF_INET", tcp_socket());
    socket_options("AF_UNIX", socket(AF_UNIX, SOCK_STREAM, 0));
    protocol_options();
    address_in_use();
    non_blocking();
    resets();
    timeouts_and_epoll();
    many_connections();
    return 0;
}
