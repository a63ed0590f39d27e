//! rtnetlink (NETLINK_ROUTE) as Linux speaks it, for programs that ask the
//! kernel about its interfaces: `ip addr`, `ip link`, `ip route`, Go's
//! net.Interfaces, glibc's getaddrinfo(AI_ADDRCONFIG) and getifaddrs.
//!
//! Pure logic: [`handle`] takes one datagram a program sent, answers from
//! a [`System`] (the kernel's interfaces, addresses and routes) and returns
//! the datagrams to queue for the program to receive. Changes asked for
//! (link up, address add) go back to the system as [`Change`]s.
#![cfg_attr(not(test), no_std)]
#![deny(unsafe_code)]

extern crate alloc;

pub mod message;

use abi::Errno;
use abi::Errno::{EINVAL, ENODEV, EOPNOTSUPP, EPERM};
use alloc::string::String;
use alloc::vec::Vec;
use message::{attributes, split, u32_at, Header, Writer};

/// Message types (nlmsghdr.nlmsg_type).
pub const NLMSG_NOOP: u16 = 1;
pub const NLMSG_ERROR: u16 = 2;
pub const NLMSG_DONE: u16 = 3;
pub const RTM_NEWLINK: u16 = 16;
pub const RTM_DELLINK: u16 = 17;
pub const RTM_GETLINK: u16 = 18;
pub const RTM_SETLINK: u16 = 19;
pub const RTM_NEWADDR: u16 = 20;
pub const RTM_DELADDR: u16 = 21;
pub const RTM_GETADDR: u16 = 22;
pub const RTM_NEWROUTE: u16 = 24;
pub const RTM_DELROUTE: u16 = 25;
pub const RTM_GETROUTE: u16 = 26;
pub const RTM_GETNEIGH: u16 = 30;
pub const RTM_GETRULE: u16 = 34;
pub const RTM_GETQDISC: u16 = 38;
pub const RTM_GETNETCONF: u16 = 82;

/// nlmsghdr.nlmsg_flags.
pub const NLM_F_REQUEST: u16 = 0x1;
pub const NLM_F_MULTI: u16 = 0x2;
pub const NLM_F_ACK: u16 = 0x4;
pub const NLM_F_ROOT: u16 = 0x100;
pub const NLM_F_MATCH: u16 = 0x200;
pub const NLM_F_DUMP: u16 = NLM_F_ROOT | NLM_F_MATCH;
pub const NLM_F_EXCL: u16 = 0x200;
/// On an acknowledgement: the request's payload was left out.
pub const NLM_F_CAPPED: u16 = 0x100;

pub const AF_UNSPEC: u8 = 0;
pub const AF_INET: u8 = 2;

/// Interface flags (include/uapi/linux/if.h).
pub const IFF_UP: u32 = 0x1;
pub const IFF_BROADCAST: u32 = 0x2;
pub const IFF_LOOPBACK: u32 = 0x8;
pub const IFF_RUNNING: u32 = 0x40;
pub const IFF_MULTICAST: u32 = 0x1000;
pub const IFF_LOWER_UP: u32 = 0x10000;

/// Link types (ifinfomsg.ifi_type).
pub const ARPHRD_ETHER: u16 = 1;
pub const ARPHRD_LOOPBACK: u16 = 772;

/// Link attributes.
const IFLA_ADDRESS: u16 = 1;
const IFLA_BROADCAST: u16 = 2;
const IFLA_IFNAME: u16 = 3;
const IFLA_MTU: u16 = 4;
const IFLA_QDISC: u16 = 6;
const IFLA_STATS: u16 = 7;
const IFLA_TXQLEN: u16 = 13;
const IFLA_OPERSTATE: u16 = 16;
const IFLA_LINKMODE: u16 = 17;
const IFLA_STATS64: u16 = 23;
const IFLA_GROUP: u16 = 27;
const IFLA_PROMISCUITY: u16 = 30;
const IFLA_NUM_TX_QUEUES: u16 = 31;
const IFLA_NUM_RX_QUEUES: u16 = 32;
const IFLA_CARRIER: u16 = 33;

/// Address attributes.
const IFA_ADDRESS: u16 = 1;
const IFA_LOCAL: u16 = 2;
const IFA_LABEL: u16 = 3;
const IFA_BROADCAST: u16 = 4;
const IFA_CACHEINFO: u16 = 6;
const IFA_FLAGS: u16 = 8;
const IFA_F_PERMANENT: u32 = 0x80;

