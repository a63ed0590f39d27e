//! The TCP/IP stack: one smoltcp interface over `lo` (127.0.0.1/8) and
//! `eth0` (the virtio card, configured from `ip=`; see `link` for how the
//! two share the interface), its socket set, and the bookkeeping smoltcp
//! leaves to the host (which ports are taken). The stack is polled after every socket call that may have
//! produced work and from a timer armed at smoltcp's next deadline
//! (retransmissions, TIME-WAIT), never in a busy loop. Every poll that
//! changed something wakes [`CHANGED`], the queue inet sockets wait on.

use super::link::Links;
use crate::drivers::virtio_net::VirtioNet;
use crate::error::Result;
use crate::return_errno;
use crate::sync::WaitQueue;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use cmdline::ip::StaticIp;
use core::sync::atomic::{AtomicU64, Ordering};
use hal::sync::SpinLock;
use smoltcp::iface::{Config, Interface, PollResult, SocketHandle, SocketSet};
use smoltcp::socket::tcp;
use smoltcp::time::Instant;
use smoltcp::wire::{EthernetAddress, HardwareAddress, IpAddress, IpCidr, Ipv4Address};

/// Transport protocols, for the port table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Transport {
    Tcp,
    Udp,
}

/// Linux's default ephemeral range (/proc/sys/net/ipv4/ip_local_port_range).
const EPHEMERAL_FIRST: u16 = 32768;
const EPHEMERAL_LAST: u16 = 60999;

pub struct Stack {
    pub interface: Interface,
    device: Links,
    pub sockets: SocketSet<'static>,
    /// Ports held by goose sockets, with how many hold each.
    ports: BTreeMap<(Transport, u16), usize>,
    next_ephemeral: u16,
    /// TCP sockets closed by their last descriptor that smoltcp is still
    /// finishing (FIN, TIME-WAIT); removed from the set once closed.
    orphans: Vec<SocketHandle>,
}

static STACK: SpinLock<Option<Stack>> = SpinLock::new(None);

/// Woken whenever a poll may have changed any inet socket's state.
pub static CHANGED: WaitQueue = WaitQueue::new();

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
    fn new(card: Option<(VirtioNet, StaticIp)>) -> Stack {
        let (card, eth0) = match card {
            Some((card, config)) => (Some(card), Some(config)),
            None => (None, None),
        };
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
        if let Some(eth0) = eth0 {
            let address = Ipv4Address::from(eth0.address.octets());
            interface.update_ip_addrs(|addresses| {
                let _ = addresses.push(IpCidr::new(IpAddress::Ipv4(address), eth0.prefix_len));
            });
            device.add_own_address(address);
            super::interfaces::register(
                "eth0",
                netlink::ARPHRD_ETHER,
                super::interfaces::ETHERNET_FLAGS,
                1500,
                mac,
            );
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
            sockets: SocketSet::new(Vec::new()),
            ports: BTreeMap::new(),
            next_ephemeral: EPHEMERAL_FIRST,
            orphans: Vec::new(),
        }
    }

    /// Takes `port` (0: a free ephemeral one); EADDRINUSE when taken and
    /// `is_shared` is false.
    pub fn take_port(&mut self, transport: Transport, port: u16, is_shared: bool) -> Result<u16> {
        if port != 0 {
            let holders = self.ports.entry((transport, port)).or_insert(0);
            if *holders > 0 && !is_shared {
                return_errno!(EADDRINUSE);
            }
            *holders += 1;
            return Ok(port);
        }
        let span = (EPHEMERAL_LAST - EPHEMERAL_FIRST + 1) as usize;
        for _ in 0..span {
            let candidate = self.next_ephemeral;
            self.next_ephemeral = if candidate == EPHEMERAL_LAST { EPHEMERAL_FIRST } else { candidate + 1 };
            if let alloc::collections::btree_map::Entry::Vacant(entry) =
                self.ports.entry((transport, candidate))
            {
                entry.insert(1);
                return Ok(candidate);
            }
        }
        return_errno!(EADDRINUSE)
    }

    pub fn release_port(&mut self, transport: Transport, port: u16) {
        if let Some(holders) = self.ports.get_mut(&(transport, port)) {
            *holders -= 1;
            if *holders == 0 {
                self.ports.remove(&(transport, port));
            }
        }
    }

    /// Whether `address` is one of the interface's own (for bind).
    pub fn is_local_address(&self, address: IpAddress) -> bool {
        address.is_unspecified() || self.interface.has_ip_addr(address)
    }

    pub fn remove(&mut self, handle: SocketHandle) {
        self.sockets.remove(handle);
    }

    /// Closes a TCP connection whose last descriptor went away. As Linux's
    /// tcp_close: unread data means a reset, otherwise a FIN; data that
    /// arrives afterwards draws a reset too (see `reap_orphans`).
    pub fn orphan_tcp(&mut self, handle: SocketHandle) {
        let socket = self.sockets.get_mut::<tcp::Socket>(handle);
        if socket.recv_queue() > 0 {
            socket.abort();
        } else {
            socket.close();
        }
        self.orphans.push(handle);
    }

    /// Resets orphans that received data and frees the closed ones.
    fn reap_orphans(&mut self) -> bool {
        let mut is_reset_sent = false;
        let sockets = &mut self.sockets;
        self.orphans.retain(|handle| {
            let socket = sockets.get_mut::<tcp::Socket>(*handle);
            // Closed before the poll that just ran, so its reset (sent by
            // smoltcp's dispatch of a closed socket) is out.
            if socket.state() == tcp::State::Closed {
                sockets.remove(*handle);
                return false;
            }
            if socket.recv_queue() > 0 {
                socket.abort();
                is_reset_sent = true;
            }
            true
        });
        is_reset_sent
    }

    /// Runs the interface until it has nothing left to do (loopback
    /// packets come back in as the next round's ingress); true if any
    /// socket may have changed.
    fn poll(&mut self) -> bool {
        let mut changed = false;
        // Bounded: each round moves queued packets along; 64 rounds is
        // far more than a loopback exchange needs between two polls.
        for _ in 0..64 {
            let result = self.interface.poll(now(), &mut self.device, &mut self.sockets);
            // A reset queued for an orphan goes out in the next round.
            let is_reset_sent = self.reap_orphans();
            match result {
                PollResult::SocketStateChanged => changed = true,
                PollResult::None if !is_reset_sent => break,
                PollResult::None => {}
            }
        }
        changed
    }
}

