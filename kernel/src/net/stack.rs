//! The TCP/IP stack: one smoltcp interface over `lo` (127.0.0.1/8) and
//! `eth0` (the virtio card, configured from `ip=`; see `link` for how the
//! two share the interface), its socket set, and the bookkeeping smoltcp
//! leaves to the host (which ports are taken). The stack is polled after every socket call that may have
//! produced work and from a timer armed at smoltcp's next deadline
//! (retransmissions, TIME-WAIT), never in a busy loop. Each goose socket
//! has its own wait queue, registered here with its smoltcp handles
//! ([`Stack::watch`]); after every poll the stack compares each watched
//! socket with how it was after the previous one and wakes only the
//! queues of those that changed, so a server with many connections does
//! not wake every waiter for every packet.

use super::link::Links;
use crate::drivers::virtio_net::VirtioNet;
use crate::error::Result;
use crate::return_errno;
use crate::sync::WaitQueue;
use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use alloc::vec::Vec;
use cmdline::ip::StaticIp;
use core::cell::Cell;
use core::sync::atomic::{AtomicU64, Ordering};
use hal::sync::SpinLock;
use smoltcp::iface::{Config, Interface, PollResult, SocketHandle, SocketSet};
use smoltcp::socket::{dhcpv4, raw, tcp, udp};
use smoltcp::time::Instant;
use smoltcp::wire::{EthernetAddress, HardwareAddress, IpAddress, IpCidr, IpEndpoint, Ipv4Address, Ipv4Cidr};

/// Transport protocols, for the port table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Transport {
    Tcp,
    Udp,
    /// Raw IP sockets (ICMP for ping): no ports.
    Raw,
}

/// Linux's default ephemeral range (/proc/sys/net/ipv4/ip_local_port_range).
const EPHEMERAL_FIRST: u16 = 32768;
const EPHEMERAL_LAST: u16 = 60999;

/// Linux's TIME_WAIT length (TCP_TIMEWAIT_LEN): how long a closed
/// connection keeps its port from binds without SO_REUSEADDR.
const TIME_WAIT_NS: u64 = 60_000_000_000;

/// What a socket holding a port is doing, for bind's conflict rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortUse {
    Bound,
    Listening,
    Connected,
    /// A closed connection's TIME_WAIT, until the deadline (monotonic ns).
    TimeWait {
        until_ns: u64,
    },
}

/// One socket's hold on a port (Linux's bind-bucket owner).
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    /// The holder, from [`new_binding_id`].
    pub id: u64,
    pub address: IpAddress,
    pub reuse_address: bool,
    pub reuse_port: bool,
    pub state: PortUse,
}

impl Binding {
    /// Whether `self` may not share the port with `other`
    /// (inet_bind_conflict, without the per-user rule of SO_REUSEPORT).
    fn conflicts_with(&self, other: &Binding) -> bool {
        if self.id == other.id {
            return false;
        }
        let is_overlapping =
            self.address.is_unspecified() || other.address.is_unspecified() || self.address == other.address;
        let is_shared_address =
            self.reuse_address && other.reuse_address && other.state != PortUse::Listening;
        let is_shared_port = self.reuse_port && other.reuse_port;
        is_overlapping && !is_shared_address && !is_shared_port
    }
}

/// A fresh identity for a [`Binding`].
pub fn new_binding_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// How a watched smoltcp socket looked after the last poll.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Snapshot {
    state: Option<tcp::State>,
    received: usize,
    queued: usize,
}

/// A watched socket as it is now.
fn snapshot(sockets: &SocketSet<'static>, handle: SocketHandle, transport: Transport) -> Snapshot {
    match transport {
        Transport::Tcp => {
            let socket = sockets.get::<tcp::Socket>(handle);
            Snapshot {
                state: Some(socket.state()),
                received: socket.recv_queue(),
                queued: socket.send_queue(),
            }
        }
        Transport::Udp => {
            let socket = sockets.get::<udp::Socket>(handle);
            Snapshot { state: None, received: socket.recv_queue(), queued: socket.send_queue() }
        }
        Transport::Raw => {
            let socket = sockets.get::<raw::Socket>(handle);
            Snapshot { state: None, received: socket.recv_queue(), queued: socket.send_queue() }
        }
    }
}

