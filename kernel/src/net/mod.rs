//! Networking: the socket layer (`socket`, `syscalls`) and the address
//! families behind it. AF_INET runs on smoltcp (`stack`, `inet*`); AF_UNIX
//! lives in `unix*`.

// The constants and trait cover all families; some are used only by the
// families still being written (AF_UNIX, AF_INET).
mod inet_address;
mod inet_tcp;
mod inet_udp;
mod link;
#[allow(dead_code)]
pub mod socket;
mod stack;
pub mod syscalls;

use crate::error::Result;
use crate::return_errno;
use alloc::sync::Arc;
use socket::SocketOps;

pub use stack::on_card_interrupt;

/// Brings up the stack at boot: `lo`, and `eth0` on the first virtio
/// network card if there is one, configured by `ip=` (`ip` is its value).
pub fn init(ip: Option<&str>) {
    let card = crate::drivers::virtio_net::VirtioNet::probe();
    stack::init(card, ip);
}

/// A new socket of `domain`, `kind` (SOCK_* without flags) and `protocol`.
pub fn create(domain: i32, kind: i32, protocol: i32) -> Result<Arc<dyn SocketOps>> {
    match domain as u16 {
        // AF_UNIX: the unix-sockets branch plugs `unix::create` in here.
        socket::AF_INET => match (kind, protocol) {
            (socket::SOCK_STREAM, 0 | 6) => Ok(inet_tcp::TcpSocket::new()),
            (socket::SOCK_DGRAM, 0 | 17) => Ok(inet_udp::UdpSocket::new()),
            (socket::SOCK_STREAM | socket::SOCK_DGRAM, _) => return_errno!(EPROTONOSUPPORT),
            _ => return_errno!(ESOCKTNOSUPPORT),
        },
        _ => return_errno!(EAFNOSUPPORT),
    }
}

/// socketpair(2): a connected pair; only AF_UNIX has them (EOPNOTSUPP
/// for other families, as Linux answers).
pub fn create_pair(
    domain: i32,
    kind: i32,
    protocol: i32,
) -> Result<(Arc<dyn SocketOps>, Arc<dyn SocketOps>)> {
    let _ = (kind, protocol);
    match domain as u16 {
        // AF_UNIX: the unix-sockets branch plugs `unix::create_pair` in here.
        socket::AF_INET => return_errno!(EOPNOTSUPP),
        _ => return_errno!(EAFNOSUPPORT),
    }
}
