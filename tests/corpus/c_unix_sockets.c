/* AF_UNIX sockets made by socketpair: stream, datagram and seqpacket
 * pairs, reads and writes, send/recv flags (MSG_DONTWAIT, MSG_PEEK,
 * MSG_TRUNC, MSG_NOSIGNAL, MSG_WAITALL), shutdown's end of file and
 * EPIPE with SIGPIPE, ECONNRESET after a close with unread data,
 * socket options, fstat, /proc/self/fd, poll, and the error paths
 * (EBADF, ENOTSOCK, EINVAL, EFAULT, EAFNOSUPPORT, EPROTONOSUPPORT,
 * ESOCKTNOSUPPORT, EOPNOTSUPP, ENOPROTOOPT). */
#define _GNU_SOURCE
#include "check.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int signal)
{
    (void)signal;
    sigpipes++;
}

static int option(int fd, int name)
{
    int value = -1;
    socklen_t length = sizeof value;
    if (getsockopt(fd, SOL_SOCKET, name, &value, &length) < 0)
        return -1;
    return value;
}

static void print_poll(const char *what, int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT | POLLRDHUP };
    int n = poll(&p, 1, 0);
    printf("poll %s: %d in=%d out=%d hup=%d err=%d\n", what, n, !!(p.revents & POLLIN),
           !!(p.revents & POLLOUT), !!(p.revents & POLLHUP), !!(p.revents & POLLERR));
}

static void stream_pair(void)
{
    int sv[2];
    char buffer[64];
    printf("-- stream\n");
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK(write(sv[0], "hello", 5));
    CHECK(write(sv[0], "world", 5));
    CHECK(ioctl(sv[1], FIONREAD, &(int){0}));
    CHECK(recv(sv[1], buffer, 3, MSG_PEEK));
    CHECK(read(sv[1], buffer, 7));
    printf("got %.7s\n", buffer);
    CHECK(recv(sv[1], buffer, sizeof buffer, 0));
    printf("got %.3s\n", buffer);
    CHECK(recv(sv[1], buffer, sizeof buffer, MSG_DONTWAIT));
    print_poll("empty", sv[1]);
    CHECK(send(sv[1], "back", 4, 0));
    CHECK(recv(sv[0], buffer, sizeof buffer, 0));
    CHECK(sendto(sv[0], "x", 1, 0, NULL, 0));
    struct sockaddr_un to = { .sun_family = AF_UNIX, .sun_path = "/nowhere" };
    CHECK(sendto(sv[0], "x", 1, 0, (struct sockaddr *)&to, sizeof to));
    CHECK(recv(sv[1], buffer, sizeof buffer, MSG_TRUNC));

    /* shutdown: SHUT_WR gives the peer end of file after the data. */
    CHECK(write(sv[0], "last", 4));
    CHECK(shutdown(sv[0], SHUT_WR));
    print_poll("after peer SHUT_WR", sv[1]);
    CHECK(read(sv[1], buffer, sizeof buffer));
    CHECK(read(sv[1], buffer, sizeof buffer));
    CHECK(write(sv[0], "x", 1));
    printf("sigpipes %d\n", (int)sigpipes);
    CHECK(send(sv[0], "x", 1, MSG_NOSIGNAL));
    printf("sigpipes %d\n", (int)sigpipes);
    CHECK(write(sv[1], "ok", 2));
    CHECK(read(sv[0], buffer, sizeof buffer));
    CHECK(shutdown(sv[1], SHUT_RD));
    CHECK(write(sv[0], "x", 1));
    print_poll("both shut", sv[0]);
    CHECK(shutdown(sv[0], 3));
    CHECK(shutdown(sv[0], -1));
    CHECK(close(sv[0]));
    CHECK(close(sv[1]));

    /* A close with unread data resets the peer. */
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK(write(sv[1], "unread", 6));
    CHECK(close(sv[0]));
    print_poll("reset", sv[1]);
    CHECK(option(sv[1], SO_ERROR));
    CHECK(read(sv[1], buffer, sizeof buffer));
    CHECK(write(sv[1], "x", 1));
    printf("sigpipes %d\n", (int)sigpipes);
    CHECK(close(sv[1]));

    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK(write(sv[1], "unread", 6));
    CHECK(close(sv[0]));
    CHECK(read(sv[1], buffer, sizeof buffer));
    CHECK(read(sv[1], buffer, sizeof buffer));
    CHECK(close(sv[1]));

    /* Nonblocking: a full buffer is EAGAIN, a partial write counts. */
    CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv));
    CHECK(fcntl(sv[0], F_GETFL) & O_NONBLOCK);
    CHECK(fcntl(sv[0], F_GETFD));
    CHECK(read(sv[0], buffer, sizeof buffer));
    static char big[1 << 20];
    long total = 0, n;
    while ((n = write(sv[0], big, sizeof big)) > 0)
        total += n;
    printf("filled: %s, then %s\n", total > 0 && total < (long)sizeof big ? "partly" : "?", errno_name(errno));
    print_poll("full", sv[0]);
    long drained = 0;
    while ((n = read(sv[1], big, sizeof big)) > 0)
        drained += n;
    printf("drained all: %d\n", drained == total);
    CHECK(close(sv[0]));
    CHECK(close(sv[1]));

    /* MSG_WAITALL across writes from a child. */
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    pid_t child = fork();
    if (child == 0) {
        for (int i = 0; i < 4; i++)
            write(sv[1], "abcd", 4);
        _exit(0);
    }
    CHECK(recv(sv[0], buffer, 16, MSG_WAITALL));
    printf("got %.16s\n", buffer);
    waitpid(child, NULL, 0);
    CHECK(close(sv[0]));
    CHECK(close(sv[1]));
}

