/* ICMP echo through a raw socket, as ping does it as root: the kernel
 * adds the IPv4 header, the socket receives whole IPv4 packets (its own
 * request on loopback too), and the interface answers echo requests. */
#define _GNU_SOURCE
#include "check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static unsigned short checksum(const void *data, int length)
{
    const unsigned short *words = data;
    unsigned long sum = 0;
    for (; length > 1; length -= 2)
        sum += *words++;
    if (length)
        sum += *(const unsigned char *)words;
    sum = (sum >> 16) + (sum & 0xffff);
    sum += sum >> 16;
    return (unsigned short)~sum;
}

static void ping(int fd, const char *address, unsigned short sequence)
{
    struct sockaddr_in to = {.sin_family = AF_INET};
    inet_pton(AF_INET, address, &to.sin_addr);
    unsigned char message[64] = {0};
    struct icmphdr *icmp = (struct icmphdr *)message;
    icmp->type = ICMP_ECHO;
    icmp->un.echo.id = htons(0x1234);
    icmp->un.echo.sequence = htons(sequence);
    memcpy(message + sizeof *icmp, "goose ping payload", 18);
    icmp->checksum = checksum(message, sizeof message);
    printf("ping %s\n", address);
    CHECK(sendto(fd, message, sizeof message, 0, (struct sockaddr *)&to, sizeof to));
    /* Up to three packets: on loopback the request comes back first. */
    for (int i = 0; i < 3; i++) {
        unsigned char packet[256];
        struct sockaddr_in from;
        socklen_t length = sizeof from;
        ssize_t got = recvfrom(fd, packet, sizeof packet, 0, (struct sockaddr *)&from, &length);
        if (got < 0) {
            printf("  recvfrom: %s\n", errno_name(errno));
            return;
        }
        struct iphdr *ip = (struct iphdr *)packet;
        struct icmphdr *reply = (struct icmphdr *)(packet + ip->ihl * 4);
        char source[32];
        inet_ntop(AF_INET, &from.sin_addr, source, sizeof source);
        printf("  %zd bytes from %s: ihl %d protocol %d type %d id %#x seq %d payload %s\n", got, source, ip->ihl,
               ip->protocol, reply->type, ntohs(reply->un.echo.id), ntohs(reply->un.echo.sequence),
               memcmp((unsigned char *)reply + sizeof *reply, "goose ping payload", 18) == 0 ? "same" : "different");
        if (reply->type == ICMP_ECHOREPLY)
            return;
    }
}

int main(void)
{
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    CHECK_OK(fd);
    struct timeval second = {.tv_sec = 2};
    CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &second, sizeof second));
    ping(fd, "127.0.0.1", 1);
    ping(fd, "10.0.2.2", 2);
    CHECK(sendto(fd, "x", 1, 0, NULL, 0));
    CHECK(socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP));
    CHECK(socket(AF_INET, SOCK_RAW, 99));
    int value;
    socklen_t length = sizeof value;
    CHECK(getsockopt(fd, SOL_SOCKET, SO_TYPE, &value, &length));
    printf("type %d\n", value);
    CHECK(getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &value, &length));
    printf("protocol %d\n", value);
    CHECK(close(fd));
    return 0;
}
