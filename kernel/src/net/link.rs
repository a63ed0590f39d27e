//! The links under the stack's one smoltcp interface: `lo` (frames looped
//! back in memory) and `eth0` (the virtio network card), behind a single
//! smoltcp `phy::Device` that routes each outgoing Ethernet frame by its
//! IPv4 destination.
//!
//! Why one interface and not one per device: smoltcp's `Interface::poll`
//! sends every socket of the set it is given out of its own device, so two
//! interfaces sharing one socket set would push 127.0.0.1 segments out of
//! eth0 (and mark them sent); one set per interface would need every
//! goose socket bound to 0.0.0.0 (listeners, UDP) duplicated in both sets.
//! Instead the interface holds both addresses (127.0.0.1/8 and eth0's)
//! and this device decides, as Linux's routing does for `lo`: a frame for
//! 127/8 or for one of eth0's own addresses goes back in (ARP included,
//! so smoltcp answers its own ARP request and learns its own MAC for
//! those addresses); anything else goes to the card. Frames from 127/8
//! never reach the wire and frames from the wire to or from 127/8 are
//! dropped (martians, RFC 1122 §3.2.1.3). The price: one MTU for both,
//! so loopback TCP segments are Ethernet-sized (1460-byte MSS) when a card
//! is present (65535 without one).

use crate::drivers::virtio_net::{ReceivedFrame, TransmitFrame, VirtioNet, FRAME_SIZE};
use alloc::collections::VecDeque;
use alloc::vec;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use smoltcp::phy::{self, DeviceCapabilities, Medium};
use smoltcp::time::Instant;
use smoltcp::wire::{
    ArpPacket, EthernetFrame, EthernetProtocol, IpProtocol, Ipv4Address, Ipv4Packet, TcpPacket,
};

/// Frames waiting to come back in through `lo`; more are dropped, as a
/// full backlog drops them on Linux (netdev_max_backlog).
const LOOPBACK_BACKLOG: usize = 1024;

/// The largest loopback frame when there is no card: a 64 KiB IP packet
/// and its Ethernet header.
const LOOPBACK_FRAME_SIZE: usize = 65535;

/// A frame looping back: the buffer it was built in, never copied.
pub enum LoopedFrame {
    Card(TransmitFrame),
    Heap(Vec<u8>),
}

impl LoopedFrame {
    fn bytes(&self) -> &[u8] {
        match self {
            LoopedFrame::Card(frame) => frame.bytes(),
            LoopedFrame::Heap(bytes) => bytes,
        }
    }
}

pub struct Links {
    /// `eth0`, if a card was found and `ip=` did not turn it off.
    card: Option<RefCell<VirtioNet>>,
    looped: RefCell<VecDeque<LoopedFrame>>,
    /// eth0's own addresses: traffic to them stays on `lo`, as on Linux.
    own_addresses: Vec<Ipv4Address>,
    /// Listening TCP ports and how many of their smoltcp listeners are
    /// free (set by the stack before each poll). Each SYN let through to
    /// such a port takes one; a SYN to a port with none left is dropped.
    pub listening_ports: Vec<(u16, Cell<usize>)>,
}

/// Where an outgoing frame goes.
enum Route {
    Loopback,
    Card,
    Drop,
}

fn is_loopback(address: Ipv4Address) -> bool {
    address.octets()[0] == 127
}

impl Links {
    pub fn new(card: Option<VirtioNet>) -> Links {
        Links {
            card: card.map(RefCell::new),
            looped: RefCell::new(VecDeque::new()),
            own_addresses: Vec::new(),
            listening_ports: Vec::new(),
        }
    }

    pub fn card_mac_address(&self) -> Option<[u8; 6]> {
        self.card.as_ref().map(|card| card.borrow().mac_address())
    }

    pub fn add_own_address(&mut self, address: Ipv4Address) {
        self.own_addresses.push(address);
    }

    /// Acknowledges the card's interrupt; the caller polls the stack.
    pub fn ack_card_interrupt(&mut self) {
        if let Some(card) = &self.card {
            card.borrow_mut().ack_interrupt();
        }
    }

    fn is_local(&self, address: Ipv4Address) -> bool {
        is_loopback(address) || self.own_addresses.contains(&address)
    }

    /// Routes an outgoing frame by its IPv4 (or ARP target) address.
    fn route(&self, frame: &[u8]) -> Route {
        let Ok(ethernet) = EthernetFrame::new_checked(frame) else { return Route::Drop };
        let (source, destination) = match ethernet.ethertype() {
            EthernetProtocol::Arp => match ArpPacket::new_checked(ethernet.payload()) {
                Ok(arp) => (ipv4(arp.source_protocol_addr()), ipv4(arp.target_protocol_addr())),
                Err(_) => return Route::Drop,
            },
            EthernetProtocol::Ipv4 => match Ipv4Packet::new_checked(ethernet.payload()) {
                Ok(packet) => (Some(packet.src_addr()), Some(packet.dst_addr())),
                Err(_) => return Route::Drop,
            },
            _ => (None, None),
        };
        match (source, destination) {
            (_, Some(destination)) if self.is_local(destination) => Route::Loopback,
            (Some(source), _) if is_loopback(source) => Route::Drop,
            _ if self.card.is_some() => Route::Card,
            _ => Route::Drop,
        }
    }

