/* /proc/net/tcp and /proc/net/udp, which netstat reads: listeners, an
 * established pair, bound and connected UDP sockets, in Linux's format
 * (fields as netstat -tuna shows them; inodes and ephemeral ports
 * vary, and are left out). */
#define _GNU_SOURCE
#include "check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in at(const char *address, int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, address, &a.sin_addr);
    return a;
}

static int by_text(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* The lines of `path` whose local port is 7770-7779: local, remote
 * (ephemeral ports as *), state, queues; sorted, as the order of
 * established sockets follows Linux's hashing of their ports. */
static void show(const char *path)
{
    static char lines[32][96];
    int count = 0;
    FILE *f = fopen(path, "r");
    char line[512];
    printf("%s:\n", path);
    if (!f || !fgets(line, sizeof line, f))
        return;
    printf("  header: %.60s\n", line);
    while (fgets(line, sizeof line, f) && count < 32) {
        unsigned local_address, local_port, remote_address, remote_port, state, tx, rx;
        if (sscanf(line, " %*d: %8X:%4X %8X:%4X %2X %8X:%8X", &local_address, &local_port, &remote_address,
                   &remote_port, &state, &tx, &rx) != 7)
            continue;
        if (local_port < 7770 || local_port > 7779)
            continue;
        /* UDP's receive queue is memory on Linux (960 bytes for a small
         * datagram), bytes on goose: only whether it is empty is shown. */
        char queue[16];
        if (strstr(path, "udp"))
            snprintf(queue, sizeof queue, "%s", rx ? "queued" : "0");
        else
            snprintf(queue, sizeof queue, "%X", rx);
        snprintf(lines[count++], sizeof lines[0], "%08X:%04X %08X:%s %02X %X:%s", local_address, local_port,
                 remote_address, remote_port >= 32768 ? "*" : "known", state, tx, queue);
    }
    fclose(f);
    qsort(lines, count, sizeof lines[0], by_text);
    for (int i = 0; i < count; i++)
        printf("  %s\n", lines[i]);
}

int main(void)
{
    int one = 1;
    int any = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = at("0.0.0.0", 7777);
    setsockopt(any, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    CHECK(bind(any, (struct sockaddr *)&a, sizeof a));
    CHECK(listen(any, 4));
    int local = socket(AF_INET, SOCK_STREAM, 0);
    a = at("127.0.0.1", 7776);
    setsockopt(local, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    CHECK(bind(local, (struct sockaddr *)&a, sizeof a));
    CHECK(listen(local, 4));
    int client = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(connect(client, (struct sockaddr *)&a, sizeof a));
    int server = accept(local, NULL, NULL);
    CHECK(write(client, "hello", 5));
    usleep(100 * 1000);
    /* A second client waits in the accept queue. */
    int waiting = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(connect(waiting, (struct sockaddr *)&a, sizeof a));

    int udp = socket(AF_INET, SOCK_DGRAM, 0);
    a = at("0.0.0.0", 7778);
    CHECK(bind(udp, (struct sockaddr *)&a, sizeof a));
    int connected = socket(AF_INET, SOCK_DGRAM, 0);
    a = at("127.0.0.1", 7779);
    CHECK(bind(connected, (struct sockaddr *)&a, sizeof a));
    a = at("127.0.0.1", 7778);
    CHECK(connect(connected, (struct sockaddr *)&a, sizeof a));
    CHECK(send(connected, "datagram", 8, 0));
    usleep(100 * 1000);

    show("/proc/net/tcp");
    show("/proc/net/udp");
    fflush(stdout);
    system("netstat -tln | grep Proto; netstat -tln | grep :777 | sort");
    system("netstat -uan | grep :777 | sort | sed 's/^udp *[0-9]* /udp queue /'");

    close(waiting);
    close(server);
    close(client);
    close(local);
    close(any);
    close(udp);
    close(connected);
    return 0;
}
