#!/bin/sh
# The guest side of the network acceptance tests and `cargo xtask bench
# net` (written into the image by xtask/src/net_guest.rs; /init runs it
# after rcS). It configures eth0 as QEMU's user network expects
# (10.0.2.15/24, gateway 10.0.2.2), starts redis-server, nginx and the Go
# net/http server, waits until each answers on 127.0.0.1, and prints
#     @@@ net ready NAME     or     @@@ net failed NAME: WHY
# per server, then `@@@ net started`. The host drives the servers through
# its port forwards after that line and powers the machine off itself.

# How many 0.1 s polls a server gets to start listening (30 s).
polls=300

ifconfig lo 127.0.0.1 up 2>/dev/null
# goose configures eth0 from ip= on its command line; Debian's Linux has no
# IP autoconfiguration (CONFIG_IP_PNP is off) and virtio_net is a module.
if ! ifconfig eth0 2>/dev/null | grep -q 'inet addr:10.0.2.15 '; then
    ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up || echo "@@@ net setup failed: ifconfig eth0"
    route add default gw 10.0.2.2 || echo "@@@ net setup failed: route add default"
fi

# wait_until NAME PID COMMAND...: polls COMMAND until it succeeds, giving
# up when process PID (the server) has exited.
wait_until() {
    name=$1
    pid=$2
    shift 2
    i=0
    while [ $i -lt $polls ]; do
        if "$@" >/dev/null 2>&1; then
            echo "@@@ net ready $name"
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid"
            echo "@@@ net failed $name: exited with status $?"
            return 1
        fi
        sleep 0.1
        i=$((i + 1))
    done
    echo "@@@ net failed $name: not answering after $((polls / 10)) s"
    return 1
}

redis_pings() {
    [ "$(redis-cli -h 127.0.0.1 -p 6379 ping)" = PONG ]
}

redis-server --port 6379 --bind 0.0.0.0 --protected-mode no --save '' --appendonly no \
    --daemonize no --loglevel warning </dev/null &
wait_until redis $! redis_pings

mkdir -p /tmp/nginx
nginx -e stderr -c /goose-net/nginx.conf </dev/null &
wait_until nginx $! wget -q -O /dev/null http://127.0.0.1:80/file-4k

/goose-net/http_server 8080 </dev/null &
wait_until go-http $! wget -q -O /dev/null http://127.0.0.1:8080/

echo "@@@ net started"
# The servers run until the host kills QEMU.
wait
echo "@@@ net servers exited"