/// A smoltcp socket whose changes wake a goose socket's queue.
struct Watch {
    queue: Arc<WaitQueue>,
    transport: Transport,
    last: Snapshot,
    /// A TCP connection's error, taken by SO_ERROR or the next call:
    /// ECONNREFUSED or ECONNRESET when it closed without a FIN; a
    /// connected UDP socket's from an ICMP error.
    error: Option<abi::Errno>,
    /// A connected UDP socket's peer: ICMP errors about datagrams to it
    /// become `error`.
    peer: Option<IpEndpoint>,
}

pub struct Stack {
    pub interface: Interface,
    device: Links,
    pub sockets: SocketSet<'static>,
    /// Who holds each port.
    ports: BTreeMap<(Transport, u16), Vec<Binding>>,
    next_ephemeral: u16,
    /// TCP sockets closed by their last descriptor that smoltcp is still
    /// finishing (FIN), with their port; a connection that reaches
    /// TIME-WAIT leaves the set and keeps only its port binding.
    orphans: Vec<(SocketHandle, u16, u64)>,
    watched: BTreeMap<SocketHandle, Watch>,
    /// Listening goose sockets, for /proc/net/sockstat.
    pub listening_count: usize,
    /// eth0's DHCP client, when `ip=` asked for one.
    dhcp: Option<Dhcp>,
    /// Queues to wake after this poll besides those of changed sockets.
    woken: Vec<Arc<WaitQueue>>,
}

/// How eth0 gets its address.
pub enum Eth0Config {
    Static(StaticIp),
    Dhcp,
}

/// The DHCP client's socket and the lease in force.
struct Dhcp {
    handle: SocketHandle,
    lease: Option<Ipv4Cidr>,
}

/// Boxed: the stack holds the card's rings and buffers inline (about
/// 14 KiB), which must not sit in the frame of every function that
/// reaches it (`with` runs in interrupt handlers on 32 KiB kernel stacks).
static STACK: SpinLock<Option<Box<Stack>>> = SpinLock::new(None);

/// A loopback-only stack for a `with` before `init` (cold and out of
/// line, so its large frame stays out of `with`'s).
#[inline(never)]
#[cold]
fn loopback_only() -> Box<Stack> {
    Box::new(Stack::new(None))
}

/// The deadline (monotonic ns) of the armed poll timer, 0 if none.
static TIMER_DEADLINE: AtomicU64 = AtomicU64::new(0);

fn now() -> Instant {
    Instant::from_micros((crate::time::monotonic_ns() / 1000) as i64)
}

/// The MAC of an interface without a card: locally administered, so it
/// can never be a real card's.
const LOOPBACK_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0];

impl Stack {
    /// The stack over `lo` and, if there is one, the card configured as
    /// `eth0` with `config`.
    fn new(card: Option<(VirtioNet, Eth0Config)>) -> Stack {
        let (card, eth0) = match card {
            Some((card, config)) => (Some(card), Some(config)),
            None => (None, None),
        };
        let mut sockets = SocketSet::new(Vec::new());
        let mut dhcp = None;
        let mut device = Links::new(card);
        let mac = device.card_mac_address().unwrap_or(LOOPBACK_MAC);
        let mut config = Config::new(HardwareAddress::Ethernet(EthernetAddress(mac)));
        let mut seed = [0; 8];
        crate::random::fill(&mut seed);
        config.random_seed = u64::from_ne_bytes(seed);
        let mut interface = Interface::new(config, &mut device, now());
        interface.update_ip_addrs(|addresses| {
            let _ = addresses.push(IpCidr::new(IpAddress::v4(127, 0, 0, 1), 8));
        });
        if eth0.is_some() {
            super::interfaces::register(
                "eth0",
                netlink::ARPHRD_ETHER,
                super::interfaces::ETHERNET_FLAGS,
                1500,
                mac,
            );
        }
        if let Some(Eth0Config::Dhcp) = eth0 {
            let handle = sockets.add(smoltcp::socket::dhcpv4::Socket::new());
            dhcp = Some(Dhcp { handle, lease: None });
            log::info!("eth0: asking for an address by DHCP, lo: 127.0.0.1/8");
        }
        if let Some(Eth0Config::Static(eth0)) = eth0 {
            let address = Ipv4Address::from(eth0.address.octets());
            interface.update_ip_addrs(|addresses| {
                let _ = addresses.push(IpCidr::new(IpAddress::Ipv4(address), eth0.prefix_len));
            });
            device.add_own_address(address);
            if let Some(gateway) = eth0.gateway {
                let _ = interface.routes_mut().add_default_ipv4_route(Ipv4Address::from(gateway.octets()));
            }
            log::info!(
                "eth0: {}/{} gateway {:?}, lo: 127.0.0.1/8",
                eth0.address,
                eth0.prefix_len,
                eth0.gateway
            );
        }
        Stack {
            interface,
            device,
            sockets,
            dhcp,
            woken: Vec::new(),
            ports: BTreeMap::new(),
            next_ephemeral: EPHEMERAL_FIRST,
            orphans: Vec::new(),
            watched: BTreeMap::new(),
            listening_count: 0,
        }
    }