/// Route attributes and values.
const RTA_DST: u16 = 1;
const RTA_OIF: u16 = 4;
const RTA_GATEWAY: u16 = 5;
const RTA_PREFSRC: u16 = 7;
const RTA_TABLE: u16 = 15;
pub const RT_TABLE_MAIN: u8 = 254;
pub const RT_TABLE_LOCAL: u8 = 255;
pub const RTPROT_KERNEL: u8 = 2;
pub const RTPROT_BOOT: u8 = 3;
pub const RT_SCOPE_UNIVERSE: u8 = 0;
pub const RT_SCOPE_LINK: u8 = 253;
pub const RT_SCOPE_HOST: u8 = 254;
pub const RTN_UNICAST: u8 = 1;
pub const RTN_LOCAL: u8 = 2;

/// IF_OPER_UP and IF_OPER_UNKNOWN (what loopback reports).
const OPER_UP: u8 = 6;
const OPER_DOWN: u8 = 2;
const OPER_UNKNOWN: u8 = 0;

/// The most bytes one received datagram carries: a dump longer than this
/// is split between datagrams, never inside a message.
pub const DATAGRAM_BYTES: usize = 4096;

/// Counters of a link (rtnl_link_stats64's first eight fields).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkStats {
    pub rx_packets: u64,
    pub tx_packets: u64,
    pub rx_bytes: u64,
    pub tx_bytes: u64,
    pub rx_errors: u64,
    pub tx_errors: u64,
    pub rx_dropped: u64,
    pub tx_dropped: u64,
}

/// A network interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub index: u32,
    pub name: String,
    /// ARPHRD_*.
    pub kind: u16,
    /// IFF_*.
    pub flags: u32,
    pub mtu: u32,
    pub hardware: [u8; 6],
    pub queue_length: u32,
    pub stats: LinkStats,
}

/// An IPv4 address on an interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    pub index: u32,
    pub address: [u8; 4],
    pub prefix: u8,
    /// RT_SCOPE_HOST for loopback, RT_SCOPE_UNIVERSE otherwise.
    pub scope: u8,
    pub label: String,
    /// Loopback addresses have none.
    pub broadcast: Option<[u8; 4]>,
}

/// The subnet's broadcast address (none for /31 and /32).
pub fn subnet_broadcast(address: [u8; 4], prefix: u8) -> Option<[u8; 4]> {
    if prefix >= 31 {
        return None;
    }
    let host_bits = u32::MAX >> prefix;
    Some((u32::from_be_bytes(address) | host_bits).to_be_bytes())
}

/// An IPv4 route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub destination: [u8; 4],
    pub prefix: u8,
    pub gateway: Option<[u8; 4]>,
    /// The output interface.
    pub index: u32,
    pub source: Option<[u8; 4]>,
    pub table: u8,
    pub protocol: u8,
    pub scope: u8,
    pub kind: u8,
}

/// A change a program asked for (it needs CAP_NET_ADMIN).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// New flags for the bits in `mask` (IFF_UP to bring a link up).
    LinkFlags {
        index: u32,
        flags: u32,
        mask: u32,
    },
    AddAddress {
        address: Address,
        is_exclusive: bool,
    },
    RemoveAddress(Address),
    AddRoute {
        route: Route,
        is_exclusive: bool,
    },
    RemoveRoute(Route),
}

/// The kernel's side: what exists, and applying changes (an errno when a
/// change is refused: EEXIST, EADDRNOTAVAIL, ESRCH, ...).
pub trait System {
    fn links(&self) -> Vec<Link>;
    fn addresses(&self) -> Vec<Address>;
    fn routes(&self) -> Vec<Route>;
    fn apply(&mut self, change: Change) -> Result<(), Errno>;
}

/// RTM_MAX: types past it are EOPNOTSUPP before the permission check.
const RTM_MAX: u16 = 0x83;

/// Answers one datagram sent by the program bound to `port`. `is_admin`:
/// whether it may change things. Returns the datagrams it will receive.
pub fn handle(datagram: &[u8], port: u32, is_admin: bool, system: &mut dyn System) -> Vec<Vec<u8>> {
    let mut replies = Replies::default();
    for (header, payload) in split(datagram) {
        if header.flags & NLM_F_REQUEST == 0 || header.kind < RTM_NEWLINK {
            // Control messages and replies are not requests: ignored.
            continue;
        }
        let reply = Reply { header, port };
        match answer(&reply, payload, is_admin, system, &mut replies) {
            Ok(()) => {
                if header.flags & NLM_F_ACK != 0 {
                    replies.push_alone(reply.error(0, &[]));
                }
            }
            Err(errno) => replies.push_alone(reply.error(errno as i32, payload)),
        }
    }
    replies.finish()
}

