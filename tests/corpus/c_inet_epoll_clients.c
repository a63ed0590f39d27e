#define _GNU_SOURCE
// Request/response over 127.0.0.1 as redis-benchmark drives redis: a
// server process with a level-triggered epoll loop (non-blocking accept,
// TCP_NODELAY, a reply to every request), and a client process with 8
// non-blocking connections in an ae-style loop (EPOLLOUT to send a
// request, then EPOLLIN for its reply, then EPOLLOUT again). Every
// request and every reply has the same size, so a kernel that decides
// whether a socket changed by comparing queue lengths misses the
// wake-ups. A stall is reported after 20 s instead of hanging.
#include "check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define CLIENTS 8
#define REQUESTS 4000
#define PORT 45678

static const char REQUEST[] = "*3\r\n$3\r\nSET\r\n$16\r\nkey:__rand_int__\r\n$3\r\nxxx\r\n";
static const char REPLY[] = "+OK\r\n";
#define REQUEST_LENGTH (sizeof REQUEST - 1)
#define REPLY_LENGTH (sizeof REPLY - 1)

static volatile int completed;

static void on_alarm(int signal) {
    (void)signal;
    printf("stalled after %d replies\n", completed);
    fflush(stdout);
    _exit(1);
}

static void serve(int listener) {
    int epoll = epoll_create1(0);
    struct epoll_event event = {.events = EPOLLIN, .data.fd = listener};
    epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event);
    /* Partial requests per descriptor. */
    static size_t have[1024];
    int open_count = 0, accepted = 0;
    for (;;) {
        struct epoll_event events[64];
        int count = epoll_wait(epoll, events, 64, -1);
        for (int i = 0; i < count; i++) {
            int fd = events[i].data.fd;
            if (fd == listener) {
                int connection = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
                if (connection < 0)
                    continue;
                int one = 1;
                setsockopt(connection, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                struct epoll_event in = {.events = EPOLLIN, .data.fd = connection};
                epoll_ctl(epoll, EPOLL_CTL_ADD, connection, &in);
                open_count++;
                accepted++;
                continue;
            }
            char buffer[4096];
            ssize_t n = read(fd, buffer, sizeof buffer);
            if (n < 0 && errno == EAGAIN)
                continue;
            if (n <= 0) {
                epoll_ctl(epoll, EPOLL_CTL_DEL, fd, NULL);
                close(fd);
                if (--open_count == 0 && accepted == CLIENTS)
                    _exit(0);
                continue;
            }
            have[fd] += n;
            while (have[fd] >= REQUEST_LENGTH) {
                have[fd] -= REQUEST_LENGTH;
                if (write(fd, REPLY, REPLY_LENGTH) != (ssize_t)REPLY_LENGTH)
                    _exit(2);
            }
        }
    }
}

struct client {
    int fd;
    size_t received;
    int done;
};

static void set_events(int epoll, struct client *client, uint32_t events) {
    struct epoll_event event = {.events = events, .data.ptr = client};
    epoll_ctl(epoll, EPOLL_CTL_MOD, client->fd, &event);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(PORT)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(bind(listener, (struct sockaddr *)&address, sizeof address));
    CHECK(listen(listener, 511));
    pid_t server = fork();
    if (server == 0)
        serve(listener);
    close(listener);

    signal(SIGALRM, on_alarm);
    alarm(20);
    int epoll = epoll_create1(0);
    struct client clients[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        clients[i].fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        clients[i].received = 0;
        clients[i].done = 0;
        int result = connect(clients[i].fd, (struct sockaddr *)&address, sizeof address);
        if (result != 0 && errno != EINPROGRESS)
            printf("connect: %s\n", errno_name(errno));
        struct epoll_event event = {.events = EPOLLOUT, .data.ptr = &clients[i]};
        epoll_ctl(epoll, EPOLL_CTL_ADD, clients[i].fd, &event);
    }
    while (completed < REQUESTS) {
        struct epoll_event events[CLIENTS];
        int count = epoll_wait(epoll, events, CLIENTS, -1);
        for (int i = 0; i < count; i++) {
            struct client *client = events[i].data.ptr;
            if (events[i].events & EPOLLOUT) {
                if (write(client->fd, REQUEST, REQUEST_LENGTH) != (ssize_t)REQUEST_LENGTH) {
                    printf("short write\n");
                    return 1;
                }
                set_events(epoll, client, EPOLLIN);
            } else if (events[i].events & EPOLLIN) {
                char buffer[256];
                ssize_t n = read(client->fd, buffer, sizeof buffer);
                if (n < 0 && errno == EAGAIN)
                    continue;
                if (n <= 0) {
                    printf("read: %zd %s\n", n, errno_name(errno));
                    return 1;
                }
                client->received += n;
                if (client->received == REPLY_LENGTH) {
                    client->received = 0;
                    completed++;
                    /* Each connection makes REQUESTS / CLIENTS requests. */
                    if (++client->done < REQUESTS / CLIENTS)
                        set_events(epoll, client, EPOLLOUT);
                }
            }
        }
    }
    alarm(0);
    printf("%d replies over %d connections\n", completed, CLIENTS);
    for (int i = 0; i < CLIENTS; i++)
        close(clients[i].fd);
    int status;
    CHECK(waitpid(server, &status, 0) == server);
    printf("server exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}
