//! AF_INET SOCK_DGRAM on smoltcp. The smoltcp socket exists from the
//! first bind (explicit, or the automatic one of a first send/connect);
//! a connected socket keeps its peer as the default destination and only
//! receives from it (udp(7)).

use super::inet_address;
use super::proc_sockets::{InetEntry, Table};
use super::socket::*;
use super::stack::{self, Binding, PortUse, Transport};
use crate::error::Result;
use crate::fs::file::Readiness;
use crate::return_errno;
use crate::sync::WaitQueue;
use abi::Errno;
use alloc::sync::Arc;
use alloc::vec::Vec;
use hal::sync::SpinLock;
use smoltcp::iface::SocketHandle;
use smoltcp::socket::udp;
use smoltcp::wire::{IpAddress, IpEndpoint, IpListenEndpoint};

const IPPROTO_UDP: i32 = 17;
/// Datagrams and bytes queued per direction.
const QUEUED_DATAGRAMS: usize = 64;
const QUEUED_BYTES: usize = 64 * 1024;

#[derive(Default)]
struct State {
    /// The smoltcp socket and its local endpoint, once bound.
    bound: Option<(SocketHandle, IpEndpoint)>,
    peer: Option<IpEndpoint>,
}

pub struct UdpSocket {
    state: SpinLock<State>,
    options: SocketOptions,
    /// Woken by the stack when the smoltcp socket changed.
    waiters: Arc<WaitQueue>,
    binding_id: u64,
}

/// One direction's queue; ENOBUFS when memory for it cannot be had.
fn buffer() -> Result<udp::PacketBuffer<'static>> {
    let metadata = super::socket_buffer(QUEUED_DATAGRAMS, udp::PacketMetadata::EMPTY)?;
    Ok(udp::PacketBuffer::new(metadata, super::socket_buffer(QUEUED_BYTES, 0)?))
}

impl UdpSocket {
    pub fn new() -> Arc<UdpSocket> {
        Arc::new(UdpSocket {
            state: SpinLock::new(State::default()),
            options: SocketOptions::new(super::socket_options::BUFFER_MAX, super::socket_options::BUFFER_MAX),
            waiters: Arc::new(WaitQueue::new()),
            binding_id: stack::new_binding_id(),
        })
    }

    /// Binds to `local` (port 0: an ephemeral one) if not bound yet.
    fn bind_locked(&self, state: &mut State, local: IpEndpoint) -> Result<(SocketHandle, IpEndpoint)> {
        if let Some(bound) = state.bound {
            return Ok(bound);
        }
        let bound = stack::with(|stack| {
            if !stack.is_local_address(local.addr) {
                return_errno!(EADDRNOTAVAIL);
            }
            let options = self.options.get();
            let binding = Binding {
                id: self.binding_id,
                address: local.addr,
                reuse_address: options.reuse_address,
                reuse_port: options.reuse_port,
                state: PortUse::Bound,
            };
            // Before the port: a failure here leaves none taken.
            let mut socket = udp::Socket::new(buffer()?, buffer()?);
            let port = stack.take_port(Transport::Udp, local.port, binding)?;
            let endpoint = IpListenEndpoint {
                addr: if local.addr.is_unspecified() { None } else { Some(local.addr) },
                port,
            };
            if socket.bind(endpoint).is_err() {
                stack.release_port(Transport::Udp, port, self.binding_id);
                return_errno!(EINVAL);
            }
            let handle = stack.sockets.add(socket);
            stack.watch(handle, Transport::Udp, &self.waiters);
            Ok((handle, IpEndpoint::new(local.addr, port)))
        })?;
        state.bound = Some(bound);
        Ok(bound)
    }

    /// The socket's line in /proc/net/udp, once bound.
    fn inet_entry(&self) -> Option<(Table, InetEntry)> {
        let (handle, local, peer) = {
            let state = self.state.lock();
            let (handle, local) = state.bound?;
            (handle, local, state.peer)
        };

        // A close on another hart may have just removed the handle.
        let (tx_queue, rx_queue) = stack::with(|stack| {
            stack.is_watched_by(handle, &self.waiters).then(|| {
                let socket = stack.sockets.get::<udp::Socket>(handle);
                (socket.send_queue(), socket.recv_queue())
            })
        })?;
        let state = if peer.is_some() { 1 } else { 7 };
        Some((Table::Udp, InetEntry { local, remote: peer, state, tx_queue, rx_queue, is_unaccepted: false }))
    }

    fn handle(&self) -> Option<SocketHandle> {
        self.state.lock().bound.map(|(handle, _)| handle)
    }
}

fn any_address() -> IpEndpoint {
    IpEndpoint::new(IpAddress::v4(0, 0, 0, 0), 0)
}

impl SocketOps for UdpSocket {
    fn domain(&self) -> u16 {
        AF_INET
    }
    fn socket_type(&self) -> i32 {
        SOCK_DGRAM
    }
    fn protocol(&self) -> i32 {
        IPPROTO_UDP
    }

    fn bind(&self, address: &[u8]) -> Result<()> {
        let local = inet_address::parse(address)?;
        let mut state = self.state.lock();
        if state.bound.is_some() {
            return_errno!(EINVAL);
        }
        self.bind_locked(&mut state, local).map(|_| ())
    }

    fn connect(&self, address: &[u8], _is_nonblocking: bool) -> Result<()> {
        // AF_UNSPEC dissolves the association (connect(2)).
        if address.len() >= 2 && u16::from_ne_bytes([address[0], address[1]]) == 0 {
            let mut state = self.state.lock();
            state.peer = None;
            if let Some((handle, _)) = state.bound {
                stack::with(|stack| stack.set_udp_peer(handle, None));
            }
            return Ok(());
        }
        let peer = inet_address::parse(address)?;
        let mut state = self.state.lock();
        let (handle, _) = self.bind_locked(&mut state, any_address())?;
        state.peer = Some(peer);
        stack::with(|stack| stack.set_udp_peer(handle, Some(peer)));
        Ok(())
    }