    /// An address added at run time (ip addr add): traffic to it stays on
    /// `lo`, as for every address of the machine on Linux.
    pub fn add_local_address(&mut self, address: Ipv4Address) {
        self.device.add_own_address(address);
    }

    pub fn remove_local_address(&mut self, address: Ipv4Address) {
        self.device.remove_own_address(address);
    }

    /// Takes `port` for `binding` (port 0: a free ephemeral one, where
    /// nobody holds anything); EADDRINUSE on a conflict.
    pub fn take_port(&mut self, transport: Transport, port: u16, binding: Binding) -> Result<u16> {
        self.expire_time_waits();
        if port != 0 {
            let holders = self.ports.entry((transport, port)).or_default();
            if holders.iter().any(|holder| binding.conflicts_with(holder)) {
                if holders.is_empty() {
                    self.ports.remove(&(transport, port));
                }
                return_errno!(EADDRINUSE);
            }
            holders.push(binding);
            return Ok(port);
        }
        let span = (EPHEMERAL_LAST - EPHEMERAL_FIRST + 1) as usize;
        for _ in 0..span {
            let candidate = self.next_ephemeral;
            self.next_ephemeral = if candidate == EPHEMERAL_LAST { EPHEMERAL_FIRST } else { candidate + 1 };
            if let alloc::collections::btree_map::Entry::Vacant(entry) =
                self.ports.entry((transport, candidate))
            {
                entry.insert(alloc::vec![binding]);
                return Ok(candidate);
            }
        }
        return_errno!(EADDRINUSE)
    }

    /// Adds an accepted connection's hold on its listener's port, which
    /// it inherits whatever the other holders (__inet_inherit_port).
    pub fn inherit_port(&mut self, transport: Transport, port: u16, binding: Binding) {
        self.ports.entry((transport, port)).or_default().push(binding);
    }

    /// Changes how binding `id` uses `port` (listen, a connection), with
    /// the conflict check listen makes: EADDRINUSE leaves it unchanged.
    pub fn change_port_use(
        &mut self,
        transport: Transport,
        port: u16,
        id: u64,
        state: PortUse,
    ) -> Result<()> {
        self.expire_time_waits();
        let Some(holders) = self.ports.get_mut(&(transport, port)) else { return Ok(()) };
        let Some(index) = holders.iter().position(|holder| holder.id == id) else { return Ok(()) };
        let mut changed = holders[index];
        changed.state = state;
        if state == PortUse::Listening && holders.iter().any(|holder| changed.conflicts_with(holder)) {
            return_errno!(EADDRINUSE);
        }
        holders[index] = changed;
        Ok(())
    }

    pub fn release_port(&mut self, transport: Transport, port: u16, id: u64) {
        if let Some(holders) = self.ports.get_mut(&(transport, port)) {
            holders.retain(|holder| holder.id != id);
            if holders.is_empty() {
                self.ports.remove(&(transport, port));
            }
        }
    }

    /// Frees the ports of TIME_WAITs that are over.
    fn expire_time_waits(&mut self) {
        let now_ns = crate::time::monotonic_ns();
        self.ports.retain(|_, holders| {
            holders.retain(
                |holder| !matches!(holder.state, PortUse::TimeWait { until_ns } if until_ns <= now_ns),
            );
            !holders.is_empty()
        });
    }

