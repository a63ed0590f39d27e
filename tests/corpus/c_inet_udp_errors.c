/* ICMP errors on UDP: a datagram to a port nobody listens on draws a
 * port unreachable, which a connected socket reports as ECONNREFUSED
 * (once: recv, send or SO_ERROR) and poll as POLLERR; an unconnected
 * socket hears nothing of it. */
#define _GNU_SOURCE
#include "check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in closed_port(void)
{
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(7411)};
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    return address;
}

static void show_poll(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN | POLLOUT};
    poll(&p, 1, 0);
    printf("  poll: %s%s%s\n", p.revents & POLLIN ? "POLLIN " : "", p.revents & POLLOUT ? "POLLOUT " : "",
           p.revents & POLLERR ? "POLLERR" : "");
}

static void so_error(int fd)
{
    int error = -1;
    socklen_t length = sizeof error;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
    printf("  SO_ERROR: %s\n", error ? errno_name(error) : "0");
}

int main(void)
{
    struct sockaddr_in address = closed_port();
    char byte = 'x';

    printf("connected:\n");
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(connect(s, (struct sockaddr *)&address, sizeof address));
    show_poll(s);
    CHECK(send(s, &byte, 1, 0));
    usleep(100 * 1000);
    show_poll(s);
    CHECK(recv(s, &byte, 1, 0));
    show_poll(s);
    CHECK(recv(s, &byte, 1, MSG_DONTWAIT));
    CHECK(send(s, &byte, 1, 0));
    usleep(100 * 1000);
    so_error(s);
    so_error(s);
    CHECK(send(s, &byte, 1, 0));
    usleep(100 * 1000);
    CHECK(send(s, &byte, 1, 0));
    CHECK(send(s, &byte, 1, 0));
    usleep(100 * 1000);
    /* Dissolving the association forgets nothing already reported. */
    struct sockaddr unspecified = {.sa_family = AF_UNSPEC};
    CHECK(connect(s, &unspecified, sizeof unspecified));
    so_error(s);
    CHECK(close(s));

    printf("unconnected:\n");
    s = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(sendto(s, &byte, 1, 0, (struct sockaddr *)&address, sizeof address));
    usleep(100 * 1000);
    show_poll(s);
    so_error(s);
    CHECK(recv(s, &byte, 1, MSG_DONTWAIT));
    CHECK(sendto(s, &byte, 1, 0, (struct sockaddr *)&address, sizeof address));
    CHECK(close(s));
    return 0;
}
