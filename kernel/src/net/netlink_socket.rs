//! AF_NETLINK sockets of protocol NETLINK_ROUTE: a program sends requests
//! to the kernel (port 0) and receives the answers `libs/netlink` builds
//! from the kernel's interfaces (`net::interfaces`). Each socket has a
//! port id, its process's pid for the first one (Linux's autobind), and a
//! queue of datagrams to receive. No multicast groups are fed yet.

use super::socket::*;
use super::socket_options::SocketOptions;
use crate::error::Result;
use crate::fs::file::Readiness;
use crate::return_errno;
use crate::sync::WaitQueue;
use alloc::collections::{BTreeSet, VecDeque};
use alloc::sync::Arc;
use alloc::vec::Vec;
use hal::sync::SpinLock;

pub const AF_NETLINK: u16 = 16;
pub const NETLINK_ROUTE: i32 = 0;
const SOL_NETLINK: i32 = 270;
/// sizeof(struct sockaddr_nl).
const ADDRESS_BYTES: usize = 12;
/// Queued answers past this many bytes are dropped (ENOBUFS on Linux).
const QUEUE_LIMIT_BYTES: usize = 1 << 20;

/// Port ids in use, so two sockets never share one.
static PORTS: SpinLock<BTreeSet<u32>> = SpinLock::new(BTreeSet::new());

struct State {
    /// 0 until bound or autobound.
    port: u32,
    groups: u32,
    received: VecDeque<Vec<u8>>,
    queued_bytes: usize,
}

pub struct NetlinkSocket {
    kind: i32,
    state: SpinLock<State>,
    arrived: WaitQueue,
    options: SocketOptions,
}

/// Linux's default netlink buffers (net.core.rmem_default and wmem_default).
const DEFAULT_BUFFER_BYTES: usize = 212992;

/// sockaddr_nl of `port` (the kernel is port 0).
fn address(port: u32, groups: u32) -> Vec<u8> {
    let mut bytes = alloc::vec![0u8; ADDRESS_BYTES];
    bytes[0..2].copy_from_slice(&AF_NETLINK.to_ne_bytes());
    bytes[4..8].copy_from_slice(&port.to_ne_bytes());
    bytes[8..12].copy_from_slice(&groups.to_ne_bytes());
    bytes
}

/// A sockaddr_nl from user bytes: (port, groups); EINVAL if malformed.
fn parse_address(bytes: &[u8]) -> Result<(u32, u32)> {
    if bytes.len() < ADDRESS_BYTES || u16::from_ne_bytes([bytes[0], bytes[1]]) != AF_NETLINK {
        return_errno!(EINVAL);
    }
    let word = |at: usize| u32::from_ne_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    Ok((word(4), word(8)))
}

impl NetlinkSocket {
    /// socket(AF_NETLINK, kind, protocol): NETLINK_ROUTE only.
    pub fn new(kind: i32, protocol: i32) -> Result<Arc<NetlinkSocket>> {
        if kind != SOCK_RAW && kind != SOCK_DGRAM {
            return_errno!(ESOCKTNOSUPPORT);
        }
        if protocol != NETLINK_ROUTE {
            return_errno!(EPROTONOSUPPORT);
        }
        let state = State { port: 0, groups: 0, received: VecDeque::new(), queued_bytes: 0 };
        Ok(Arc::new(NetlinkSocket {
            kind,
            state: SpinLock::new(state),
            arrived: WaitQueue::new(),
            options: SocketOptions::new(DEFAULT_BUFFER_BYTES, DEFAULT_BUFFER_BYTES),
        }))
    }

    /// Binds `state` to a free port: the pid first, then negative ids
    /// counting down from -4096, as netlink_autobind.
    fn autobind(state: &mut State) {
        if state.port != 0 {
            return;
        }
        let pid = crate::process::current().map_or(1, |p| p.pid);
        let mut ports = PORTS.lock();
        let mut candidate = pid;
        let mut next_negative = (-4096i32) as u32;
        while ports.contains(&candidate) {
            candidate = next_negative;
            next_negative = next_negative.wrapping_sub(1);
        }
        ports.insert(candidate);
        state.port = candidate;
    }
}

impl SocketOps for NetlinkSocket {
    fn domain(&self) -> u16 {
        AF_NETLINK
    }

    fn socket_type(&self) -> i32 {
        self.kind
    }