    /// Wakes `queue` whenever the smoltcp socket `handle` changes.
    pub fn watch(&mut self, handle: SocketHandle, transport: Transport, queue: &Arc<WaitQueue>) {
        let last = snapshot(&self.sockets, handle, transport);
        self.watched.insert(handle, Watch { queue: queue.clone(), transport, last, error: None, peer: None });
    }

    /// Stops watching `handle` (its socket is removed or orphaned).
    pub fn unwatch(&mut self, handle: SocketHandle) {
        self.watched.remove(&handle);
    }

    /// Whether `handle` is still a socket watched for `queue`'s owner: false
    /// once it was removed or orphaned (its handle may then be gone or
    /// even reused by another socket).
    pub fn is_watched_by(&self, handle: SocketHandle, queue: &Arc<WaitQueue>) -> bool {
        self.watched.get(&handle).is_some_and(|watch| Arc::ptr_eq(&watch.queue, queue))
    }

    /// Records a UDP socket's peer (None: not connected), to which ICMP
    /// errors are reported.
    pub fn set_udp_peer(&mut self, handle: SocketHandle, peer: Option<IpEndpoint>) {
        if let Some(watch) = self.watched.get_mut(&handle) {
            watch.peer = peer;
        }
    }

    /// Hands the ICMP errors the link device kept to the connected UDP
    /// sockets whose datagrams drew them (as __udp4_lib_err for a socket
    /// without IP_RECVERR), waking them.
    fn deliver_udp_errors(&mut self) {
        let errors = core::mem::take(&mut *self.device.udp_errors.borrow_mut());
        for error in errors {
            let remote = IpEndpoint::new(IpAddress::Ipv4(error.remote.0), error.remote.1);
            for (&handle, watch) in self.watched.iter_mut() {
                if watch.transport != Transport::Udp || watch.peer != Some(remote) {
                    continue;
                }
                let local = self.sockets.get::<udp::Socket>(handle).endpoint();
                let is_from_here = local.port == error.local.1
                    && local.addr.is_none_or(|address| address == IpAddress::Ipv4(error.local.0));
                if is_from_here {
                    watch.error = Some(error.errno);
                    self.woken.push(watch.queue.clone());
                }
            }
        }
    }

    /// Takes the pending error of a watched TCP connection (SO_ERROR).
    pub fn take_error(&mut self, handle: SocketHandle) -> Option<abi::Errno> {
        self.watched.get_mut(&handle).and_then(|watch| watch.error.take())
    }

    /// The pending error of a watched TCP connection, left in place.
    pub fn pending_error(&self, handle: SocketHandle) -> Option<abi::Errno> {
        self.watched.get(&handle).and_then(|watch| watch.error)
    }

    /// The queues of watched sockets that changed since the last call,
    /// recording the error of a connection that closed without a FIN.
    fn changed_queues(&mut self) -> Vec<Arc<WaitQueue>> {
        let mut queues: Vec<Arc<WaitQueue>> = core::mem::take(&mut self.woken);
        for (&handle, watch) in self.watched.iter_mut() {
            let now = snapshot(&self.sockets, handle, watch.transport);
            if now == watch.last {
                continue;
            }
            if now.state == Some(tcp::State::Closed) && watch.last.state != Some(tcp::State::Closed) {
                // Closed without a FIN from the peer: a reset (or a
                // refused connect); recv says which (Finished after FIN).
                let socket = self.sockets.get_mut::<tcp::Socket>(handle);
                if socket.recv_slice(&mut []) == Err(tcp::RecvError::InvalidState) {
                    watch.error = Some(match watch.last.state {
                        Some(tcp::State::SynSent) => abi::Errno::ECONNREFUSED,
                        _ => abi::Errno::ECONNRESET,
                    });
                }
            }
            watch.last = now;
            if !queues.iter().any(|queue| Arc::ptr_eq(queue, &watch.queue)) {
                queues.push(watch.queue.clone());
            }
        }
        queues
    }

