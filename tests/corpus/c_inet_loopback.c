#define _GNU_SOURCE
// TCP and UDP over 127.0.0.1 between a parent and a child, with the
// error paths: ECONNREFUSED, EADDRINUSE, EINVAL, ENOTCONN, EPIPE+SIGPIPE.
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t sigpipes;
static void on_sigpipe(int signal) { (void)signal; sigpipes++; }

static struct sockaddr_in loopback(int port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static void check(const char *what, int result) {
    if (result < 0) printf("%s: %s\n", what, strerror(errno));
    else printf("%s: ok\n", what);
}

static void tcp(void) {
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = loopback(40123);
    check("bind", bind(listener, (struct sockaddr *)&address, sizeof address));
    int second = socket(AF_INET, SOCK_STREAM, 0);
    check("bind same port", bind(second, (struct sockaddr *)&address, sizeof address));
    close(second);
    check("listen", listen(listener, 4));
    int unconnected = socket(AF_INET, SOCK_STREAM, 0);
    check("send unconnected", send(unconnected, "x", 1, MSG_NOSIGNAL));
    struct sockaddr_in peer;
    socklen_t length = sizeof peer;
    check("getpeername unconnected", getpeername(unconnected, (struct sockaddr *)&peer, &length));
    struct sockaddr_in closed = loopback(40124);
    check("connect refused", connect(unconnected, (struct sockaddr *)&closed, sizeof closed));
    close(unconnected);
    check("bind short", bind(socket(AF_INET, SOCK_STREAM, 0), (struct sockaddr *)&address, 4));

    pid_t child = fork();
    if (child == 0) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(s, (struct sockaddr *)&address, sizeof address) < 0) _exit(1);
        char buffer[64];
        ssize_t n = read(s, buffer, sizeof buffer);
        if (n > 0) write(s, buffer, n);
        shutdown(s, SHUT_WR);
        n = read(s, buffer, sizeof buffer);
        printf("child read after shutdown: %zd\n", n);
        fflush(stdout);
        close(s);
        _exit(0);
    }
    length = sizeof peer;
    int connection = accept4(listener, (struct sockaddr *)&peer, &length, SOCK_CLOEXEC);
    printf("accepted: %s family %d length %u\n", connection >= 0 ? "yes" : strerror(errno), peer.sin_family,
           length);
    struct sockaddr_in name;
    length = sizeof name;
    getsockname(connection, (struct sockaddr *)&name, &length);
    printf("local %s:%d\n", inet_ntoa(name.sin_addr), ntohs(name.sin_port));
    write(connection, "hello", 5);
    char buffer[64] = {0};
    ssize_t n = read(connection, buffer, sizeof buffer - 1);
    printf("echo: %zd '%s'\n", n, buffer);
    n = read(connection, buffer, sizeof buffer);
    printf("end of stream: %zd\n", n);
    close(connection);
    int status;
    waitpid(child, &status, 0);
    printf("child exit %d\n", WEXITSTATUS(status));
    close(listener);
}

static void broken_pipe(void) {
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = loopback(40125);
    bind(listener, (struct sockaddr *)&address, sizeof address);
    listen(listener, 1);
    int client = socket(AF_INET, SOCK_STREAM, 0);
    check("connect", connect(client, (struct sockaddr *)&address, sizeof address));
    int server = accept(listener, NULL, NULL);
    close(server);
    signal(SIGPIPE, on_sigpipe);
    // The first write draws a reset; a later one fails with EPIPE.
    int failed = 0;
    for (int i = 0; i < 50 && !failed; i++) {
        if (write(client, "data", 4) < 0) {
            failed = 1;
            printf("write to closed: %s, sigpipes %d\n", strerror(errno), (int)sigpipes);
        } else {
            usleep(10000);
        }
    }
    close(client);
    close(listener);
}


static void udp(void) {
    int server = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in address = loopback(40126);
    check("udp bind", bind(server, (struct sockaddr *)&address, sizeof address));
    int again = socket(AF_INET, SOCK_DGRAM, 0);
    check("udp bind same port", bind(again, (struct sockaddr *)&address, sizeof address));
    check("udp send unconnected", send(again, "x", 1, 0));
    struct sockaddr_in peer;
    socklen_t length = sizeof peer;
    check("udp getpeername", getpeername(again, (struct sockaddr *)&peer, &length));
    char buffer[64];
    check("udp recv nonblocking", recv(server, buffer, sizeof buffer, MSG_DONTWAIT));
    close(again);

    pid_t child = fork();
    if (child == 0) {
        int s = socket(AF_INET, SOCK_DGRAM, 0);
        sendto(s, "ping", 4, 0, (struct sockaddr *)&address, sizeof address);
        char reply[64] = {0};
        ssize_t n = recv(s, reply, sizeof reply - 1, 0);
        printf("child got %zd '%s'\n", n, reply);
        _exit(0);
    }
    length = sizeof peer;
    ssize_t n = recvfrom(server, buffer, sizeof buffer, 0, (struct sockaddr *)&peer, &length);
    printf("udp got %zd from %s length %u\n", n, inet_ntoa(peer.sin_addr), length);
    sendto(server, "pong", 4, 0, (struct sockaddr *)&peer, length);
    int status;
    waitpid(child, &status, 0);

    // A datagram longer than the buffer is cut; MSG_TRUNC gives its length.
    int client = socket(AF_INET, SOCK_DGRAM, 0);
    check("udp connect", connect(client, (struct sockaddr *)&address, sizeof address));
    send(client, "0123456789", 10, 0);
    n = recv(server, buffer, 4, MSG_TRUNC);
    printf("truncated: %zd\n", n);
    send(client, "abcdef", 6, 0);
    n = recv(server, buffer, 4, 0);
    printf("cut: %zd '%.4s'\n", n, buffer);
    length = sizeof peer;
    check("udp getpeername connected", getpeername(client, (struct sockaddr *)&peer, &length));
    printf("peer port %d\n", ntohs(peer.sin_port));
    close(client);
    close(server);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    tcp();
    broken_pipe();
    udp();
    return 0;
}
