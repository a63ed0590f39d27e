/* Many TCP connections open at once: 400 pairs over loopback (801
 * descriptors, under the default limit of 1024) all get through, data
 * moves on the last one, and once they are closed new ones still work.
 * Each goose socket has 128 KiB of buffers: they come from the page
 * allocator, not the kernel heap, which would hold only a few hundred. */
#define _GNU_SOURCE
#include "check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#define PAIRS 400

static struct sockaddr_in address;

static int connect_one(void)
{
    int client = socket(AF_INET, SOCK_STREAM, 0);
    if (client < 0)
        return -1;
    if (connect(client, (struct sockaddr *)&address, sizeof address) != 0) {
        int saved = errno;
        close(client);
        errno = saved;
        return -1;
    }
    return client;
}

int main(void)
{
    static int clients[PAIRS], servers[PAIRS];
    address.sin_family = AF_INET;
    address.sin_port = htons(7420);
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(bind(listener, (struct sockaddr *)&address, sizeof address));
    CHECK(listen(listener, 16));
    int open_pairs = 0;
    for (int i = 0; i < PAIRS; i++) {
        clients[i] = connect_one();
        if (clients[i] < 0) {
            printf("connect %d: %s\n", i, errno_name(errno));
            break;
        }
        servers[i] = accept(listener, NULL, NULL);
        if (servers[i] < 0) {
            printf("accept %d: %s\n", i, errno_name(errno));
            close(clients[i]);
            break;
        }
        open_pairs++;
    }
    printf("open pairs: %d\n", open_pairs);
    if (open_pairs > 0) {
        char byte = 'x';
        int last = open_pairs - 1;
        if (write(clients[last], &byte, 1) == 1 && read(servers[last], &byte, 1) == 1)
            printf("data on the last pair: %c\n", byte);
    }
    for (int i = 0; i < open_pairs; i++) {
        close(clients[i]);
        close(servers[i]);
    }
    int client = connect_one();
    int server = client >= 0 ? accept(listener, NULL, NULL) : -1;
    printf("a new connection after closing them: %s\n", client >= 0 && server >= 0 ? "ok" : errno_name(errno));
    close(client);
    close(server);
    CHECK(close(listener));
    return 0;
}
