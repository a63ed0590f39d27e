//! Networking: the socket layer (`socket`, `syscalls`) and the address
//! families behind it. AF_INET runs on smoltcp (`stack`, `inet*`); AF_UNIX
//! lives in `unix*`.

// The constants and trait cover all families; some are used only by the
// families still being written (AF_UNIX, AF_INET).
#[allow(dead_code)]
pub mod socket;
pub mod syscalls;

use crate::error::Result;
use crate::return_errno;
use alloc::sync::Arc;
use socket::SocketOps;

/// A new socket of `domain`, `kind` (SOCK_* without flags) and `protocol`.
pub fn create(domain: i32, kind: i32, protocol: i32) -> Result<Arc<dyn SocketOps>> {
    let _ = (kind, protocol);
    // AF_UNIX: the unix-sockets branch plugs `unix::create` in here;
    // AF_INET: `inet::create`.
    let _ = domain;
    return_errno!(EAFNOSUPPORT)
}

/// socketpair(2): a connected pair; only AF_UNIX has them (EOPNOTSUPP
/// for other families, as Linux answers).
pub fn create_pair(domain: i32, kind: i32, protocol: i32) -> Result<(Arc<dyn SocketOps>, Arc<dyn SocketOps>)> {
    let _ = (kind, protocol);
    match domain as u16 {
        // AF_UNIX: the unix-sockets branch plugs `unix::create_pair` in here.
        socket::AF_INET => return_errno!(EOPNOTSUPP),
        _ => return_errno!(EAFNOSUPPORT),
    }
}