/// Builds the stack at boot: `card` becomes eth0 configured by `ip`
/// (absent: QEMU's user network; `off`: no eth0), and its interrupt is
/// routed here.
pub fn init(card: Option<VirtioNet>, ip: Option<&str>) {
    let config = match ip.map(cmdline::ip::IpConfig::parse) {
        None => Some(StaticIp::qemu_user()),
        Some(Ok(cmdline::ip::IpConfig::Static(config))) => Some(config),
        Some(Ok(cmdline::ip::IpConfig::Off)) => None,
        Some(Ok(cmdline::ip::IpConfig::Auto { protocol, .. })) => {
            log::warn!(
                "ip={protocol}: goose has no autoconfiguration, using QEMU's user network (10.0.2.15/24)"
            );
            Some(StaticIp::qemu_user())
        }
        Some(Err(error)) => {
            log::warn!("ip=: {error}; eth0 left unconfigured");
            None
        }
    };
    if let Some(device) = config.as_ref().and_then(|config| config.device.as_deref()) {
        if device != "eth0" {
            log::warn!("ip=: no device {device}; configuring eth0");
        }
    }
    let card = match (card, config) {
        (Some(card), Some(config)) => Some((card, config)),
        (Some(_), None) => {
            log::info!("eth0: not configured, card unused");
            None
        }
        (None, _) => None,
    };
    let irq = card.as_ref().and_then(|(card, _)| card.irq());
    *STACK.lock() = Some(Stack::new(card));
    if let Some(irq) = irq {
        crate::irq::set_network_irq(irq);
        hal::plic::enable(irq, 0);
    }
}

/// The card's interrupt: acknowledge it and poll (the poll moves the
/// received frames into sockets and wakes their waiters).
pub fn on_card_interrupt() {
    with(|stack| stack.device.ack_card_interrupt());
}

/// Runs `f` on the stack (created loopback-only if `init` has not run), then polls it, wakes
/// waiters if anything changed and arms the timer for the next deadline.
pub fn with<R>(f: impl FnOnce(&mut Stack) -> R) -> R {
    let (result, changed, delay) = {
        let mut guard = STACK.lock();
        let stack = guard.get_or_insert_with(|| Stack::new(None));
        let result = f(stack);
        let changed = stack.poll();
        let delay = stack.interface.poll_delay(now(), &stack.sockets);
        (result, changed, delay)
    };
    // Only on a change: waiters poll from their conditions, and a wake
    // there would wake the waiter itself again and again.
    if changed {
        CHANGED.wake_all();
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
