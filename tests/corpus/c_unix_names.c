/* AF_UNIX sockets with names: bind to a path (a socket inode, its mode
 * from the umask) and to abstract names, autobind, the sockaddr_un
 * length rules, getsockname/getpeername, listen/accept/connect for
 * stream and seqpacket (backlog, non-blocking, poll, a listener closed
 * with queued connections), datagram sockets sending to names and
 * connecting, SO_PEERCRED, SO_PASSCRED with SCM_CREDENTIALS, and the
 * error paths (EADDRINUSE, EINVAL, ENOENT, ENOTDIR, ECONNREFUSED,
 * EPROTOTYPE, EISCONN, EAGAIN, EOPNOTSUPP, ECONNRESET). Processes are
 * synchronised with pipes and waitpid only. */
#define _GNU_SOURCE
#include "check.h"
#include <ctype.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define DIR "/tmp/unix_names"

static socklen_t path_address(struct sockaddr_un *address, const char *path)
{
    memset(address, 0, sizeof *address);
    address->sun_family = AF_UNIX;
    strcpy(address->sun_path, path);
    return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

/* An abstract name: a NUL, then `name` without its terminator. */
static socklen_t abstract_address(struct sockaddr_un *address, const char *name)
{
    memset(address, 0, sizeof *address);
    address->sun_family = AF_UNIX;
    memcpy(address->sun_path + 1, name, strlen(name));
    return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
}

/* Prints an address as length, family and sun_path with NULs as '@'. */
static void print_address(const char *what, struct sockaddr_un *address, socklen_t length)
{
    printf("%s: length %u", what, (unsigned)length);
    if (length >= 2)
        printf(" family %d", address->sun_family);
    if (length > 2) {
        printf(" path '");
        size_t end = length - 2;
        if (end > sizeof address->sun_path)
            end = sizeof address->sun_path;
        for (size_t i = 0; i < end; i++)
            putchar(address->sun_path[i] ? address->sun_path[i] : '@');
        printf("'");
    }
    printf("\n");
}

static void print_name(const char *what, int fd)
{
    struct sockaddr_un address;
    memset(&address, 0x55, sizeof address);
    socklen_t length = sizeof address;
    if (getsockname(fd, (struct sockaddr *)&address, &length) < 0) {
        printf("%s: getsockname -1 %s\n", what, errno_name(errno));
        return;
    }
    print_address(what, &address, length);
}

static void print_peer(const char *what, int fd)
{
    struct sockaddr_un address;
    memset(&address, 0x55, sizeof address);
    socklen_t length = sizeof address;
    if (getpeername(fd, (struct sockaddr *)&address, &length) < 0) {
        printf("%s: getpeername -1 %s\n", what, errno_name(errno));
        return;
    }
    print_address(what, &address, length);
}

static void print_poll(const char *what, int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
    int n = poll(&p, 1, 0);
    printf("poll %s: %d in=%d out=%d hup=%d err=%d\n", what, n, !!(p.revents & POLLIN),
           !!(p.revents & POLLOUT), !!(p.revents & POLLHUP), !!(p.revents & POLLERR));
}

static void print_mode(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        printf("stat %s: -1 %s\n", path, errno_name(errno));
        return;
    }
    printf("stat %s: %s mode %o size %ld\n", path, S_ISSOCK(st.st_mode) ? "socket" : "not a socket",
           st.st_mode & 07777, (long)st.st_size);
}

static int stream_socket(void)
{
    return socket(AF_UNIX, SOCK_STREAM, 0);
}