/// Datagrams being filled: dumps pack messages up to DATAGRAM_BYTES.
#[derive(Default)]
struct Replies {
    datagrams: Vec<Vec<u8>>,
    current: Vec<u8>,
}

impl Replies {
    fn push_packed(&mut self, message: Vec<u8>) {
        if !self.current.is_empty() && self.current.len() + message.len() > DATAGRAM_BYTES {
            self.datagrams.push(core::mem::take(&mut self.current));
        }
        self.current.extend_from_slice(&message);
    }

    /// Ends the datagram being packed (after NLMSG_DONE).
    fn flush(&mut self) {
        if !self.current.is_empty() {
            self.datagrams.push(core::mem::take(&mut self.current));
        }
    }

    fn push_alone(&mut self, message: Vec<u8>) {
        self.flush();
        self.datagrams.push(message);
    }

    fn finish(mut self) -> Vec<Vec<u8>> {
        self.flush();
        self.datagrams
    }
}

/// Who a reply goes to: the request's sequence number and the port.
struct Reply {
    header: Header,
    port: u32,
}

impl Reply {
    fn writer(&self, kind: u16, flags: u16) -> Writer {
        Writer::new(kind, flags, self.header.sequence, self.port)
    }

    /// NLMSG_ERROR: `errno` 0 is an acknowledgement, which carries only
    /// the request's header; an error carries the whole request.
    fn error(&self, errno: i32, payload: &[u8]) -> Vec<u8> {
        let flags = if errno == 0 { NLM_F_CAPPED } else { 0 };
        let mut writer = self.writer(NLMSG_ERROR, flags);
        let mut body = (-errno).to_ne_bytes().to_vec();
        body.extend_from_slice(&self.header.to_bytes());
        if errno != 0 {
            body.extend_from_slice(payload);
        }
        writer.raw(&body);
        writer.finish()
    }

    fn done(&self) -> Vec<u8> {
        let mut writer = self.writer(NLMSG_DONE, NLM_F_MULTI);
        writer.raw(&0i32.to_ne_bytes());
        writer.finish()
    }
}

fn answer(
    reply: &Reply,
    payload: &[u8],
    is_admin: bool,
    system: &mut dyn System,
    replies: &mut Replies,
) -> Result<(), Errno> {
    let kind = reply.header.kind;
    if payload.is_empty() {
        // Shorter than an rtgenmsg: accepted and ignored (rtnetlink_rcv_msg).
        return Ok(());
    }
    let is_dump = reply.header.flags & NLM_F_DUMP == NLM_F_DUMP;
    if kind > RTM_MAX {
        return Err(EOPNOTSUPP);
    }
    // Everything but a GET needs CAP_NET_ADMIN (rtnetlink_rcv_msg).
    let is_change = kind & 3 != 2;
    if is_change && !is_admin {
        return Err(EPERM);
    }
    match kind {
        RTM_GETLINK if is_dump => {
            for link in system.links() {
                replies.push_packed(link_message(reply, &link, NLM_F_MULTI));
            }
        }
        RTM_GETLINK => {
            let link = find_link(system, payload)?;
            replies.push_alone(link_message(reply, &link, 0));
            return Ok(());
        }
        RTM_GETADDR if is_dump => {
            let family = payload.first().copied().unwrap_or(AF_UNSPEC);
            if family == AF_UNSPEC || family == AF_INET {
                for address in system.addresses() {
                    replies.push_packed(address_message(reply, &address));
                }
            }
        }
        RTM_GETROUTE if is_dump => {
            let family = payload.first().copied().unwrap_or(AF_UNSPEC);
            if family == AF_UNSPEC || family == AF_INET {
                for route in system.routes() {
                    replies.push_packed(route_message(reply, &route));
                }
            }
        }
        // Nothing of these to report: an empty dump.
        RTM_GETNEIGH | RTM_GETRULE | RTM_GETQDISC | RTM_GETNETCONF if is_dump => {}
        RTM_NEWLINK | RTM_SETLINK => {
            let link = find_link(system, payload)?;
            let flags = u32_at(payload, 8);
            let mask = match u32_at(payload, 12) {
                // ifi_change 0 means every flag, for old programs.
                0 => u32::MAX,
                mask => mask,
            };
            return system.apply(Change::LinkFlags { index: link.index, flags, mask: mask & IFF_UP });
        }
        RTM_NEWADDR | RTM_DELADDR => {
            let address = parse_address(system, payload)?;
            return system.apply(if kind == RTM_NEWADDR {
                Change::AddAddress { address, is_exclusive: reply.header.flags & NLM_F_EXCL != 0 }
            } else {
                Change::RemoveAddress(address)
            });
        }
        RTM_NEWROUTE | RTM_DELROUTE => {
            let route = parse_route(payload)?;
            return system.apply(if kind == RTM_NEWROUTE {
                Change::AddRoute { route, is_exclusive: reply.header.flags & NLM_F_EXCL != 0 }
            } else {
                Change::RemoveRoute(route)
            });
        }
        _ => return Err(EOPNOTSUPP),
    }
    replies.push_packed(reply.done());
    replies.flush();
    Ok(())
}

