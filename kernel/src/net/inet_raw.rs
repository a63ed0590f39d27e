//! AF_INET SOCK_RAW (raw(7)), what busybox's ping opens as root with
//! IPPROTO_ICMP: a send is a message of the socket's protocol the kernel
//! puts an IPv4 header on (IP_HDRINCL is not supported), a receive is
//! every packet of that protocol that arrives, IPv4 header included.
//! smoltcp's raw socket carries whole IP packets both ways, so the header
//! is built here for sends.

use super::inet_address;
use super::socket::*;
use super::stack::{self, Transport};
use crate::error::Result;
use crate::fs::file::Readiness;
use crate::return_errno;
use crate::sync::WaitQueue;
use abi::Errno;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU16, Ordering};
use smoltcp::iface::SocketHandle;
use smoltcp::phy::ChecksumCapabilities;
use smoltcp::socket::raw;
use smoltcp::wire::{IpAddress, IpProtocol, IpVersion, Ipv4Address, Ipv4Packet, Ipv4Repr};

pub const IPPROTO_ICMP: i32 = 1;
const QUEUED_PACKETS: usize = 32;
const QUEUED_BYTES: usize = 64 * 1024;
/// An IPv4 header without options.
const HEADER_BYTES: usize = 20;
/// IP_DEFAULT_TTL (net.ipv4.ip_default_ttl).
const TTL: u8 = 64;

pub struct RawSocket {
    protocol: u8,
    handle: SocketHandle,
    options: SocketOptions,
    waiters: Arc<WaitQueue>,
}

fn buffer() -> raw::PacketBuffer<'static> {
    raw::PacketBuffer::new(
        alloc::vec![raw::PacketMetadata::EMPTY; QUEUED_PACKETS],
        alloc::vec![0; QUEUED_BYTES],
    )
}

impl RawSocket {
    /// socket(AF_INET, SOCK_RAW, protocol): CAP_NET_RAW (root) only.
    pub fn new(protocol: i32) -> Result<Arc<RawSocket>> {
        let Ok(protocol) = u8::try_from(protocol) else { return_errno!(EINVAL) };
        if protocol == 0 {
            return_errno!(EPROTONOSUPPORT);
        }
        let is_root = crate::process::current().is_none_or(|p| p.credentials.lock().is_root());
        if !is_root {
            return_errno!(EPERM);
        }
        let waiters = Arc::new(WaitQueue::new());
        let handle = stack::with(|stack| {
            let socket =
                raw::Socket::new(Some(IpVersion::Ipv4), Some(IpProtocol::from(protocol)), buffer(), buffer());
            let handle = stack.sockets.add(socket);
            stack.watch(handle, Transport::Raw, &waiters);
            handle
        });
        let options =
            SocketOptions::new(super::socket_options::BUFFER_MAX, super::socket_options::BUFFER_MAX);
        Ok(Arc::new(RawSocket { protocol, handle, options, waiters }))
    }
}

/// An IPv4 packet around `payload` for `destination`, from the address
/// the route to it uses.
fn packet(
    stack: &mut stack::Stack,
    protocol: u8,
    destination: Ipv4Address,
    payload: &[u8],
) -> Result<Vec<u8>> {
    static NEXT_ID: AtomicU16 = AtomicU16::new(1);
    let source = if destination.octets()[0] == 127 {
        Ipv4Address::new(127, 0, 0, 1)
    } else {
        stack.interface.get_source_address_ipv4(&destination).ok_or(Errno::ENETUNREACH)?
    };
    let repr = Ipv4Repr {
        src_addr: source,
        dst_addr: destination,
        next_header: IpProtocol::from(protocol),
        payload_len: payload.len(),
        hop_limit: TTL,
    };
    let mut bytes = alloc::vec![0u8; HEADER_BYTES + payload.len()];
    let mut ip = Ipv4Packet::new_unchecked(&mut bytes[..]);
    repr.emit(&mut ip, &ChecksumCapabilities::default());
    ip.set_ident(NEXT_ID.fetch_add(1, Ordering::Relaxed));
    ip.fill_checksum();
    bytes[HEADER_BYTES..].copy_from_slice(payload);
    Ok(bytes)
}

impl SocketOps for RawSocket {
    fn domain(&self) -> u16 {
        AF_INET
    }

    fn socket_type(&self) -> i32 {
        SOCK_RAW
    }

    fn protocol(&self) -> i32 {
        self.protocol as i32
    }

    fn options(&self) -> &SocketOptions {
        &self.options
    }

    fn local_address(&self) -> Result<Vec<u8>> {
        Ok(inet_address::build(None))
    }

    fn send(
        &self,
        data: &[u8],
        destination: Option<&[u8]>,
        _control: Vec<ControlMessage>,
        flags: IoFlags,
    ) -> Result<usize> {
        let Some(destination) = destination.filter(|d| !d.is_empty()) else { return_errno!(EDESTADDRREQ) };
        let IpAddress::Ipv4(destination) = inet_address::parse(destination)?.addr;
        if data.len() + HEADER_BYTES > QUEUED_BYTES {
            return_errno!(EMSGSIZE);
        }
        loop {
            let sent = stack::with(|stack| {
                let bytes = packet(stack, self.protocol, destination, data)?;
                let socket = stack.sockets.get_mut::<raw::Socket>(self.handle);
                Ok::<_, crate::error::Error>(socket.send_slice(&bytes).is_ok())
            })?;
            if sent {
                return Ok(data.len());
            }
            wait_on(&self.waiters, flags.is_nonblocking, self.options.send_timeout_ns(), || {
                stack::with(|stack| stack.sockets.get::<raw::Socket>(self.handle).can_send())
            })?;
        }
    }

    fn receive(&self, buffer: &mut [u8], flags: IoFlags) -> Result<Received> {
        loop {
            let received = stack::with(|stack| {
                let socket = stack.sockets.get_mut::<raw::Socket>(self.handle);
                let packet =
                    if flags.flags & MSG_PEEK != 0 { socket.peek().ok()? } else { socket.recv().ok()? };
                let count = packet.len().min(buffer.len());
                buffer[..count].copy_from_slice(&packet[..count]);
                let source = Ipv4Packet::new_checked(packet).ok().map(|ip| ip.src_addr());
                Some(Received {
                    count,
                    full_length: packet.len(),
                    source: source.map(|address| {
                        inet_address::build(Some(smoltcp::wire::IpEndpoint::new(IpAddress::Ipv4(address), 0)))
                    }),
                    message_flags: if count < packet.len() { MSG_TRUNC } else { 0 },
                    ..Received::default()
                })
            });
            if let Some(received) = received {
                return Ok(received);
            }
            wait_on(&self.waiters, flags.is_nonblocking, self.options.receive_timeout_ns(), || {
                stack::with(|stack| stack.sockets.get::<raw::Socket>(self.handle).can_recv())
            })?;
        }
    }

    fn shutdown(&self, _how: Shutdown) -> Result<()> {
        return_errno!(ENOTCONN)
    }

    fn readiness(&self) -> Readiness {
        stack::with(|stack| {
            let socket = stack.sockets.get::<raw::Socket>(self.handle);
            Readiness { readable: socket.can_recv(), writable: socket.can_send(), ..Readiness::default() }
        })
    }

    fn wait_queues(&self) -> [Option<&WaitQueue>; 2] {
        [Some(&self.waiters), None]
    }

    fn release(&self) {
        stack::with(|stack| stack.remove(self.handle));
    }
}