static void binding(void)
{
    struct sockaddr_un address;
    socklen_t length;
    printf("-- bind\n");
    int a = stream_socket();
    print_name("unbound", a);
    print_peer("unbound", a);

    /* Lengths and families. */
    length = path_address(&address, DIR "/a");
    CHECK(bind(a, (struct sockaddr *)&address, 0));
    CHECK(bind(a, (struct sockaddr *)&address, 1));
    CHECK(bind(a, (struct sockaddr *)&address, sizeof address + 1));
    CHECK(bind(a, (struct sockaddr *)&address, 200));
    address.sun_family = AF_INET;
    CHECK(bind(a, (struct sockaddr *)&address, length));
    CHECK(bind(a, (struct sockaddr *)&address, 2));
    address.sun_family = AF_UNIX;
    CHECK(bind(a, (struct sockaddr *)1, length));

    /* A path: a socket inode whose mode comes from the umask. */
    CHECK(bind(a, (struct sockaddr *)&address, length));
    print_mode(DIR "/a");
    print_name("bound to a path", a);
    CHECK(bind(a, (struct sockaddr *)&address, length));
    struct sockaddr_un other;
    socklen_t other_length = path_address(&other, DIR "/a2");
    CHECK(bind(a, (struct sockaddr *)&other, other_length));
    print_mode(DIR "/a2");
    int b = stream_socket();
    CHECK(bind(b, (struct sockaddr *)&address, length));
    CHECK(bind(b, (struct sockaddr *)&address, sizeof address));
    length = path_address(&address, DIR "/missing/x");
    CHECK(bind(b, (struct sockaddr *)&address, length));
    length = path_address(&address, DIR "/file/x");
    CHECK(bind(b, (struct sockaddr *)&address, length));
    length = path_address(&address, DIR "/file");
    CHECK(bind(b, (struct sockaddr *)&address, length));
    length = path_address(&address, DIR);
    CHECK(bind(b, (struct sockaddr *)&address, length));

    /* The length given counts, not the terminator: a name cut short,
     * and one with bytes after its NUL. */
    length = path_address(&address, DIR "/cut_here");
    CHECK(bind(b, (struct sockaddr *)&address, offsetof(struct sockaddr_un, sun_path) + strlen(DIR) + 4));
    print_mode(DIR "/cut");
    print_name("bound to a cut name", b);
    close(b);
    b = stream_socket();
    length = path_address(&address, DIR "/tail");
    memcpy(address.sun_path + strlen(address.sun_path) + 1, "junk", 4);
    CHECK(bind(b, (struct sockaddr *)&address, length + 4));
    print_name("bound with bytes after the NUL", b);
    close(b);

    /* umask 077 gives 0700. */
    mode_t old = umask(077);
    b = stream_socket();
    length = path_address(&address, DIR "/private");
    CHECK(bind(b, (struct sockaddr *)&address, length));
    print_mode(DIR "/private");
    umask(old);
    close(b);

    /* 108 bytes of path with no terminator: the whole sun_path. */
    b = stream_socket();
    CHECK(chdir(DIR));
    memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    memset(address.sun_path, 'p', sizeof address.sun_path);
    CHECK(bind(b, (struct sockaddr *)&address, sizeof address));
    struct {
        struct sockaddr_un address;
        char more[16];
    } big;
    memset(&big, 0x55, sizeof big);
    socklen_t big_length = sizeof big;
    CHECK(getsockname(b, (struct sockaddr *)&big, &big_length));
    printf("long name: length %u, last byte %d, byte after %d\n", (unsigned)big_length,
           big.address.sun_path[107], big.more[0]);
    big_length = sizeof big.address;
    CHECK(getsockname(b, (struct sockaddr *)&big, &big_length));
    printf("long name in a sockaddr_un: length %u\n", (unsigned)big_length);
    big_length = 4;
    memset(&big, 0x55, sizeof big);
    CHECK(getsockname(b, (struct sockaddr *)&big, &big_length));
    printf("4 bytes of it: length %u, path %c%c, then %d\n", (unsigned)big_length, big.address.sun_path[0],
           big.address.sun_path[1], big.address.sun_path[2]);
    CHECK(chdir("/"));
    close(b);

    /* A closed socket's name stays in the file system, unusable. */
    close(a);
    print_mode(DIR "/a");
    b = stream_socket();
    length = path_address(&address, DIR "/a");
    CHECK(bind(b, (struct sockaddr *)&address, length));
    CHECK(unlink(DIR "/a"));
    CHECK(bind(b, (struct sockaddr *)&address, length));
    CHECK(unlink(DIR "/a"));
    close(b);

    /* Abstract names: exact lengths, one owner, freed on close. */
    printf("-- abstract\n");
    a = stream_socket();
    b = stream_socket();
    length = abstract_address(&address, "goose-names");
    CHECK(bind(a, (struct sockaddr *)&address, length));
    print_name("abstract", a);
    CHECK(bind(b, (struct sockaddr *)&address, length));
    CHECK(bind(b, (struct sockaddr *)&address, length - 1));
    print_name("abstract prefix", b);
    close(a);
    close(b);
    b = stream_socket();
    CHECK(bind(b, (struct sockaddr *)&address, length));
    close(b);
    /* Only the NUL: an abstract name of length 0... of one byte. */
    b = stream_socket();
    CHECK(bind(b, (struct sockaddr *)&address, 3));
    print_name("empty abstract", b);
    close(b);

    /* Autobind: the family alone gives a NUL and five hex digits. */
    printf("-- autobind\n");
    a = stream_socket();
    address.sun_family = AF_UNIX;
    CHECK(bind(a, (struct sockaddr *)&address, 2));
    memset(&address, 0, sizeof address);
    length = sizeof address;
    CHECK(getsockname(a, (struct sockaddr *)&address, &length));
    int hex = 1;
    for (int i = 1; i < 6; i++)
        hex &= isxdigit((unsigned char)address.sun_path[i]) && !isupper((unsigned char)address.sun_path[i]);
    printf("autobind: length %u, first byte %d, hex %d\n", (unsigned)length, address.sun_path[0], hex);
    struct sockaddr_un again = { .sun_family = AF_UNIX };
    CHECK(bind(a, (struct sockaddr *)&again, 2));
    b = stream_socket();
    CHECK(bind(b, (struct sockaddr *)&address, length));
    close(a);
    close(b);
}

