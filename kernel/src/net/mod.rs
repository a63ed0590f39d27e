//! Networking: the socket layer (`socket`, `syscalls`, `message_syscalls`)
//! and the address families behind it. AF_INET runs on smoltcp (`stack`,
//! `inet*`); AF_UNIX lives in `unix*`.

mod inet_address;
mod inet_raw;
mod inet_tcp;
mod inet_tcp_options;
mod inet_udp;
mod interface_ioctl;
pub mod interfaces;
mod link;
pub mod message_syscalls;
pub mod netlink_socket;
pub mod proc_sockets;
pub mod socket;
pub mod socket_options;
pub mod sockstat;
pub mod stack;
pub mod syscalls;
mod unix_address;
pub mod unix_connection;
mod unix_datagram;
mod unix_listener;
mod unix_names;
pub mod unix_socket;

use crate::error::Result;
use crate::return_errno;
use alloc::sync::Arc;
use socket::{SocketOps, AF_INET, AF_INET6, AF_UNIX, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET, SOCK_STREAM};
use unix_socket::{SocketType, UnixSocket};

pub use stack::on_card_interrupt;

/// Brings up the stack at boot: `lo`, and `eth0` on the first virtio
/// network card if there is one, configured by `ip=` (`ip` is its value).
pub fn init(ip: Option<&str>) {
    let card = crate::drivers::virtio_net::VirtioNet::probe();
    stack::init(card, ip);
}

/// AF_MAX: families past it are EAFNOSUPPORT before anything else.
const AF_MAX: i32 = 46;
/// SOCK_MAX: types past it are EINVAL (__sock_create).
const SOCK_MAX: i32 = 11;

/// The checks __sock_create makes before it asks the family.
fn check_family_and_type(domain: i32, kind: i32) -> Result<()> {
    if !(0..AF_MAX).contains(&domain) {
        return_errno!(EAFNOSUPPORT);
    }
    if !(0..SOCK_MAX).contains(&kind) {
        return_errno!(EINVAL);
    }
    Ok(())
}

/// An AF_UNIX type and protocol, as unix_create checks them.
fn unix_type(kind: i32, protocol: i32) -> Result<SocketType> {
    if protocol != 0 && protocol != AF_UNIX as i32 {
        return_errno!(EPROTONOSUPPORT);
    }
    match kind {
        SOCK_STREAM => Ok(SocketType::Stream),
        // SOCK_RAW is taken as SOCK_DGRAM (unix_create).
        SOCK_DGRAM | SOCK_RAW => Ok(SocketType::Datagram),
        SOCK_SEQPACKET => Ok(SocketType::SeqPacket),
        _ => return_errno!(ESOCKTNOSUPPORT),
    }
}

/// A new socket of `domain`, `kind` (SOCK_* without flags) and `protocol`.
pub fn create(domain: i32, kind: i32, protocol: i32) -> Result<Arc<dyn SocketOps>> {
    check_family_and_type(domain, kind)?;
    match domain as u16 {
        AF_UNIX => Ok(UnixSocket::new(unix_type(kind, protocol)?)),
        AF_INET => match (kind, protocol) {
            (SOCK_STREAM, 0 | 6) => Ok(inet_tcp::TcpSocket::new()),
            (SOCK_DGRAM, 0 | 17) => Ok(inet_udp::UdpSocket::new()),
            // Ping sockets: net.ipv4.ping_group_range is "1 0" by
            // default, which lets no group in.
            (SOCK_DGRAM, inet_raw::IPPROTO_ICMP) => return_errno!(EACCES),
            (SOCK_RAW, _) => Ok(inet_raw::RawSocket::new(protocol)?),
            (SOCK_STREAM | SOCK_DGRAM, _) => return_errno!(EPROTONOSUPPORT),
            _ => return_errno!(ESOCKTNOSUPPORT),
        },
        netlink_socket::AF_NETLINK => Ok(netlink_socket::NetlinkSocket::new(kind, protocol)?),
        _ => return_errno!(EAFNOSUPPORT),
    }
}

/// socketpair(2): a connected pair; only AF_UNIX has them (EOPNOTSUPP
/// for the internet families, as Linux answers).
pub fn create_pair(
    domain: i32,
    kind: i32,
    protocol: i32,
) -> Result<(Arc<dyn SocketOps>, Arc<dyn SocketOps>)> {
    check_family_and_type(domain, kind)?;
    match domain as u16 {
        AF_UNIX => {
            let (first, second) = UnixSocket::new_pair(unix_type(kind, protocol)?);
            Ok((first, second))
        }
        netlink_socket::AF_NETLINK => {
            netlink_socket::NetlinkSocket::new(kind, protocol)?;
            return_errno!(EOPNOTSUPP)
        }
        AF_INET | AF_INET6 => {
            // The type is checked as for any socket first.
            unix_type(kind, 0)?;
            return_errno!(EOPNOTSUPP)
        }
        _ => return_errno!(EAFNOSUPPORT),
    }
}

/// A socket queue's storage: `length` copies of `value` (zero bytes, or
/// empty datagram slots); ENOBUFS when memory cannot be had (Linux's
/// answer when socket memory runs out), not a kernel panic.
pub(crate) fn socket_buffer<T: Clone>(length: usize, value: T) -> crate::error::Result<alloc::vec::Vec<T>> {
    let mut buffer = alloc::vec::Vec::new();
    buffer.try_reserve_exact(length).map_err(|_| abi::Errno::ENOBUFS)?;
    buffer.resize(length, value);
    Ok(buffer)
}
