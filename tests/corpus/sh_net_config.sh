# Interface configuration as busybox's ip, ifconfig and route do it:
# netlink dumps and changes, the SIOC* ioctls and /proc/net. Only the
# loopback and IPv4 are shown (Linux also lists IPv6 addresses).
ip -4 addr show lo
ip link show lo
ifconfig lo | grep -v -e inet6 -e packets -e bytes
ip link set lo down
ip link show lo
ifconfig lo | grep -o -e UP -e RUNNING
ip link set lo up
ip link show lo
ip addr add 10.9.0.1/24 dev lo
ip -4 addr show lo
ping -c 1 -q 10.9.0.1 | grep transmitted
ip addr add 10.9.0.1/24 dev lo; echo "add again: $?"
ip addr del 10.9.0.1/24 dev lo
ip -4 addr show lo
ip addr del 10.9.0.1/24 dev lo; echo "del again: $?"
ip link show nosuch; echo "missing link: $?"
ip addr add 10.9.0.1/24 dev nosuch; echo "missing dev: $?"
ifconfig nosuch; echo "ifconfig missing: $?"
ifconfig lo:1 >/dev/null 2>&1; echo "alias: $?"
head -2 /proc/net/dev
grep -c 'lo:' /proc/net/dev
head -1 /proc/net/route | cut -c1-60
[ -L /proc/net ] && echo "/proc/net is a link to $(readlink /proc/net)"
# lo's counters in /proc/net/dev: two pings are two requests and two
# replies, each sent and received on lo.
lo_packets() { awk -v column=$1 '$1 == "lo:" { print $column }' /proc/net/dev; }
rx=$(lo_packets 3); tx=$(lo_packets 11)
ping -c 2 -q 127.0.0.1 | grep transmitted
echo "lo received $(( $(lo_packets 3) - rx )) packets, sent $(( $(lo_packets 11) - tx ))"
ping -c 1 -q 10.0.2.2 | grep transmitted
ping -c 1 -q 10.0.2.15 | grep transmitted