    /// Whether `address` is one of the interface's own (for bind).
    pub fn is_local_address(&self, address: IpAddress) -> bool {
        address.is_unspecified() || self.interface.has_ip_addr(address)
    }

    pub fn remove(&mut self, handle: SocketHandle) {
        self.unwatch(handle);
        self.sockets.remove(handle);
    }

    /// Closes a TCP connection whose last descriptor went away, which
    /// held `port` as binding `id`. As Linux's tcp_close: unread data (or
    /// SO_LINGER with a zero time) means a reset, otherwise a FIN; data
    /// that arrives afterwards draws a reset too (see `reap_orphans`).
    pub fn orphan_tcp(&mut self, handle: SocketHandle, port: u16, id: u64, is_abortive: bool) {
        self.unwatch(handle);
        let socket = self.sockets.get_mut::<tcp::Socket>(handle);
        if socket.recv_queue() > 0 || is_abortive {
            socket.abort();
        } else {
            socket.close();
        }
        self.orphans.push((handle, port, id));
    }

    /// Resets orphans that received data, frees the closed ones and
    /// turns those in TIME-WAIT into a port binding alone.
    fn reap_orphans(&mut self) -> bool {
        let mut is_reset_sent = false;
        let sockets = &mut self.sockets;
        let ports = &mut self.ports;
        let now_ns = crate::time::monotonic_ns();
        self.orphans.retain(|&(handle, port, id)| {
            let socket = sockets.get_mut::<tcp::Socket>(handle);
            let release = |ports: &mut BTreeMap<(Transport, u16), Vec<Binding>>, state: Option<PortUse>| {
                if let Some(holders) = ports.get_mut(&(Transport::Tcp, port)) {
                    match state {
                        Some(state) => {
                            holders.iter_mut().filter(|h| h.id == id).for_each(|h| h.state = state)
                        }
                        None => holders.retain(|holder| holder.id != id),
                    }
                    if holders.is_empty() {
                        ports.remove(&(Transport::Tcp, port));
                    }
                }
            };
            match socket.state() {
                // Closed before the poll that just ran, so its reset (sent
                // by smoltcp's dispatch of a closed socket) is out.
                tcp::State::Closed => {
                    sockets.remove(handle);
                    release(ports, None);
                    return false;
                }
                // Nothing more will be sent: what is left is the port.
                tcp::State::TimeWait => {
                    sockets.remove(handle);
                    release(ports, Some(PortUse::TimeWait { until_ns: now_ns + TIME_WAIT_NS }));
                    return false;
                }
                _ => {}
            }
            if socket.recv_queue() > 0 {
                socket.abort();
                is_reset_sent = true;
            }
            true
        });
        is_reset_sent
    }

    /// /proc/net/sockstat's TCP line: (inuse, orphan, tw, alloc).
    pub fn tcp_counts(&self) -> (usize, usize, usize, usize) {
        let mut in_use = self.listening_count;
        let mut allocated = self.listening_count;
        for (handle, watch) in self.watched.iter() {
            if watch.last.state.is_some() {
                match self.sockets.get::<tcp::Socket>(*handle).state() {
                    tcp::State::Listen | tcp::State::SynReceived => {}
                    tcp::State::Closed | tcp::State::TimeWait => allocated += 1,
                    _ => {
                        in_use += 1;
                        allocated += 1;
                    }
                }
            }
        }
        let orphans = self.orphans.len();
        let time_waits = self
            .ports
            .iter()
            .filter(|((transport, _), _)| *transport == Transport::Tcp)
            .flat_map(|(_, holders)| holders.iter())
            .filter(|holder| matches!(holder.state, PortUse::TimeWait { .. }))
            .count();
        (in_use + orphans, orphans, time_waits, allocated + orphans)
    }

    /// /proc/net/sockstat's UDP inuse: bound UDP sockets.
    pub fn udp_count(&self) -> usize {
        self.sockets.iter().filter(|(_, socket)| matches!(socket, smoltcp::socket::Socket::Udp(_))).count()
    }

