//! The network interfaces as programs see them: names, indexes, flags,
//! MTU and hardware address of each link (`lo` is 1, the card `eth0` 2),
//! their IPv4 addresses and routes read from the stack. Netlink
//! (`netlink_socket`), the SIOCGIF* ioctls and /proc/net/dev all answer
//! from here, so they agree with each other.

use super::stack;
use abi::Errno;
use alloc::string::String;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};
use hal::sync::SpinLock;
use netlink::{Address, Change, Link, LinkStats, Route, System};
use smoltcp::wire::{IpAddress, IpCidr, Ipv4Address};

/// The links, by index order; `lo` always first.
static LINKS: SpinLock<Vec<Link>> = SpinLock::new(Vec::new());

/// The traffic counters of `lo` and `eth0`, kept apart from the table so
/// that the link device counts without a lock. Bytes are whole frames,
/// Ethernet header included, as Linux counts them (lo's too).
struct Counters {
    rx_packets: AtomicU64,
    rx_bytes: AtomicU64,
    tx_packets: AtomicU64,
    tx_bytes: AtomicU64,
    tx_dropped: AtomicU64,
}

impl Counters {
    const fn new() -> Counters {
        Counters {
            rx_packets: AtomicU64::new(0),
            rx_bytes: AtomicU64::new(0),
            tx_packets: AtomicU64::new(0),
            tx_bytes: AtomicU64::new(0),
            tx_dropped: AtomicU64::new(0),
        }
    }
}

static COUNTERS: [Counters; 2] = [const { Counters::new() }; 2];

/// The links the link device counts for.
#[derive(Clone, Copy)]
pub enum Counted {
    Loopback = 0,
    Card = 1,
}

/// Counts a frame of `bytes` received on `link`.
pub fn count_received(link: Counted, bytes: usize) {
    let counters = &COUNTERS[link as usize];
    counters.rx_packets.fetch_add(1, Ordering::Relaxed);
    counters.rx_bytes.fetch_add(bytes as u64, Ordering::Relaxed);
}

/// Counts a frame of `bytes` sent on `link`, or dropped on the way.
pub fn count_sent(link: Counted, bytes: usize, is_sent: bool) {
    let counters = &COUNTERS[link as usize];
    if is_sent {
        counters.tx_packets.fetch_add(1, Ordering::Relaxed);
        counters.tx_bytes.fetch_add(bytes as u64, Ordering::Relaxed);
    } else {
        counters.tx_dropped.fetch_add(1, Ordering::Relaxed);
    }
}

fn stats(counters: &Counters) -> LinkStats {
    LinkStats {
        rx_packets: counters.rx_packets.load(Ordering::Relaxed),
        rx_bytes: counters.rx_bytes.load(Ordering::Relaxed),
        tx_packets: counters.tx_packets.load(Ordering::Relaxed),
        tx_bytes: counters.tx_bytes.load(Ordering::Relaxed),
        tx_dropped: counters.tx_dropped.load(Ordering::Relaxed),
        ..LinkStats::default()
    }
}

pub const LOOPBACK_FLAGS: u32 =
    netlink::IFF_UP | netlink::IFF_LOOPBACK | netlink::IFF_RUNNING | netlink::IFF_LOWER_UP;
pub const ETHERNET_FLAGS: u32 = netlink::IFF_UP
    | netlink::IFF_BROADCAST
    | netlink::IFF_RUNNING
    | netlink::IFF_MULTICAST
    | netlink::IFF_LOWER_UP;

fn loopback() -> Link {
    Link {
        index: 1,
        name: String::from("lo"),
        kind: netlink::ARPHRD_LOOPBACK,
        flags: LOOPBACK_FLAGS,
        mtu: 65536,
        hardware: [0; 6],
        queue_length: 1000,
        stats: LinkStats::default(),
    }
}

/// Runs `f` on the link table, which always starts with `lo`.
fn with_links<R>(f: impl FnOnce(&mut Vec<Link>) -> R) -> R {
    let mut links = LINKS.lock();
    if links.is_empty() {
        links.push(loopback());
    }
    f(&mut links)
}