static void message_pair(int type, const char *name)
{
    int sv[2];
    char buffer[64];
    printf("-- %s\n", name);
    CHECK(socketpair(AF_UNIX, type, 0, sv));
    CHECK(write(sv[0], "first message", 13));
    CHECK(write(sv[0], "second", 6));
    CHECK(write(sv[0], "", 0));
    CHECK(ioctl(sv[1], FIONREAD, &(int){0}));
    CHECK(recv(sv[1], buffer, 5, MSG_PEEK));
    CHECK(recv(sv[1], buffer, 5, MSG_PEEK | MSG_TRUNC));
    CHECK(read(sv[1], buffer, 5));
    printf("got %.5s\n", buffer);
    CHECK(recv(sv[1], buffer, 2, MSG_TRUNC));
    CHECK(read(sv[1], buffer, sizeof buffer));
    CHECK(recv(sv[1], buffer, sizeof buffer, MSG_DONTWAIT));
    static char huge[300000];
    CHECK(send(sv[0], huge, sizeof huge, 0));
    CHECK(shutdown(sv[0], SHUT_WR));
    CHECK(write(sv[0], "x", 1));
    CHECK(write(sv[1], "y", 1));
    CHECK(recv(sv[0], buffer, sizeof buffer, MSG_DONTWAIT));
    CHECK(recv(sv[1], buffer, sizeof buffer, MSG_DONTWAIT));
    print_poll("after SHUT_WR", sv[1]);
    printf("sigpipes %d\n", (int)sigpipes);
    CHECK(close(sv[0]));
    CHECK(write(sv[1], "z", 1));
    CHECK(recv(sv[1], buffer, sizeof buffer, MSG_DONTWAIT));
    print_poll("peer closed", sv[1]);
    printf("sigpipes %d\n", (int)sigpipes);
    CHECK(close(sv[1]));
}