    fn protocol(&self) -> i32 {
        NETLINK_ROUTE
    }

    fn bind(&self, address: &[u8]) -> Result<()> {
        let (port, groups) = parse_address(address)?;
        let mut state = self.state.lock();
        if state.port != 0 {
            // Rebinding to the same port is allowed; another is EINVAL.
            if port != 0 && port != state.port {
                return_errno!(EINVAL);
            }
        } else if port == 0 {
            Self::autobind(&mut state);
        } else {
            let mut ports = PORTS.lock();
            if !ports.insert(port) {
                return_errno!(EADDRINUSE);
            }
            state.port = port;
        }
        state.groups = groups;
        Ok(())
    }

    fn connect(&self, address: &[u8], _is_nonblocking: bool) -> Result<()> {
        // Only the kernel (port 0) is reachable; connect just autobinds.
        parse_address(address)?;
        Self::autobind(&mut self.state.lock());
        Ok(())
    }

    fn local_address(&self) -> Result<Vec<u8>> {
        let state = self.state.lock();
        Ok(address(state.port, state.groups))
    }

    fn peer_address(&self) -> Result<Vec<u8>> {
        Ok(address(0, 0))
    }

    fn send(
        &self,
        data: &[u8],
        destination: Option<&[u8]>,
        _control: Vec<ControlMessage>,
        _flags: IoFlags,
    ) -> Result<usize> {
        if let Some(destination) = destination.filter(|d| !d.is_empty()) {
            let (port, groups) = parse_address(destination)?;
            if port != 0 || groups != 0 {
                // Other programs' sockets and groups: not delivered yet.
                return_errno!(ECONNREFUSED);
            }
        }
        let port = {
            let mut state = self.state.lock();
            Self::autobind(&mut state);
            state.port
        };
        let is_admin = crate::process::current().is_some_and(|p| p.credentials.lock().is_root());
        let answers = super::interfaces::answer_netlink(data, port, is_admin);
        let mut state = self.state.lock();
        for answer in answers {
            if state.queued_bytes + answer.len() > QUEUE_LIMIT_BYTES {
                break;
            }
            state.queued_bytes += answer.len();
            state.received.push_back(answer);
        }
        drop(state);
        self.arrived.wake_all();
        Ok(data.len())
    }

    fn receive(&self, buffer: &mut [u8], flags: IoFlags) -> Result<Received> {
        loop {
            {
                let mut state = self.state.lock();
                let is_peek = flags.flags & MSG_PEEK != 0;
                let datagram =
                    if is_peek { state.received.front().cloned() } else { state.received.pop_front() };
                if let Some(datagram) = datagram {
                    if !is_peek {
                        state.queued_bytes -= datagram.len();
                    }
                    let count = datagram.len().min(buffer.len());
                    buffer[..count].copy_from_slice(&datagram[..count]);
                    return Ok(Received {
                        count,
                        full_length: datagram.len(),
                        source: Some(address(0, 0)),
                        control: Vec::new(),
                        message_flags: if count < datagram.len() { MSG_TRUNC } else { 0 },
                    });
                }
            }
            if flags.is_nonblocking {
                return_errno!(EAGAIN);
            }
            let is_ready = self
                .arrived
                .wait_until_or(|| !self.state.lock().received.is_empty(), crate::signal::current_has_pending);
            if !is_ready {
                return_errno!(ERESTARTSYS);
            }
        }
    }

    fn options(&self) -> &SocketOptions {
        &self.options
    }

    fn set_option(&self, level: i32, _name: i32, value: OptionValue) -> Result<()> {
        if level != SOL_NETLINK {
            return_errno!(ENOPROTOOPT);
        }
        // NETLINK_ADD_MEMBERSHIP, EXT_ACK, CAP_ACK, GET_STRICT_CHK...:
        // accepted, with no effect yet.
        value.int()?;
        Ok(())
    }

    fn shutdown(&self, _how: Shutdown) -> Result<()> {
        return_errno!(EOPNOTSUPP)
    }

    fn readiness(&self) -> Readiness {
        Readiness { readable: !self.state.lock().received.is_empty(), writable: true, ..Readiness::default() }
    }

    fn wait_queues(&self) -> [Option<&WaitQueue>; 2] {
        [Some(&self.arrived), None]
    }

    fn release(&self) {
        let port = self.state.lock().port;
        if port != 0 {
            PORTS.lock().remove(&port);
        }
    }
}