/// Records a card's link (`eth0`), numbered after those there are.
pub fn register(name: &str, kind: u16, flags: u32, mtu: u32, hardware: [u8; 6]) {
    with_links(|links| {
        let index = links.len() as u32 + 1;
        links.push(Link {
            index,
            name: String::from(name),
            kind,
            flags,
            mtu,
            hardware,
            queue_length: 1000,
            stats: LinkStats::default(),
        });
    });
}

/// The links as programs see them: RUNNING and LOWER_UP follow UP, as
/// dev_get_flags derives them from a running device with carrier.
pub fn links() -> Vec<Link> {
    let mut links = with_links(|links| links.clone());
    for link in &mut links {
        if let Some(counters) = (link.index as usize).checked_sub(1).and_then(|i| COUNTERS.get(i)) {
            link.stats = stats(counters);
        }
        let derived = netlink::IFF_RUNNING | netlink::IFF_LOWER_UP;
        if link.flags & netlink::IFF_UP != 0 {
            link.flags |= derived;
        } else {
            link.flags &= !derived;
        }
    }
    links
}

/// What was said when an address was added: its link (see `link_of`)
/// and broadcast address. Addresses configured at boot are not here.
struct Added {
    address: [u8; 4],
    index: u32,
    broadcast: Option<[u8; 4]>,
}

static ADDED: SpinLock<Vec<Added>> = SpinLock::new(Vec::new());

/// An address's IPv4 octets (smoltcp is built without IPv6 today, so
/// every address is IPv4; the match stays right if IPv6 is turned on).
#[allow(irrefutable_let_patterns)]
fn ipv4_octets(address: IpAddress) -> Option<[u8; 4]> {
    let IpAddress::Ipv4(address) = address else { return None };
    Some(address.octets())
}

/// The link an IPv4 address belongs to: the one it was added to, else
/// 127/8 is `lo` and anything else the first link that is not a loopback.
fn link_of(address: [u8; 4], links: &[Link]) -> Option<&Link> {
    let added = ADDED.lock().iter().find(|a| a.address == address).map(|a| a.index);
    if let Some(index) = added {
        return links.iter().find(|link| link.index == index);
    }
    if address[0] == 127 {
        return links.first();
    }
    links.iter().find(|link| link.kind != netlink::ARPHRD_LOOPBACK)
}

pub fn addresses() -> Vec<Address> {
    let links = links();
    let cidrs: Vec<IpCidr> = stack::with(|stack| stack.interface.ip_addrs().to_vec());
    cidrs
        .into_iter()
        .filter_map(|cidr| {
            let address = ipv4_octets(cidr.address())?;
            let link = link_of(address, &links)?;
            let scope = if address[0] == 127 { netlink::RT_SCOPE_HOST } else { netlink::RT_SCOPE_UNIVERSE };
            let added = ADDED.lock().iter().find(|a| a.address == address).map(|a| a.broadcast);
            let broadcast = match added {
                Some(broadcast) => broadcast,
                None if link.kind == netlink::ARPHRD_LOOPBACK => None,
                None => netlink::subnet_broadcast(address, cidr.prefix_len()),
            };
            let label = link.name.clone();
            Some(Address { index: link.index, address, prefix: cidr.prefix_len(), scope, label, broadcast })
        })
        .collect()
}

/// The main table: a link route for each address's subnet (as Linux adds
/// them, "proto kernel scope link src ...") and the default route.
pub fn routes() -> Vec<Route> {
    let links = links();
    let mut routes = Vec::new();
    let default_gateway = stack::with(|stack| stack.interface.routes_mut().get_default_ipv4_route())
        .and_then(|route| match route.via_router {
            IpAddress::Ipv4(via) => Some(via.octets()),
            #[allow(unreachable_patterns)]
            _ => None,
        });
    for address in addresses() {
        if address.address[0] == 127 {
            // Loopback's routes live in the local table, which `ip route`
            // does not show.
            continue;
        }
        let mask = if address.prefix == 0 { 0 } else { u32::MAX << (32 - address.prefix) };
        routes.push(Route {
            destination: (u32::from_be_bytes(address.address) & mask).to_be_bytes(),
            prefix: address.prefix,
            gateway: None,
            index: address.index,
            source: Some(address.address),
            table: netlink::RT_TABLE_MAIN,
            protocol: netlink::RTPROT_KERNEL,
            scope: netlink::RT_SCOPE_LINK,
            kind: netlink::RTN_UNICAST,
        });
    }
    if let Some(gateway) = default_gateway {
        let index = link_of(gateway, &links).map_or(1, |link| link.index);
        routes.insert(
            0,
            Route {
                destination: [0; 4],
                prefix: 0,
                gateway: Some(gateway),
                index,
                source: None,
                table: netlink::RT_TABLE_MAIN,
                protocol: netlink::RTPROT_BOOT,
                scope: netlink::RT_SCOPE_UNIVERSE,
                kind: netlink::RTN_UNICAST,
            },
        );
    }
    routes
}