    /// Listening ports and their free smoltcp listeners, for the link
    /// device: a SYN to a port with none left is dropped, as Linux drops
    /// it when the accept queue is full (the client sends it again later),
    /// instead of smoltcp's reset for a port nobody listens on.
    fn update_listening_ports(&mut self) {
        let listening = &mut self.device.listening_ports;
        listening.clear();
        if self.listening_count == 0 {
            return;
        }
        for ((transport, port), holders) in &self.ports {
            if *transport == Transport::Tcp && holders.iter().any(|b| b.state == PortUse::Listening) {
                listening.push((*port, Cell::new(0)));
            }
        }
        if listening.is_empty() {
            return;
        }
        for (_, socket) in self.sockets.iter() {
            if let smoltcp::socket::Socket::Tcp(socket) = socket {
                if socket.state() == tcp::State::Listen {
                    let port = socket.listen_endpoint().port;
                    if let Some((_, free)) = listening.iter().find(|(p, _)| *p == port) {
                        free.set(free.get() + 1);
                    }
                }
            }
        }
    }

    /// Runs the interface until it has nothing left to do (loopback
    /// packets come back in as the next round's ingress); true if any
    /// socket may have changed.
    fn poll(&mut self) -> bool {
        let mut changed = false;
        // Once per poll, not per round: it walks every socket, and the
        // device counts the listeners SYNs take during the rounds.
        self.update_listening_ports();
        // Bounded: each round moves queued packets along; 64 rounds is
        // far more than a loopback exchange needs between two polls.
        for _ in 0..64 {
            let result = self.interface.poll(now(), &mut self.device, &mut self.sockets);
            // A reset queued for an orphan goes out in the next round.
            let is_reset_sent = self.reap_orphans();
            match result {
                PollResult::SocketStateChanged => changed = true,
                // Frames still looping back (an ICMP error smoltcp just
                // sent itself, say) are taken in this poll too.
                PollResult::None if !is_reset_sent && !self.device.has_looped() => break,
                PollResult::None => {}
            }
        }
        self.apply_dhcp_event();
        self.deliver_udp_errors();
        changed
    }

    /// Puts a new DHCP lease in force (address, default route) or takes a
    /// lost one away.
    fn apply_dhcp_event(&mut self) {
        let Some(dhcp) = &mut self.dhcp else { return };
        let lease = match self.sockets.get_mut::<dhcpv4::Socket>(dhcp.handle).poll() {
            None => return,
            Some(dhcpv4::Event::Configured(config)) => Some((config.address, config.router)),
            Some(dhcpv4::Event::Deconfigured) => None,
        };
        if let Some(old) = dhcp.lease.take() {
            self.interface.update_ip_addrs(|addresses| addresses.retain(|a| *a != IpCidr::Ipv4(old)));
            self.device.remove_own_address(old.address());
            self.interface.routes_mut().remove_default_ipv4_route();
        }
        match lease {
            Some((address, router)) => {
                self.interface.update_ip_addrs(|addresses| {
                    let _ = addresses.push(IpCidr::Ipv4(address));
                });
                self.device.add_own_address(address.address());
                if let Some(router) = router {
                    let _ = self.interface.routes_mut().add_default_ipv4_route(router);
                }
                dhcp.lease = Some(address);
                match router {
                    Some(router) => log::info!("eth0: DHCP lease {address}, gateway {router}"),
                    None => log::info!("eth0: DHCP lease {address}, no gateway"),
                }
            }
            None => log::warn!("eth0: DHCP lease lost"),
        }
    }
}