/// The link an ifinfomsg names, by index or by IFLA_IFNAME.
fn find_link(system: &dyn System, payload: &[u8]) -> Result<Link, Errno> {
    if payload.len() < 16 {
        return Err(EINVAL);
    }
    let index = u32_at(payload, 4);
    let name = attributes(&payload[16..])
        .into_iter()
        .find(|(kind, _)| *kind == IFLA_IFNAME)
        .map(|(_, value)| value.split(|&b| b == 0).next().unwrap_or(&[]));
    system
        .links()
        .into_iter()
        .find(|link| {
            if index != 0 {
                link.index == index
            } else {
                name.is_some_and(|name| name == link.name.as_bytes())
            }
        })
        .ok_or(ENODEV)
}

fn ipv4(value: &[u8]) -> Option<[u8; 4]> {
    value.try_into().ok()
}

/// An ifaddrmsg with IFA_LOCAL (or IFA_ADDRESS) for an IPv4 address.
fn parse_address(system: &dyn System, payload: &[u8]) -> Result<Address, Errno> {
    if payload.len() < 8 || payload[0] != AF_INET || payload[1] > 32 {
        return Err(if payload.len() < 8 { EINVAL } else { EOPNOTSUPP });
    }
    let index = u32_at(payload, 4);
    let link = system.links().into_iter().find(|link| link.index == index).ok_or(ENODEV)?;
    let found = attributes(&payload[8..]);
    let value = |wanted: u16| found.iter().find(|(kind, _)| *kind == wanted).and_then(|(_, v)| ipv4(v));
    let address = value(IFA_LOCAL).or_else(|| value(IFA_ADDRESS)).ok_or(EINVAL)?;
    let label = found
        .iter()
        .find(|(kind, _)| *kind == IFA_LABEL)
        .and_then(|(_, v)| core::str::from_utf8(v.split(|&b| b == 0).next().unwrap_or(&[])).ok())
        .map_or_else(|| link.name.clone(), String::from);
    let scope = if address[0] == 127 { RT_SCOPE_HOST } else { payload[3] };
    // Only what was asked for: `ip addr add` gives no broadcast without `brd`.
    let broadcast = value(IFA_BROADCAST);
    Ok(Address { index, address, prefix: payload[1], scope, label, broadcast })
}

/// An rtmsg for an IPv4 route.
fn parse_route(payload: &[u8]) -> Result<Route, Errno> {
    if payload.len() < 12 {
        return Err(EINVAL);
    }
    if payload[0] != AF_INET || payload[1] > 32 {
        return Err(EOPNOTSUPP);
    }
    let mut route = Route {
        destination: [0; 4],
        prefix: payload[1],
        gateway: None,
        index: 0,
        source: None,
        table: if payload[4] == 0 { RT_TABLE_MAIN } else { payload[4] },
        protocol: payload[5],
        scope: payload[6],
        kind: payload[7],
    };
    for (kind, value) in attributes(&payload[12..]) {
        match kind {
            RTA_DST => route.destination = ipv4(value).ok_or(EINVAL)?,
            RTA_GATEWAY => route.gateway = Some(ipv4(value).ok_or(EINVAL)?),
            RTA_PREFSRC => route.source = Some(ipv4(value).ok_or(EINVAL)?),
            RTA_OIF if value.len() == 4 => route.index = u32_at(value, 0),
            _ => {}
        }
    }
    Ok(route)
}