/// Applies a change programs asked for.
pub fn apply(change: Change) -> Result<(), Errno> {
    use Errno::{EADDRNOTAVAIL, EEXIST, ENODEV, ENOSPC, ESRCH};
    match change {
        Change::LinkFlags { index, flags, mask } => with_links(|links| {
            let link = links.iter_mut().find(|link| link.index == index).ok_or(ENODEV)?;
            link.flags = (link.flags & !mask) | (flags & mask);
            Ok(())
        }),
        Change::AddAddress { address, is_exclusive } => {
            let mut added = ADDED.lock();
            added.retain(|a| a.address != address.address);
            added.push(Added {
                address: address.address,
                index: address.index,
                broadcast: address.broadcast,
            });
            drop(added);
            let cidr = IpCidr::new(IpAddress::Ipv4(Ipv4Address::from(address.address)), address.prefix);
            stack::with(|stack| {
                let mut result = Ok(());
                stack.interface.update_ip_addrs(|addresses| {
                    if let Some(existing) = addresses.iter().position(|a| a.address() == cidr.address()) {
                        if is_exclusive {
                            result = Err(EEXIST);
                        } else {
                            addresses[existing] = cidr;
                        }
                    } else if addresses.push(cidr).is_err() {
                        result = Err(ENOSPC);
                    }
                });
                if result.is_ok() {
                    stack.add_local_address(Ipv4Address::from(address.address));
                }
                result
            })
        }
        Change::RemoveAddress(address) => {
            let wanted = IpAddress::Ipv4(Ipv4Address::from(address.address));
            stack::with(|stack| {
                let mut result = Err(EADDRNOTAVAIL);
                stack.interface.update_ip_addrs(|addresses| {
                    if let Some(found) = addresses.iter().position(|a| a.address() == wanted) {
                        addresses.remove(found);
                        result = Ok(());
                    }
                });
                if result.is_ok() {
                    stack.remove_local_address(Ipv4Address::from(address.address));
                }
                result
            })
        }
        Change::AddRoute { route, is_exclusive } => {
            // smoltcp routes by gateway; a route without one is the link
            // route every address already has.
            let (Some(gateway), 0) = (route.gateway, route.prefix) else { return Ok(()) };
            stack::with(|stack| {
                let routes = stack.interface.routes_mut();
                if routes.get_default_ipv4_route().is_some() && is_exclusive {
                    return Err(EEXIST);
                }
                routes.add_default_ipv4_route(Ipv4Address::from(gateway)).map(|_| ()).map_err(|_| ENOSPC)
            })
        }
        Change::RemoveRoute(route) => {
            if route.prefix != 0 {
                return Err(ESRCH);
            }
            stack::with(|stack| match stack.interface.routes_mut().remove_default_ipv4_route() {
                Some(_) => Ok(()),
                None => Err(ESRCH),
            })
        }
    }
}

struct Kernel;

impl System for Kernel {
    fn links(&self) -> Vec<Link> {
        links()
    }
    fn addresses(&self) -> Vec<Address> {
        addresses()
    }
    fn routes(&self) -> Vec<Route> {
        routes()
    }
    fn apply(&mut self, change: Change) -> Result<(), Errno> {
        apply(change)
    }
}

/// The answers to a datagram sent to the kernel on a NETLINK_ROUTE socket.
pub fn answer_netlink(datagram: &[u8], port: u32, is_admin: bool) -> Vec<Vec<u8>> {
    netlink::handle(datagram, port, is_admin, &mut Kernel)
}