static void listening(void)
{
    struct sockaddr_un address, peer;
    socklen_t length, peer_length;
    char buffer[64];
    printf("-- listen and accept\n");
    int server = stream_socket();
    CHECK(listen(server, 5));
    CHECK(accept(server, NULL, NULL));
    length = path_address(&address, DIR "/server");
    CHECK(bind(server, (struct sockaddr *)&address, length));
    CHECK(accept(server, NULL, NULL));
    print_poll("bound", server);
    CHECK(listen(server, 0));
    int value = -1;
    socklen_t value_length = sizeof value;
    CHECK(getsockopt(server, SOL_SOCKET, SO_ACCEPTCONN, &value, &value_length));
    printf("SO_ACCEPTCONN %d\n", value);
    CHECK(fcntl(server, F_SETFL, O_NONBLOCK));
    CHECK(accept(server, NULL, NULL));
    print_poll("listening", server);
    CHECK(connect(server, (struct sockaddr *)&address, length));

    /* Connecting completes when the connection is queued. */
    int client = stream_socket();
    print_poll("unconnected client", client);
    CHECK(connect(client, (struct sockaddr *)&address, length));
    print_poll("connected client", client);
    print_poll("listener with one pending", server);
    CHECK(write(client, "early", 5));
    print_peer("client's peer", client);
    print_name("client", client);

    /* Backlog 0 holds one connection: a non-blocking connect waits no
     * more. */
    int second = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    CHECK(connect(second, (struct sockaddr *)&address, length));
    close(second);

    memset(&peer, 0x55, sizeof peer);
    peer_length = sizeof peer;
    int accepted = accept4(server, (struct sockaddr *)&peer, &peer_length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    printf("accept4 = %s\n", accepted >= 0 ? "ok" : errno_name(errno));
    print_address("accepted from", &peer, peer_length);
    printf("accepted flags: nonblock %d cloexec %d\n", !!(fcntl(accepted, F_GETFL) & O_NONBLOCK),
           !!(fcntl(accepted, F_GETFD) & FD_CLOEXEC));
    print_name("accepted", accepted);
    print_peer("accepted's peer", accepted);
    CHECK(read(accepted, buffer, sizeof buffer));
    CHECK(read(accepted, buffer, sizeof buffer));
    CHECK(write(accepted, "reply", 5));
    CHECK(read(client, buffer, sizeof buffer));
    print_poll("listener drained", server);
    /* Linux waits for room in the backlog before it sees EISCONN. */
    CHECK(connect(client, (struct sockaddr *)&address, length));
    CHECK(accept4(server, NULL, NULL, 0x1234));

    /* A bound client shows its name to the accepted side. */
    int named = stream_socket();
    struct sockaddr_un client_address;
    socklen_t client_length = abstract_address(&client_address, "goose-client");
    CHECK(bind(named, (struct sockaddr *)&client_address, client_length));
    CHECK(connect(named, (struct sockaddr *)&address, length));
    peer_length = 3;
    memset(&peer, 0x55, sizeof peer);
    int accepted_named = accept(server, (struct sockaddr *)&peer, &peer_length);
    printf("accept with 3 bytes of room: %s, length %u, byte %d\n", accepted_named >= 0 ? "ok" : "failed",
           (unsigned)peer_length, peer.sun_path[0]);
    print_peer("accepted's peer", accepted_named);
    close(named);
    close(accepted_named);

    /* SO_PEERCRED: the listener's credentials for the client, the
     * client's for the accepted socket. */
    struct ucred credentials;
    socklen_t credentials_length = sizeof credentials;
    CHECK(getsockopt(client, SOL_SOCKET, SO_PEERCRED, &credentials, &credentials_length));
    printf("client's peer: pid is mine %d uid %d gid %d length %u\n", credentials.pid == getpid(),
           (int)credentials.uid, (int)credentials.gid, (unsigned)credentials_length);
    credentials_length = sizeof credentials;
    CHECK(getsockopt(accepted, SOL_SOCKET, SO_PEERCRED, &credentials, &credentials_length));
    printf("accepted's peer: pid is mine %d\n", credentials.pid == getpid());
    int lonely = stream_socket();
    credentials_length = sizeof credentials;
    CHECK(getsockopt(lonely, SOL_SOCKET, SO_PEERCRED, &credentials, &credentials_length));
    printf("unconnected: pid %d uid %d gid %d\n", credentials.pid, (int)credentials.uid, (int)credentials.gid);
    credentials_length = 4;
    CHECK(getsockopt(client, SOL_SOCKET, SO_PEERCRED, &credentials, &credentials_length));
    printf("4 bytes: length %u\n", (unsigned)credentials_length);
    close(lonely);
    close(client);
    close(accepted);

    /* A process blocked in accept wakes for a connection; one blocked in
     * connect on a full backlog wakes when the queue drains. */
    printf("-- blocking\n");
    CHECK(fcntl(server, F_SETFL, 0));
    int ready[2];
    CHECK(pipe(ready));
    pid_t child = fork();
    if (child == 0) {
        char byte;
        int first = stream_socket();
        if (connect(first, (struct sockaddr *)&address, length) < 0)
            _exit(1);
        /* The backlog (0) is full now: this one waits for the accept. */
        int waiting = stream_socket();
        if (write(ready[1], "c", 1) != 1)
            _exit(2);
        if (connect(waiting, (struct sockaddr *)&address, length) < 0)
            _exit(3);
        if (write(waiting, "second", 6) != 6 || write(first, "first", 5) != 5)
            _exit(4);
        /* Wait until the parent has read, then go. */
        if (read(first, &byte, 1) != 1)
            _exit(5);
        _exit(0);
    }
    CHECK(read(ready[0], buffer, 1));
    int one = accept(server, NULL, NULL);
    int two = accept(server, NULL, NULL);
    printf("accepted both: %d\n", one >= 0 && two >= 0);
    CHECK(read(one, buffer, 5));
    CHECK(read(two, buffer, 6));
    credentials_length = sizeof credentials;
    CHECK(getsockopt(one, SOL_SOCKET, SO_PEERCRED, &credentials, &credentials_length));
    printf("peer is the child %d\n", credentials.pid == child);
    CHECK(write(one, "x", 1));
    int status;
    CHECK_PID(waitpid(child, &status, 0), child);
    printf("child status %d\n", WEXITSTATUS(status));
    close(one);
    close(two);
    close(ready[0]);
    close(ready[1]);

    /* epoll sees a pending connection. */
    int epoll = epoll_create1(0);
    struct epoll_event event = { .events = EPOLLIN, .data.u32 = 7 };
    CHECK(epoll_ctl(epoll, EPOLL_CTL_ADD, server, &event));
    CHECK(epoll_wait(epoll, &event, 1, 0));
    client = stream_socket();
    CHECK(connect(client, (struct sockaddr *)&address, length));
    CHECK(epoll_wait(epoll, &event, 1, 0));
    printf("event %x data %u\n", event.events, event.data.u32);
    close(epoll);

    /* Closing a listener resets what it had queued. */
    printf("-- listener closed\n");
    CHECK(write(client, "lost", 4));
    close(server);
    print_poll("client of a closed listener", client);
    CHECK(read(client, buffer, sizeof buffer));
    CHECK(read(client, buffer, sizeof buffer));
    CHECK(send(client, "x", 1, MSG_NOSIGNAL));
    close(client);
    /* Its name remains, refusing. */
    client = stream_socket();
    CHECK(connect(client, (struct sockaddr *)&address, length));
    close(client);
    CHECK(unlink(DIR "/server"));
}

static void connect_errors(void)
{
    struct sockaddr_un address;
    socklen_t length;
    printf("-- connect errors\n");
    int s = stream_socket();
    length = path_address(&address, DIR "/nothing");
    CHECK(connect(s, (struct sockaddr *)&address, length));
    length = path_address(&address, DIR "/file");
    CHECK(connect(s, (struct sockaddr *)&address, length));
    length = path_address(&address, DIR "/file/x");
    CHECK(connect(s, (struct sockaddr *)&address, length));
    length = path_address(&address, DIR);
    CHECK(connect(s, (struct sockaddr *)&address, length));
    CHECK(mknod(DIR "/node", S_IFSOCK | 0666, 0));
    print_mode(DIR "/node");
    length = path_address(&address, DIR "/node");
    CHECK(connect(s, (struct sockaddr *)&address, length));
    length = abstract_address(&address, "goose-nobody");
    CHECK(connect(s, (struct sockaddr *)&address, length));
    CHECK(connect(s, (struct sockaddr *)&address, 1));
    CHECK(connect(s, (struct sockaddr *)&address, 2));
    CHECK(connect(s, (struct sockaddr *)&address, 111));
    address.sun_family = AF_INET;
    CHECK(connect(s, (struct sockaddr *)&address, length));

    /* A bound socket that does not listen refuses; a datagram socket
     * is the wrong type for a stream. */
    int bound = stream_socket();
    length = path_address(&address, DIR "/quiet");
    CHECK(bind(bound, (struct sockaddr *)&address, length));
    CHECK(connect(s, (struct sockaddr *)&address, length));
    int datagram = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un datagram_address;
    socklen_t datagram_length = path_address(&datagram_address, DIR "/datagram");
    CHECK(bind(datagram, (struct sockaddr *)&datagram_address, datagram_length));
    CHECK(connect(s, (struct sockaddr *)&datagram_address, datagram_length));
    CHECK(listen(datagram, 5));
    CHECK(accept(datagram, NULL, NULL));
    int pair[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, pair));
    CHECK(listen(pair[0], 5));
    CHECK(connect(pair[0], (struct sockaddr *)&address, length));
    close(pair[0]);
    close(pair[1]);
    close(bound);
    close(datagram);
    close(s);
    CHECK(unlink(DIR "/quiet"));
    CHECK(unlink(DIR "/datagram"));
    CHECK(unlink(DIR "/node"));
}