static void options_and_files(void)
{
    int sv[2];
    struct stat st;
    char link[64], path[64];
    printf("-- options\n");
    CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    CHECK(option(sv[0], SO_TYPE));
    CHECK(option(sv[0], SO_DOMAIN));
    CHECK(option(sv[0], SO_PROTOCOL));
    CHECK(option(sv[0], SO_ERROR));
    CHECK(option(sv[0], SO_ACCEPTCONN));
    CHECK(option(sv[0], SO_SNDBUF));
    CHECK(option(sv[0], SO_RCVBUF));
    CHECK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &(int){1}, sizeof(int)));
    CHECK(option(sv[0], SO_SNDBUF));
    CHECK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &(int){10000}, sizeof(int)));
    CHECK(option(sv[0], SO_SNDBUF));
    CHECK(setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &(int){1 << 30}, sizeof(int)));
    CHECK(option(sv[0], SO_RCVBUF));
    CHECK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &(int){1}, 2));
    CHECK(getsockopt(sv[0], SOL_SOCKET, 9999, &(int){0}, &(socklen_t){4}));
    CHECK(getsockopt(sv[0], 6, 1, &(int){0}, &(socklen_t){4}));
    CHECK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &(int){0}, &(socklen_t){-1}));
    CHECK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &(int){0}, NULL));
    CHECK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, NULL, &(socklen_t){4}));
    short small = 0;
    socklen_t small_length = 2;
    CHECK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &small, &small_length));
    printf("small %d length %u\n", small, small_length);
    CHECK(fstat(sv[0], &st));
    printf("mode %o size %ld nlink %ld\n", st.st_mode, (long)st.st_size, (long)st.st_nlink);
    snprintf(path, sizeof path, "/proc/self/fd/%d", sv[0]);
    ssize_t n = readlink(path, link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    printf("link is socket:[N]: %d\n", strncmp(link, "socket:[", 8) == 0 && link[n - 1] == ']');
    CHECK(lseek(sv[0], 0, SEEK_SET));
    print_poll("fresh dgram", sv[0]);
    CHECK(close(sv[0]));
    CHECK(close(sv[1]));
}

static int send_fds(int socket, const char *text, const int *fds, int count)
{
    char control[CMSG_SPACE(sizeof(int) * 4)] = { 0 };
    struct iovec iov[2] = { { (void *)text, 3 }, { (void *)(text + 3), strlen(text) - 3 } };
    struct msghdr message = { .msg_iov = iov, .msg_iovlen = 2 };
    if (count > 0) {
        message.msg_control = control;
        message.msg_controllen = CMSG_SPACE(sizeof(int) * count);
        struct cmsghdr *c = CMSG_FIRSTHDR(&message);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * count);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * count);
    }
    return sendmsg(socket, &message, 0);
}

/* Receives with a control buffer for `room` descriptors and reads one
 * byte from each descriptor received. */
static void receive_fds(int socket, int room, int flags)
{
    char data[32] = { 0 }, control[CMSG_SPACE(sizeof(int) * 4)];
    struct iovec iov = { data, sizeof data - 1 };
    struct msghdr message = { .msg_iov = iov.iov_base ? &iov : NULL, .msg_iovlen = 1 };
    message.msg_control = room ? control : NULL;
    message.msg_controllen = room ? CMSG_SPACE(sizeof(int) * room) : 0;
    long n = recvmsg(socket, &message, flags);
    printf("recvmsg = %ld %s data %s flags%s%s controllen %zu\n", n, n < 0 ? errno_name(errno) : "", data,
           message.msg_flags & MSG_CTRUNC ? " CTRUNC" : "", message.msg_flags & MSG_TRUNC ? " TRUNC" : "",
           (size_t)message.msg_controllen);
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&message); n >= 0 && c; c = CMSG_NXTHDR(&message, c)) {
        int count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        printf("  cmsg level %d type %d fds %d\n", c->cmsg_level, c->cmsg_type, count);
        for (int i = 0; i < count; i++) {
            int fd;
            char byte = '?';
            memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            lseek(fd, 0, SEEK_SET);
            read(fd, &byte, 1);
            printf("  fd %d: byte %c cloexec %d\n", i, byte, fcntl(fd, F_GETFD));
            close(fd);
        }
    }
}