/// Builds the stack at boot: `card` becomes eth0 configured by `ip`
/// (absent: QEMU's user network; `off`: no eth0), and its interrupt is
/// routed here.
pub fn init(card: Option<VirtioNet>, ip: Option<&str>) {
    let parsed = ip.map(cmdline::ip::IpConfig::parse);
    let device = match &parsed {
        Some(Ok(cmdline::ip::IpConfig::Static(config))) => config.device.as_deref(),
        Some(Ok(cmdline::ip::IpConfig::Auto { device, .. })) => device.as_deref(),
        _ => None,
    };
    if let Some(device) = device.filter(|device| *device != "eth0") {
        log::warn!("ip=: no device {device}; configuring eth0");
    }
    let config = match parsed {
        None => Some(Eth0Config::Static(StaticIp::qemu_user())),
        Some(Ok(cmdline::ip::IpConfig::Static(config))) => Some(Eth0Config::Static(config)),
        Some(Ok(cmdline::ip::IpConfig::Off)) => None,
        Some(Ok(cmdline::ip::IpConfig::Auto { protocol, .. })) => {
            if protocol == "rarp" {
                log::warn!("ip=rarp: goose has no RARP, using DHCP");
            }
            Some(Eth0Config::Dhcp)
        }
        Some(Err(error)) => {
            log::warn!("ip=: {error}; eth0 left unconfigured");
            None
        }
    };
    let card = match (card, config) {
        (Some(card), Some(config)) => Some((card, config)),
        (Some(_), None) => {
            log::info!("eth0: not configured, card unused");
            None
        }
        (None, _) => None,
    };
    let is_dhcp = matches!(card, Some((_, Eth0Config::Dhcp)));
    let irq = card.as_ref().and_then(|(card, _)| card.irq());
    let stack = Box::new(Stack::new(card));
    *STACK.lock() = Some(stack);
    if let Some(irq) = irq {
        crate::irq::set_network_irq(irq);
        hal::plic::enable(irq, 0);
    }
    if is_dhcp {
        wait_for_lease();
    }
}

/// How long boot waits for a DHCP lease before going on without one (the
/// client keeps asking afterwards).
const DHCP_BOOT_WAIT_NS: u64 = 5_000_000_000;

/// As Linux's ip=dhcp, boot waits for the lease: programs started next
/// find eth0 configured. The stack is polled here directly, the card's
/// frames read from its queues.
fn wait_for_lease() {
    let deadline = crate::time::deadline_after(DHCP_BOOT_WAIT_NS);
    loop {
        if with(|stack| stack.dhcp.as_ref().is_some_and(|dhcp| dhcp.lease.is_some())) {
            return;
        }
        if hal::timer::now() >= deadline {
            log::warn!("eth0: no DHCP lease yet; going on, still asking");
            return;
        }
        let pause = crate::time::deadline_after(1_000_000);
        while hal::timer::now() < pause {
            core::hint::spin_loop();
        }
    }
}

/// The card's interrupt: acknowledge it and poll (the poll moves the
/// received frames into sockets and wakes their waiters).
pub fn on_card_interrupt() {
    with(|stack| stack.device.ack_card_interrupt());
}

/// Runs `f` on the stack (created on first use), then polls it, wakes
/// the queues of the sockets that changed and arms the timer for the next
/// deadline.
pub fn with<R>(f: impl FnOnce(&mut Stack) -> R) -> R {
    let (result, queues, delay) = {
        let mut guard = STACK.lock();
        let stack = guard.get_or_insert_with(loopback_only);
        let result = f(stack);
        stack.poll();
        let queues = stack.changed_queues();
        let delay = stack.interface.poll_delay(now(), &stack.sockets);
        (result, queues, delay)
    };
    // With the stack unlocked: a woken poll or epoll re-tests readiness,
    // which takes the stack again. A waiter testing its condition here
    // wakes only when its socket changed, so it does not spin.
    for queue in queues {
        queue.wake_all();
    }
    if let Some(delay) = delay {
        arm_timer(delay.total_micros().saturating_mul(1000));
    }
    result
}

/// Polls the stack (from the timer, or a waiter re-testing its condition).
pub fn poll() {
    with(|_| ());
}

/// Arms the poll timer `delay_ns` from now unless one is due sooner.
fn arm_timer(delay_ns: u64) {
    // At least a millisecond: a zero delay means "poll again now", which
    // `with` already did as far as there was work.
    let deadline = crate::time::deadline_after(delay_ns.max(1_000_000));
    let mut armed = TIMER_DEADLINE.load(Ordering::Acquire);
    loop {
        if armed != 0 && armed <= deadline {
            return;
        }
        match TIMER_DEADLINE.compare_exchange(armed, deadline, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => break,
            Err(current) => armed = current,
        }
    }
    crate::time::timer::arm_callback(deadline, move || {
        // Only the newest armed timer polls; older ones were superseded.
        if TIMER_DEADLINE.compare_exchange(deadline, 0, Ordering::AcqRel, Ordering::Acquire).is_ok() {
            poll();
        }
    });
}
