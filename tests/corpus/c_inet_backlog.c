/* A full accept queue: clients that connect while a listener with
 * backlog 1 is not accepting are not refused; their SYNs wait (Linux
 * drops them and the clients send them again) until the server accepts.
 * Every client gets through and the server keeps running. */
#define _GNU_SOURCE
#include "check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define CLIENTS 6

int main(void)
{
    int server = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(7310)};
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    int one = 1;
    setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    CHECK(bind(server, (struct sockaddr *)&address, sizeof address));
    CHECK(listen(server, 1));
    for (int i = 0; i < CLIENTS; i++) {
        if (fork() == 0) {
            close(server);
            int client = socket(AF_INET, SOCK_STREAM, 0);
            if (connect(client, (struct sockaddr *)&address, sizeof address) != 0)
                _exit(10 + errno);
            char byte = 'x';
            if (write(client, &byte, 1) != 1 || read(client, &byte, 1) != 1)
                _exit(2);
            _exit(byte == 'y' ? 0 : 3);
        }
    }
    /* Not accepting for a while: the queue fills and SYNs are dropped. */
    usleep(500 * 1000);
    int served = 0;
    while (served < CLIENTS) {
        int connection = accept(server, NULL, NULL);
        if (connection < 0) {
            printf("accept: %s\n", errno_name(errno));
            break;
        }
        char byte;
        if (read(connection, &byte, 1) == 1 && byte == 'x')
            write(connection, "y", 1);
        close(connection);
        served++;
    }
    printf("served %d\n", served);
    int succeeded = 0;
    for (int i = 0; i < CLIENTS; i++) {
        int status;
        wait(&status);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            succeeded++;
        else
            printf("a client failed: status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    printf("clients that got through: %d of %d\n", succeeded, CLIENTS);
    CHECK(close(server));
    return 0;
}