static void rights(void)
{
    int sv[2], pipes[2][2];
    printf("-- rights\n");
    for (int i = 0; i < 2; i++) {
        pipe2(pipes[i], O_NONBLOCK);
        write(pipes[i][1], i ? "B" : "A", 1);
    }
    int fds[4] = { pipes[0][0], pipes[1][0], pipes[0][0], pipes[1][0] };
    for (int type = 0; type < 2; type++) {
        CHECK(socketpair(AF_UNIX, type ? SOCK_DGRAM : SOCK_STREAM, 0, sv));
        CHECK(send_fds(sv[0], "hello", fds, 1));
        receive_fds(sv[1], 2, 0);
        write(pipes[0][1], "C", 1);
        CHECK(send_fds(sv[0], "four fds", fds, 4));
        receive_fds(sv[1], 1, MSG_CMSG_CLOEXEC);
        write(pipes[0][1], "D", 1);
        write(pipes[1][1], "E", 1);
        CHECK(send_fds(sv[0], "none", fds, 0));
        CHECK(send_fds(sv[0], "again", fds, 2));
        receive_fds(sv[1], 2, 0);
        receive_fds(sv[1], 0, MSG_DONTWAIT);
        receive_fds(sv[1], 2, MSG_DONTWAIT);
        CHECK(close(sv[0]));
        CHECK(close(sv[1]));
    }
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    int bad[1] = { 999 };
    CHECK(send_fds(sv[0], "bad", bad, 1));
    struct msghdr message = { .msg_control = (void *)8, .msg_controllen = 16 };
    CHECK(sendmsg(sv[0], &message, 0));
    CHECK(sendmsg(sv[0], NULL, 0));
    CHECK(recvmsg(sv[0], NULL, MSG_DONTWAIT));
    CHECK(close(sv[0]));
    CHECK(close(sv[1]));
    for (int i = 0; i < 2; i++) {
        close(pipes[i][0]);
        close(pipes[i][1]);
    }
}

static void errors(void)
{
    int sv[2], pipefd[2];
    char buffer[8];
    printf("-- errors\n");
    CHECK(socketpair(AF_INET, SOCK_STREAM, 0, sv));
    CHECK(socketpair(12345, SOCK_STREAM, 0, sv));
    CHECK(socketpair(-1, SOCK_STREAM, 0, sv));
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 7, sv));
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, AF_UNIX, sv));
    CHECK(close(sv[0]) | close(sv[1]));
    CHECK(socketpair(AF_UNIX, SOCK_RAW, 0, sv));
    CHECK(option(sv[0], SO_TYPE));
    CHECK(close(sv[0]) | close(sv[1]));
    CHECK(socketpair(AF_UNIX, SOCK_RDM, 0, sv));
    CHECK(socketpair(AF_UNIX, 11, 0, sv));
    CHECK(socketpair(AF_UNIX, SOCK_STREAM | 0x100, 0, sv));
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, NULL));
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, (int *)-1L));
    CHECK(socketpair(12345, SOCK_STREAM, 0, NULL));
    CHECK(socket(12345, SOCK_STREAM, 0));
    CHECK(socket(AF_UNIX, SOCK_STREAM, 2));
    CHECK(socket(AF_UNIX, SOCK_PACKET, 0));
    CHECK(send(-1, "x", 1, 0));
    CHECK(send(999, "x", 1, 0));
    CHECK(pipe(pipefd));
    CHECK(send(pipefd[1], "x", 1, 0));
    CHECK(recv(pipefd[0], buffer, 1, 0));
    CHECK(shutdown(pipefd[0], SHUT_RD));
    CHECK(getsockopt(pipefd[0], SOL_SOCKET, SO_TYPE, &(int){0}, &(socklen_t){4}));
    CHECK(setsockopt(pipefd[0], SOL_SOCKET, SO_SNDBUF, &(int){0}, 4));
    CHECK(shutdown(-1, SHUT_RD));
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK(send(sv[0], NULL, 1, 0));
    CHECK(send(sv[0], (void *)-1L, 1, 0));
    CHECK(write(sv[0], "x", 1));
    CHECK(recv(sv[1], NULL, 1, 0));
    CHECK(recv(sv[1], buffer, 1, MSG_DONTWAIT));
    CHECK(close(sv[0]));
    CHECK(close(sv[1]));
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK(fd >= 0);
    CHECK(send(fd, "x", 1, MSG_NOSIGNAL));
    CHECK(recv(fd, buffer, 1, 0));
    CHECK(shutdown(fd, SHUT_WR));
    print_poll("unconnected stream", fd);
    CHECK(close(fd));
    fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    CHECK(send(fd, "x", 1, 0));
    CHECK(recv(fd, buffer, 1, MSG_DONTWAIT));
    print_poll("unconnected dgram", fd);
    CHECK(close(fd));
    close(pipefd[0]);
    close(pipefd[1]);
}

int main(void)
{
    signal(SIGPIPE, on_sigpipe);
    stream_pair();
    message_pair(SOCK_DGRAM, "dgram");
    message_pair(SOCK_SEQPACKET, "seqpacket");
    options_and_files();
    rights();
    errors();
    printf("done\n");
    return 0;
}