static void seqpacket(void)
{
    struct sockaddr_un address;
    socklen_t length = abstract_address(&address, "goose-seqpacket");
    char buffer[64];
    printf("-- seqpacket\n");
    int server = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    CHECK(bind(server, (struct sockaddr *)&address, length));
    CHECK(listen(server, 2));
    int client = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    CHECK(connect(client, (struct sockaddr *)&address, length));
    int stream = stream_socket();
    CHECK(connect(stream, (struct sockaddr *)&address, length));
    int accepted = accept(server, NULL, NULL);
    CHECK(send(client, "one", 3, 0));
    CHECK(send(client, "two", 3, 0));
    CHECK(recv(accepted, buffer, 2, 0));
    CHECK(recv(accepted, buffer, sizeof buffer, 0));
    print_peer("seqpacket client's peer", client);
    close(client);
    CHECK(recv(accepted, buffer, sizeof buffer, 0));
    close(accepted);
    close(stream);
    close(server);
}

static void datagrams(void)
{
    struct sockaddr_un address, from;
    socklen_t length, from_length;
    char buffer[64];
    printf("-- datagram\n");
    int server = socket(AF_UNIX, SOCK_DGRAM, 0);
    length = path_address(&address, DIR "/log");
    CHECK(bind(server, (struct sockaddr *)&address, length));
    int client = socket(AF_UNIX, SOCK_DGRAM, 0);
    CHECK(send(client, "x", 1, 0));
    CHECK(sendto(client, "hello", 5, 0, (struct sockaddr *)&address, length));
    memset(&from, 0x55, sizeof from);
    from_length = sizeof from;
    CHECK(recvfrom(server, buffer, sizeof buffer, 0, (struct sockaddr *)&from, &from_length));
    print_address("from an unbound sender", &from, from_length);

    struct sockaddr_un client_address;
    socklen_t client_length = abstract_address(&client_address, "goose-sender");
    CHECK(bind(client, (struct sockaddr *)&client_address, client_length));
    CHECK(sendto(client, "named", 5, 0, (struct sockaddr *)&address, length));
    from_length = sizeof from;
    CHECK(recvfrom(server, buffer, sizeof buffer, 0, (struct sockaddr *)&from, &from_length));
    print_address("from a named sender", &from, from_length);
    CHECK(sendto(server, "back", 4, 0, (struct sockaddr *)&from, from_length));
    from_length = sizeof from;
    CHECK(recvfrom(client, buffer, sizeof buffer, 0, (struct sockaddr *)&from, &from_length));
    print_address("reply from", &from, from_length);

    /* Errors of the destination. */
    struct sockaddr_un bad;
    socklen_t bad_length = path_address(&bad, DIR "/nothing");
    CHECK(sendto(client, "x", 1, 0, (struct sockaddr *)&bad, bad_length));
    bad_length = path_address(&bad, DIR "/file");
    CHECK(sendto(client, "x", 1, 0, (struct sockaddr *)&bad, bad_length));
    bad_length = abstract_address(&bad, "goose-nobody");
    CHECK(sendto(client, "x", 1, 0, (struct sockaddr *)&bad, bad_length));
    CHECK(sendto(client, "x", 1, 0, (struct sockaddr *)&bad, 1));
    int listener = stream_socket();
    bad_length = path_address(&bad, DIR "/stream");
    CHECK(bind(listener, (struct sockaddr *)&bad, bad_length));
    CHECK(listen(listener, 1));
    CHECK(sendto(client, "x", 1, 0, (struct sockaddr *)&bad, bad_length));
    CHECK(sendto(listener, "x", 1, 0, (struct sockaddr *)&address, length));
    close(listener);
    CHECK(unlink(DIR "/stream"));

    /* connect sets the default destination; AF_UNSPEC dissolves it. */
    CHECK(connect(client, (struct sockaddr *)&address, length));
    print_peer("connected datagram's peer", client);
    CHECK(write(client, "via write", 9));
    CHECK(send(client, "via send", 8, 0));
    CHECK(read(server, buffer, sizeof buffer));
    from_length = sizeof from;
    CHECK(recvfrom(server, buffer, sizeof buffer, 0, (struct sockaddr *)&from, &from_length));
    print_address("connected sender", &from, from_length);
    /* A socket connected elsewhere takes datagrams only from its peer. */
    int third = socket(AF_UNIX, SOCK_DGRAM, 0);
    CHECK(sendto(third, "x", 1, 0, (struct sockaddr *)&client_address, client_length));
    CHECK(connect(client, (struct sockaddr *)&(struct sockaddr){ .sa_family = AF_UNSPEC }, sizeof(struct sockaddr)));
    print_peer("after AF_UNSPEC", client);
    CHECK(send(client, "x", 1, 0));
    CHECK(sendto(third, "y", 1, 0, (struct sockaddr *)&client_address, client_length));
    CHECK(recv(client, buffer, sizeof buffer, MSG_DONTWAIT));
    close(third);

    /* The receiver's queue holds net.unix.max_dgram_qlen (10) + 1. */
    int count = 0;
    while (count < 100 && sendto(client, "q", 1, MSG_DONTWAIT, (struct sockaddr *)&address, length) == 1)
        count++;
    printf("queued %d, then %s\n", count, errno_name(errno));
    print_poll("full receiver", server);
    int flags = fcntl(server, F_GETFL);
    fcntl(server, F_SETFL, flags | O_NONBLOCK);
    int drained = 0;
    while (read(server, buffer, sizeof buffer) > 0)
        drained++;
    printf("drained %d\n", drained);
    fcntl(server, F_SETFL, flags);

    /* A blocking sender to a full queue waits for the reader. */
    for (int i = 0; i < count; i++)
        sendto(client, "q", 1, 0, (struct sockaddr *)&address, length);
    pid_t child = fork();
    if (child == 0) {
        _exit(sendto(client, "last", 4, 0, (struct sockaddr *)&address, length) == 4 ? 0 : 1);
    }
    for (int i = 0; i < count + 1; i++)
        if (read(server, buffer, sizeof buffer) < 0)
            printf("read failed\n");
    int status;
    CHECK_PID(waitpid(child, &status, 0), child);
    printf("child status %d, last %.4s\n", WEXITSTATUS(status), buffer);

    /* A closed receiver: its path refuses, a connected sender gets
     * ECONNREFUSED once, then ENOTCONN. */
    CHECK(connect(client, (struct sockaddr *)&address, length));
    close(server);
    CHECK(send(client, "x", 1, 0));
    CHECK(send(client, "x", 1, 0));
    CHECK(sendto(client, "x", 1, 0, (struct sockaddr *)&address, length));
    CHECK(unlink(DIR "/log"));
    close(client);
}