    /// Whether a frame from the wire must be dropped: IPv4 to or from
    /// 127/8 never arrives on a real link.
    fn is_martian(frame: &[u8]) -> bool {
        let Ok(ethernet) = EthernetFrame::new_checked(frame) else { return false };
        if ethernet.ethertype() != EthernetProtocol::Ipv4 {
            return false;
        }
        match Ipv4Packet::new_checked(ethernet.payload()) {
            Ok(packet) => is_loopback(packet.src_addr()) || is_loopback(packet.dst_addr()),
            Err(_) => false,
        }
    }

    fn send(&self, frame: LoopedFrame) {
        match self.route(frame.bytes()) {
            Route::Loopback => {
                let mut looped = self.looped.borrow_mut();
                if looped.len() < LOOPBACK_BACKLOG {
                    looped.push_back(frame);
                }
            }
            Route::Card => {
                if let (Some(card), LoopedFrame::Card(frame)) = (&self.card, frame) {
                    card.borrow_mut().send(frame);
                }
            }
            Route::Drop => {}
        }
    }
}

impl Links {
    /// Whether `frame` opens a TCP connection (SYN without ACK) to a port
    /// whose accept queue is full; a SYN let through takes one of its
    /// port's free listeners (a SYN sent again for a half-open connection
    /// takes one too: at worst a later SYN waits for its retransmission).
    fn is_syn_to_saturated_port(&self, frame: &[u8]) -> bool {
        if self.listening_ports.is_empty() {
            return false;
        }
        let Ok(ethernet) = EthernetFrame::new_checked(frame) else { return false };
        if ethernet.ethertype() != EthernetProtocol::Ipv4 {
            return false;
        }
        let Ok(ip) = Ipv4Packet::new_checked(ethernet.payload()) else { return false };
        if ip.next_header() != IpProtocol::Tcp {
            return false;
        }
        let Ok(segment) = TcpPacket::new_checked(ip.payload()) else { return false };
        if !segment.syn() || segment.ack() {
            return false;
        }
        let port = segment.dst_port();
        let Some((_, free)) = self.listening_ports.iter().find(|(listening, _)| *listening == port) else {
            return false;
        };
        match free.get() {
            0 => true,
            count => {
                free.set(count - 1);
                false
            }
        }
    }
}

fn ipv4(bytes: &[u8]) -> Option<Ipv4Address> {
    <[u8; 4]>::try_from(bytes).ok().map(Ipv4Address::from)
}

/// A received frame: looped back, or in the card's buffer (posted back to
/// the card once read, or when the token is dropped unread).
pub enum ReceiveToken<'a> {
    Looped(LoopedFrame),
    Card(Option<ReceivedFrame>, &'a RefCell<VirtioNet>),
}

impl phy::RxToken for ReceiveToken<'_> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(mut self, f: F) -> R {
        match &mut self {
            ReceiveToken::Looped(frame) => f(frame.bytes()),
            ReceiveToken::Card(frame, _) => f(frame.as_ref().map_or(&[][..], |frame| frame.bytes())),
        }
        // Drop posts the card's buffer back.
    }
}

impl Drop for ReceiveToken<'_> {
    fn drop(&mut self) {
        if let ReceiveToken::Card(frame, card) = self {
            if let Some(frame) = frame.take() {
                card.borrow_mut().recycle(frame);
            }
        }
    }
}

pub struct TransmitToken<'a>(&'a Links);

impl phy::TxToken for TransmitToken<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let links = self.0;
        // smoltcp writes the frame once, into the buffer it leaves in:
        // the card's transmit buffer when there is a card (a looped frame
        // is read back from there), a heap buffer otherwise.
        let (result, frame) = match &links.card {
            Some(card) => {
                let mut frame = card.borrow().new_frame(len);
                (f(frame.bytes_mut()), LoopedFrame::Card(frame))
            }
            None => {
                let mut bytes = vec![0; len];
                (f(&mut bytes), LoopedFrame::Heap(bytes))
            }
        };
        links.send(frame);
        result
    }
}

impl phy::Device for Links {
    type RxToken<'a> = ReceiveToken<'a>;
    type TxToken<'a> = TransmitToken<'a>;

    fn receive(&mut self, _timestamp: Instant) -> Option<(ReceiveToken<'_>, TransmitToken<'_>)> {
        while let Some(frame) = self.looped.get_mut().pop_front() {
            if self.is_syn_to_saturated_port(frame.bytes()) {
                continue;
            }
            return Some((ReceiveToken::Looped(frame), TransmitToken(self)));
        }
        let links: &Links = self;
        let card = links.card.as_ref()?;
        loop {
            let frame = card.borrow_mut().receive()?;
            if Links::is_martian(frame.bytes()) || links.is_syn_to_saturated_port(frame.bytes()) {
                card.borrow_mut().recycle(frame);
                continue;
            }
            return Some((ReceiveToken::Card(Some(frame), card), TransmitToken(links)));
        }
    }

    fn transmit(&mut self, _timestamp: Instant) -> Option<TransmitToken<'_>> {
        Some(TransmitToken(self))
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut capabilities = DeviceCapabilities::default();
        capabilities.medium = Medium::Ethernet;
        capabilities.max_transmission_unit =
            if self.card.is_some() { FRAME_SIZE } else { LOOPBACK_FRAME_SIZE };
        capabilities
    }
}
