//! sockaddr_un (unix(7)): parsing what bind, connect and sendto are given
//! into a [`UnixName`], and the bytes getsockname, getpeername, accept and
//! recvfrom give back.

use super::socket::AF_UNIX;
use crate::error::Result;
use crate::return_errno;
use alloc::vec::Vec;

/// offsetof(struct sockaddr_un, sun_path).
pub const PATH_OFFSET: usize = 2;
/// sizeof(struct sockaddr_un).
const MAX_LENGTH: usize = PATH_OFFSET + 108;

/// A bound name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnixName {
    /// A file system path, without its terminating NUL.
    Path(Vec<u8>),
    /// An abstract name: the bytes after the leading NUL, exactly as
    /// long as the address given (NULs included).
    Abstract(Vec<u8>),
}

/// What bind(2) was asked for.
pub enum BindRequest {
    Name(UnixName),
    /// Only the family: pick an abstract name (autobind).
    Automatic,
}

impl UnixName {
    /// The sockaddr_un bytes: a path counts its NUL (unix_bind_bsd sets
    /// the length to strlen + 1, even past sizeof(sockaddr_un) for a
    /// path of all 108 bytes); an abstract name its exact length.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = AF_UNIX.to_ne_bytes().to_vec();
        match self {
            UnixName::Path(path) => {
                bytes.extend_from_slice(path);
                bytes.push(0);
            }
            UnixName::Abstract(name) => {
                bytes.push(0);
                bytes.extend_from_slice(name);
            }
        }
        bytes
    }
}

/// The name of a socket that has none (length 2, the family only).
pub fn unnamed() -> Vec<u8> {
    AF_UNIX.to_ne_bytes().to_vec()
}

/// A destination or a name to bind (unix_validate_addr): EINVAL for a
/// length of at most the family or past sizeof(sockaddr_un), or another
/// family. A path ends at its first NUL (unix_mkname_bsd).
pub fn parse(bytes: &[u8]) -> Result<UnixName> {
    if bytes.len() <= PATH_OFFSET || bytes.len() > MAX_LENGTH {
        return_errno!(EINVAL);
    }
    if u16::from_ne_bytes([bytes[0], bytes[1]]) != AF_UNIX {
        return_errno!(EINVAL);
    }
    let path = &bytes[PATH_OFFSET..];
    if path[0] == 0 {
        return Ok(UnixName::Abstract(path[1..].to_vec()));
    }
    let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
    Ok(UnixName::Path(path[..end].to_vec()))
}

/// What bind(2) asks for: the family alone is autobind (unix_bind).
pub fn parse_bind(bytes: &[u8]) -> Result<BindRequest> {
    if bytes.len() == PATH_OFFSET && u16::from_ne_bytes([bytes[0], bytes[1]]) == AF_UNIX {
        return Ok(BindRequest::Automatic);
    }
    parse(bytes).map(BindRequest::Name)
}

/// Whether connect(2) was given AF_UNSPEC (a datagram socket's way to
/// drop its peer).
pub fn is_unspecified(bytes: &[u8]) -> bool {
    bytes.len() >= PATH_OFFSET && u16::from_ne_bytes([bytes[0], bytes[1]]) == 0
}