static void print_credentials(const char *what, int fd)
{
    char data[64];
    char control[CMSG_SPACE(sizeof(struct ucred)) + 16];
    struct iovec vector = { .iov_base = data, .iov_len = sizeof data };
    struct msghdr message = {
        .msg_iov = &vector, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control
    };
    ssize_t n = recvmsg(fd, &message, 0);
    if (n < 0) {
        printf("%s: recvmsg -1 %s\n", what, errno_name(errno));
        return;
    }
    printf("%s: %zd bytes, controllen %zu", what, n, (size_t)message.msg_controllen);
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
            struct ucred credentials;
            memcpy(&credentials, CMSG_DATA(c), sizeof credentials);
            printf(", credentials pid is mine %d uid %d gid %d", credentials.pid == getpid(),
                   (int)credentials.uid, (int)credentials.gid);
        } else {
            printf(", cmsg %d/%d", c->cmsg_level, c->cmsg_type);
        }
    }
    printf("\n");
}

static void credentials(void)
{
    struct sockaddr_un address;
    socklen_t length = abstract_address(&address, "goose-credentials");
    printf("-- credentials\n");
    int server = socket(AF_UNIX, SOCK_DGRAM, 0);
    CHECK(bind(server, (struct sockaddr *)&address, length));
    int client = socket(AF_UNIX, SOCK_DGRAM, 0);
    int on = 1, value = -1;
    socklen_t value_length = sizeof value;
    CHECK(getsockopt(server, SOL_SOCKET, SO_PASSCRED, &value, &value_length));
    printf("SO_PASSCRED %d\n", value);
    CHECK(sendto(client, "plain", 5, 0, (struct sockaddr *)&address, length));
    print_credentials("without SO_PASSCRED", server);
    CHECK(setsockopt(server, SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    value_length = sizeof value;
    CHECK(getsockopt(server, SOL_SOCKET, SO_PASSCRED, &value, &value_length));
    printf("SO_PASSCRED %d\n", value);
    CHECK(sendto(client, "implicit", 8, 0, (struct sockaddr *)&address, length));
    print_credentials("with SO_PASSCRED", server);

    /* Sent explicitly: checked against the sender, then delivered. */
    struct ucred mine = { .pid = getpid(), .uid = getuid(), .gid = getgid() };
    char control[CMSG_SPACE(sizeof mine)];
    memset(control, 0, sizeof control);
    struct iovec vector = { .iov_base = "explicit", .iov_len = 8 };
    struct msghdr message = {
        .msg_name = &address, .msg_namelen = length, .msg_iov = &vector, .msg_iovlen = 1,
        .msg_control = control, .msg_controllen = sizeof control
    };
    struct cmsghdr *c = CMSG_FIRSTHDR(&message);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_CREDENTIALS;
    c->cmsg_len = CMSG_LEN(sizeof mine);
    memcpy(CMSG_DATA(c), &mine, sizeof mine);
    CHECK(sendmsg(client, &message, 0));
    print_credentials("explicit", server);

    /* A sender with SO_PASSCRED is bound automatically. */
    CHECK(setsockopt(client, SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    CHECK(sendto(client, "autobound", 9, 0, (struct sockaddr *)&address, length));
    struct sockaddr_un name;
    socklen_t name_length = sizeof name;
    CHECK(getsockname(client, (struct sockaddr *)&name, &name_length));
    printf("sender's name length %u\n", (unsigned)name_length);
    print_credentials("from an autobound sender", server);
    close(client);

    /* A stream: the accepted socket asks for credentials. */
    int listener = stream_socket();
    struct sockaddr_un stream_address;
    socklen_t stream_length = abstract_address(&stream_address, "goose-credentials-stream");
    CHECK(bind(listener, (struct sockaddr *)&stream_address, stream_length));
    CHECK(listen(listener, 1));
    client = stream_socket();
    CHECK(connect(client, (struct sockaddr *)&stream_address, stream_length));
    int accepted = accept(listener, NULL, NULL);
    CHECK(setsockopt(accepted, SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    CHECK(write(client, "stream", 6));
    print_credentials("stream", accepted);
    int pair[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, pair));
    struct ucred peer;
    socklen_t peer_length = sizeof peer;
    CHECK(getsockopt(pair[0], SOL_SOCKET, SO_PEERCRED, &peer, &peer_length));
    printf("socketpair peer: pid is mine %d uid %d gid %d\n", peer.pid == getpid(), (int)peer.uid, (int)peer.gid);
    close(pair[0]);
    close(pair[1]);
    close(accepted);
    close(client);
    close(listener);
    close(server);
}

int main(void)
{
    umask(022);
    mkdir(DIR, 0755);
    int file = open(DIR "/file", O_CREAT | O_WRONLY, 0644);
    close(file);
    binding();
    listening();
    connect_errors();
    seqpacket();
    datagrams();
    credentials();
    unlink(DIR "/file");
    unlink(DIR "/a2");
    unlink(DIR "/cut");
    unlink(DIR "/tail");
    unlink(DIR "/private");
    char long_name[sizeof(DIR) + 110];
    memset(long_name, 0, sizeof long_name);
    strcpy(long_name, DIR "/");
    memset(long_name + strlen(long_name), 'p', 108);
    unlink(long_name);
    CHECK(rmdir(DIR));
    printf("done\n");
    return 0;
}