fn link_message(reply: &Reply, link: &Link, flags: u16) -> Vec<u8> {
    let mut writer = reply.writer(RTM_NEWLINK, flags);
    let mut header = [0u8; 16];
    header[2..4].copy_from_slice(&link.kind.to_ne_bytes());
    header[4..8].copy_from_slice(&link.index.to_ne_bytes());
    header[8..12].copy_from_slice(&link.flags.to_ne_bytes());
    writer.raw(&header);
    let is_loopback = link.kind == ARPHRD_LOOPBACK;
    let is_up = link.flags & IFF_UP != 0;
    let operstate = match (is_loopback, is_up) {
        (true, _) => OPER_UNKNOWN,
        (false, true) => OPER_UP,
        (false, false) => OPER_DOWN,
    };
    let broadcast = if is_loopback { [0; 6] } else { [0xff; 6] };
    let stats = link.stats;
    let counters = [
        stats.rx_packets,
        stats.tx_packets,
        stats.rx_bytes,
        stats.tx_bytes,
        stats.rx_errors,
        stats.tx_errors,
        stats.rx_dropped,
        stats.tx_dropped,
    ];
    // rtnl_link_stats: 24 u32 counters; rtnl_link_stats64: 24 u64 (26 on
    // newer kernels; programs read the first ones).
    let mut stats32 = [0u8; 24 * 4];
    let mut stats64 = [0u8; 24 * 8];
    for (index, counter) in counters.iter().enumerate() {
        stats32[index * 4..index * 4 + 4].copy_from_slice(&(*counter as u32).to_ne_bytes());
        stats64[index * 8..index * 8 + 8].copy_from_slice(&counter.to_ne_bytes());
    }
    writer
        .string(IFLA_IFNAME, &link.name)
        .u32(IFLA_TXQLEN, link.queue_length)
        .u8(IFLA_OPERSTATE, operstate)
        .u8(IFLA_LINKMODE, 0)
        .u32(IFLA_MTU, link.mtu)
        .u32(IFLA_GROUP, 0)
        .u32(IFLA_PROMISCUITY, 0)
        .u32(IFLA_NUM_TX_QUEUES, 1)
        .u32(IFLA_NUM_RX_QUEUES, 1)
        .u8(IFLA_CARRIER, u8::from(is_up))
        .string(IFLA_QDISC, if is_loopback { "noqueue" } else { "pfifo_fast" })
        .attribute(IFLA_STATS64, &stats64)
        .attribute(IFLA_STATS, &stats32)
        .attribute(IFLA_ADDRESS, &link.hardware)
        .attribute(IFLA_BROADCAST, &broadcast);
    writer.finish()
}

fn address_message(reply: &Reply, address: &Address) -> Vec<u8> {
    let mut writer = reply.writer(RTM_NEWADDR, NLM_F_MULTI);
    let mut header = [AF_INET, address.prefix, IFA_F_PERMANENT as u8, address.scope, 0, 0, 0, 0];
    header[4..8].copy_from_slice(&address.index.to_ne_bytes());
    writer.raw(&header);
    writer.attribute(IFA_ADDRESS, &address.address).attribute(IFA_LOCAL, &address.address);
    if let Some(broadcast) = address.broadcast {
        writer.attribute(IFA_BROADCAST, &broadcast);
    }
    // ifa_cacheinfo: preferred and valid lifetimes forever.
    let mut cache = [0u8; 16];
    cache[0..4].copy_from_slice(&u32::MAX.to_ne_bytes());
    cache[4..8].copy_from_slice(&u32::MAX.to_ne_bytes());
    writer.string(IFA_LABEL, &address.label).u32(IFA_FLAGS, IFA_F_PERMANENT).attribute(IFA_CACHEINFO, &cache);
    writer.finish()
}

fn route_message(reply: &Reply, route: &Route) -> Vec<u8> {
    let mut writer = reply.writer(RTM_NEWROUTE, NLM_F_MULTI);
    let header =
        [AF_INET, route.prefix, 0, 0, route.table, route.protocol, route.scope, route.kind, 0, 0, 0, 0];
    writer.raw(&header).u32(RTA_TABLE, route.table as u32);
    if route.prefix > 0 {
        writer.attribute(RTA_DST, &route.destination);
    }
    if let Some(source) = route.source {
        writer.attribute(RTA_PREFSRC, &source);
    }
    if let Some(gateway) = route.gateway {
        writer.attribute(RTA_GATEWAY, &gateway);
    }
    writer.u32(RTA_OIF, route.index);
    writer.finish()
}

#[cfg(test)]
mod tests;