    fn local_address(&self) -> Result<Vec<u8>> {
        let state = self.state.lock();
        let local = state.bound.map(|(_, local)| match (local.addr.is_unspecified(), state.peer) {
            // A connected socket reports the source address its route uses.
            (true, Some(_)) => IpEndpoint::new(IpAddress::v4(127, 0, 0, 1), local.port),
            _ => local,
        });
        Ok(inet_address::build(local))
    }

    fn peer_address(&self) -> Result<Vec<u8>> {
        match self.state.lock().peer {
            Some(peer) => Ok(inet_address::build(Some(peer))),
            None => return_errno!(ENOTCONN),
        }
    }

    fn send(
        &self,
        data: &[u8],
        destination: Option<&[u8]>,
        _control: Vec<ControlMessage>,
        flags: IoFlags,
    ) -> Result<usize> {
        let (handle, destination) = {
            let mut state = self.state.lock();
            let destination = match destination {
                Some(address) => inet_address::parse(address)?,
                None => state.peer.ok_or(Errno::EDESTADDRREQ)?,
            };
            let (handle, _) = self.bind_locked(&mut state, any_address())?;
            (handle, destination)
        };
        if data.len() > QUEUED_BYTES {
            return_errno!(EMSGSIZE);
        }
        loop {
            let outcome = stack::with(|stack| {
                // An ICMP error from an earlier datagram is reported first.
                if let Some(errno) = stack.take_error(handle) {
                    return Err(errno);
                }
                let socket = stack.sockets.get_mut::<udp::Socket>(handle);
                match socket.send_slice(data, destination) {
                    Ok(()) => Ok(true),
                    Err(udp::SendError::BufferFull) => Ok(false),
                    Err(udp::SendError::Unaddressable) => Err(Errno::ENETUNREACH),
                }
            })?;
            if outcome {
                return Ok(data.len());
            }
            if flags.is_nonblocking {
                return_errno!(EAGAIN);
            }
            wait_on(&self.waiters, false, self.options.send_timeout_ns(), || {
                stack::with(|stack| stack.sockets.get::<udp::Socket>(handle).can_send())
            })?;
        }
    }

    fn receive(&self, buffer: &mut [u8], flags: IoFlags) -> Result<Received> {
        let handle = {
            let mut state = self.state.lock();
            // Linux autobinds here too, so a recv on an unbound socket waits.
            self.bind_locked(&mut state, any_address())?.0
        };
        loop {
            let peer = self.state.lock().peer;
            let received = stack::with(|stack| {
                // A pending ICMP error comes before any datagram (as
                // __skb_recv_udp's sock_error).
                if let Some(errno) = stack.take_error(handle) {
                    return Some(Err(errno));
                }
                let socket = stack.sockets.get_mut::<udp::Socket>(handle);
                loop {
                    let (payload, metadata) = match socket.peek() {
                        Ok((payload, metadata)) => (payload, *metadata),
                        Err(_) => return None,
                    };
                    // A connected socket drops datagrams from others.
                    if peer.is_some_and(|peer| peer != metadata.endpoint) {
                        let _ = socket.recv();
                        continue;
                    }
                    let count = payload.len().min(buffer.len());
                    buffer[..count].copy_from_slice(&payload[..count]);
                    let full_length = payload.len();
                    if flags.flags & MSG_PEEK == 0 {
                        let _ = socket.recv();
                    }
                    return Some(Ok(Received {
                        count,
                        full_length,
                        source: Some(inet_address::build(Some(metadata.endpoint))),
                        message_flags: if full_length > count { MSG_TRUNC } else { 0 },
                        ..Received::default()
                    }));
                }
            });
            if let Some(received) = received {
                return received.map_err(Into::into);
            }
            if flags.is_nonblocking {
                return_errno!(EAGAIN);
            }
            wait_on(&self.waiters, false, self.options.receive_timeout_ns(), || {
                stack::with(|stack| {
                    stack.sockets.get::<udp::Socket>(handle).can_recv()
                        || stack.pending_error(handle).is_some()
                })
            })?;
        }
    }

    fn shutdown(&self, _how: Shutdown) -> Result<()> {
        if self.state.lock().peer.is_none() {
            return_errno!(ENOTCONN);
        }
        Ok(())
    }

    fn readiness(&self) -> Readiness {
        match self.handle() {
            None => Readiness { writable: true, ..Readiness::default() },
            Some(handle) => stack::with(|stack| {
                let socket = stack.sockets.get::<udp::Socket>(handle);
                Readiness {
                    readable: socket.can_recv(),
                    writable: socket.can_send(),
                    error: stack.pending_error(handle).is_some(),
                    ..Readiness::default()
                }
            }),
        }
    }

    fn inet_entries(&self) -> Vec<(Table, InetEntry)> {
        self.inet_entry().into_iter().collect()
    }

    fn take_error(&self) -> i32 {
        match self.handle() {
            None => 0,
            Some(handle) => stack::with(|stack| stack.take_error(handle)).map_or(0, |errno| errno as i32),
        }
    }

    fn options(&self) -> &SocketOptions {
        &self.options
    }

    fn wait_queues(&self) -> [Option<&WaitQueue>; 2] {
        [Some(&self.waiters), None]
    }

    fn release(&self) {
        let bound = self.state.lock().bound.take();
        if let Some((handle, local)) = bound {
            stack::with(|stack| {
                stack.remove(handle);
                stack.release_port(Transport::Udp, local.port, self.binding_id);
            });
        }
    }
}
