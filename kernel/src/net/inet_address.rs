//! `struct sockaddr_in` to and from smoltcp's endpoints.

use super::socket::AF_INET;
use crate::error::Result;
use crate::return_errno;
use alloc::vec::Vec;
use smoltcp::wire::{IpAddress, IpEndpoint, Ipv4Address};

/// sizeof(struct sockaddr_in).
pub const SOCKADDR_IN_LENGTH: usize = 16;

/// Parses a sockaddr_in: EINVAL when short, EAFNOSUPPORT for another family.
pub fn parse(bytes: &[u8]) -> Result<IpEndpoint> {
    if bytes.len() < SOCKADDR_IN_LENGTH {
        return_errno!(EINVAL);
    }
    if u16::from_ne_bytes([bytes[0], bytes[1]]) != AF_INET {
        return_errno!(EAFNOSUPPORT);
    }
    let port = u16::from_be_bytes([bytes[2], bytes[3]]);
    let address = Ipv4Address::new(bytes[4], bytes[5], bytes[6], bytes[7]);
    Ok(IpEndpoint::new(IpAddress::Ipv4(address), port))
}

/// Builds a sockaddr_in (0.0.0.0:0 for none).
pub fn build(endpoint: Option<IpEndpoint>) -> Vec<u8> {
    let mut bytes = alloc::vec![0u8; SOCKADDR_IN_LENGTH];
    bytes[0..2].copy_from_slice(&AF_INET.to_ne_bytes());
    if let Some(endpoint) = endpoint {
        bytes[2..4].copy_from_slice(&endpoint.port.to_be_bytes());
        let IpAddress::Ipv4(address) = endpoint.addr;
        bytes[4..8].copy_from_slice(&address.octets());
    }
    bytes
}
