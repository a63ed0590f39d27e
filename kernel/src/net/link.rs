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
//! dropped (martians, RFC 1122 §3.2.1.3).
//!
//! One interface has one MTU: it is lo's, 64 KiB, so loopback TCP moves
//! 64 KiB segments as on Linux (Ethernet-sized ones ran at half Linux's
//! loopback throughput). eth0 stays Ethernet-sized: TCP to the wire keeps
//! to the peer's MSS, and any larger IPv4 packet routed to the card is
//! sent as fragments, as Linux fragments a datagram larger than eth0's
//! MTU. Fragments from the card are reassembled here (libs/reassembly).

use super::interfaces::{count_received, count_sent, Counted};
use crate::drivers::virtio_net::{ReceivedFrame, TransmitFrame, VirtioNet, FRAME_SIZE};
use alloc::collections::VecDeque;
use alloc::vec;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use smoltcp::phy::{self, DeviceCapabilities, Medium};
use smoltcp::time::Instant;
use smoltcp::wire::{
    ArpPacket, EthernetFrame, EthernetProtocol, Icmpv4Message, Icmpv4Packet, IpProtocol, Ipv4Address,
    Ipv4Packet, TcpPacket,
};

/// Frames waiting to come back in through `lo`; more are dropped, as a
/// full backlog drops them on Linux (netdev_max_backlog).
const LOOPBACK_BACKLOG: usize = 1024;

/// The largest frame smoltcp builds: a 64 KiB IP packet and its Ethernet
/// header (what fits the card, FRAME_SIZE, is cut into fragments).
const LOOPBACK_FRAME_SIZE: usize = 65535;

const ETHERNET_HEADER: usize = 14;

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
    /// The identification of the next fragmented packet to the card.
    fragment_ident: Cell<u16>,
    /// Fragments received from the card, until their datagrams are whole.
    reassembler: RefCell<reassembly::Reassembler>,
    /// ICMP errors about UDP datagrams sent from here, for the stack to
    /// hand to the sockets that sent them (smoltcp ignores them).
    pub udp_errors: RefCell<Vec<UdpError>>,
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
            fragment_ident: Cell::new(1),
            reassembler: RefCell::new(reassembly::Reassembler::new()),
            udp_errors: RefCell::new(Vec::new()),
            listening_ports: Vec::new(),
        }
    }

    pub fn card_mac_address(&self) -> Option<[u8; 6]> {
        self.card.as_ref().map(|card| card.borrow().mac_address())
    }

    pub fn add_own_address(&mut self, address: Ipv4Address) {
        self.own_addresses.push(address);
    }

    /// Whether frames wait to come back in through `lo`.
    pub fn has_looped(&self) -> bool {
        !self.looped.borrow().is_empty()
    }

    pub fn remove_own_address(&mut self, address: Ipv4Address) {
        self.own_addresses.retain(|own| *own != address);
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

    /// Whether a packet from the wire must be dropped: IPv4 to or from
    /// 127/8 never arrives on a real link.
    fn is_martian(packet: &Ipv4Packet<&[u8]>) -> bool {
        is_loopback(packet.src_addr()) || is_loopback(packet.dst_addr())
    }

    fn send(&self, frame: LoopedFrame) {
        let length = frame.bytes().len();
        match self.route(frame.bytes()) {
            Route::Loopback => {
                // smoltcp resolves even lo's addresses by ARP; Linux's lo
                // has no ARP, and its counters show none.
                let is_arp = is_arp(frame.bytes());
                let mut looped = self.looped.borrow_mut();
                let is_queued = looped.len() < LOOPBACK_BACKLOG;
                if is_queued {
                    looped.push_back(frame);
                }
                if !is_arp {
                    count_sent(Counted::Loopback, length, is_queued);
                }
            }
            Route::Card => match (&self.card, frame) {
                (Some(card), LoopedFrame::Card(frame)) => {
                    let is_sent = card.borrow_mut().send(frame);
                    count_sent(Counted::Card, length, is_sent);
                }
                (Some(card), LoopedFrame::Heap(bytes)) => self.send_fragments(&mut card.borrow_mut(), &bytes),
                (None, _) => {}
            },
            Route::Drop => {}
        }
    }
}

impl Links {
    /// Sends an IPv4 packet too large for the card as fragments that fit
    /// (RFC 791). smoltcp sets DF on all it sends without having chosen
    /// to: here DF means nothing, and each fragment goes without it.
    fn send_fragments(&self, card: &mut VirtioNet, frame: &[u8]) {
        let Ok(ethernet) = EthernetFrame::new_checked(frame) else { return };
        if ethernet.ethertype() != EthernetProtocol::Ipv4 {
            return;
        }
        let Ok(packet) = Ipv4Packet::new_checked(ethernet.payload()) else { return };
        let header_len = usize::from(packet.header_len());
        let ip_header = &ethernet.payload()[..header_len];
        let payload = packet.payload();
        let chunk_max = (FRAME_SIZE - ETHERNET_HEADER - header_len) & !7;
        let ident = self.fragment_ident.get();
        self.fragment_ident.set(ident.checked_add(1).unwrap_or(1));
        let (first_offset, is_fragment_already) = (usize::from(packet.frag_offset()), packet.more_frags());
        for (index, chunk) in payload.chunks(chunk_max).enumerate() {
            let offset = index * chunk_max;
            let mut out = card.new_frame(ETHERNET_HEADER + header_len + chunk.len());
            let bytes = out.bytes_mut();
            bytes[..ETHERNET_HEADER].copy_from_slice(&frame[..ETHERNET_HEADER]);
            bytes[ETHERNET_HEADER..ETHERNET_HEADER + header_len].copy_from_slice(ip_header);
            bytes[ETHERNET_HEADER + header_len..].copy_from_slice(chunk);
            let mut ip = Ipv4Packet::new_unchecked(&mut bytes[ETHERNET_HEADER..]);
            ip.set_total_len((header_len + chunk.len()) as u16);
            ip.set_ident(ident);
            ip.set_dont_frag(false);
            ip.set_more_frags(offset + chunk.len() < payload.len() || is_fragment_already);
            ip.set_frag_offset((first_offset + offset) as u16);
            ip.fill_checksum();
            let length = out.bytes_mut().len();
            let is_sent = card.send(out);
            count_sent(Counted::Card, length, is_sent);
        }
    }

    /// Adds a fragment from the card to the datagrams being reassembled;
    /// once it completes one, the datagram as one frame (its header is
    /// this fragment's, without options, as the first fragment's copied
    /// ones are not kept).
    fn reassemble(&self, frame: &[u8], packet: &Ipv4Packet<&[u8]>, timestamp: Instant) -> Option<Vec<u8>> {
        if !packet.verify_checksum() {
            return None;
        }
        let fragment = reassembly::Fragment {
            key: reassembly::Key {
                source: packet.src_addr().octets(),
                destination: packet.dst_addr().octets(),
                protocol: packet.next_header().into(),
                ident: packet.ident(),
            },
            offset: usize::from(packet.frag_offset()),
            is_last: !packet.more_frags(),
            payload: packet.payload(),
        };
        let now_ns = u64::try_from(timestamp.total_micros()).unwrap_or(0).saturating_mul(1000);
        let payload = self.reassembler.borrow_mut().add(now_ns, fragment)?;
        const HEADER: usize = 20;
        let length = ETHERNET_HEADER + HEADER + payload.len();
        let mut whole = Vec::new();
        whole.try_reserve_exact(length).ok()?;
        whole.extend_from_slice(&frame[..ETHERNET_HEADER + HEADER]);
        whole.extend_from_slice(&payload);
        let mut ip = Ipv4Packet::new_unchecked(&mut whole[ETHERNET_HEADER..]);
        ip.set_header_len(HEADER as u8);
        ip.set_total_len((HEADER + payload.len()) as u16);
        ip.clear_flags();
        ip.set_frag_offset(0);
        ip.fill_checksum();
        Some(whole)
    }

    /// Keeps an ICMP destination-unreachable error about a UDP datagram,
    /// if `packet` is one Linux reports to the sending socket.
    fn note_udp_error(&self, packet: &Ipv4Packet<&[u8]>) {
        let Some(error) = udp_error(packet) else { return };
        let mut errors = self.udp_errors.borrow_mut();
        if errors.len() < UDP_ERRORS_KEPT {
            errors.push(error);
        }
    }

    /// The checks of the way in from the card: martians dropped,
    /// fragments reassembled, SYNs to a full accept queue dropped (a
    /// fragment's only once its datagram is whole), ICMP errors noted.
    fn card_ingress(&self, frame: &[u8], timestamp: Instant) -> Ingress {
        let Some(packet) = ipv4_packet(frame) else { return Ingress::Pass };
        if Links::is_martian(&packet) {
            return Ingress::Drop;
        }
        if !is_fragment(&packet) {
            if self.is_syn_to_saturated_port(&packet) {
                return Ingress::Drop;
            }
            self.note_udp_error(&packet);
            return Ingress::Pass;
        }
        let Some(whole) = self.reassemble(frame, &packet, timestamp) else { return Ingress::Drop };
        match ipv4_packet(&whole) {
            Some(packet) if self.is_syn_to_saturated_port(&packet) => Ingress::Drop,
            Some(packet) => {
                self.note_udp_error(&packet);
                Ingress::Reassembled(whole)
            }
            None => Ingress::Drop,
        }
    }

    /// Whether `packet` opens a TCP connection (SYN without ACK) to a port
    /// whose accept queue is full; a SYN let through takes one of its
    /// port's free listeners (a SYN sent again for a half-open connection
    /// takes one too: at worst a later SYN waits for its retransmission).
    fn is_syn_to_saturated_port(&self, packet: &Ipv4Packet<&[u8]>) -> bool {
        if self.listening_ports.is_empty() || packet.next_header() != IpProtocol::Tcp {
            return false;
        }
        let Ok(segment) = TcpPacket::new_checked(packet.payload()) else { return false };
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

/// ICMP errors kept between two polls of the stack; more are dropped.
const UDP_ERRORS_KEPT: usize = 64;

/// An ICMP error about a UDP datagram from `local` to `remote`.
#[derive(Clone, Copy, Debug)]
pub struct UdpError {
    pub local: (Ipv4Address, u16),
    pub remote: (Ipv4Address, u16),
    pub errno: abi::Errno,
}

/// The errno of a destination-unreachable code that Linux treats as a
/// hard error for UDP (icmp_err_convert's fatal entries); the others (net
/// or host unreachable, fragmentation needed) reach only sockets that ask
/// with IP_RECVERR.
fn unreachable_errno(code: u8) -> Option<abi::Errno> {
    use abi::Errno::*;
    Some(match code {
        2 => ENOPROTOOPT,
        3 => ECONNREFUSED,
        6 | 9 => ENETUNREACH,
        7 => EHOSTDOWN,
        8 => ENONET,
        10 | 13..=15 => EHOSTUNREACH,
        _ => return None,
    })
}

/// The UDP error `frame` carries, if it is an ICMP destination
/// unreachable quoting a UDP datagram (RFC 792: the IP header and the
/// first 8 bytes of the datagram).
fn udp_error(packet: &Ipv4Packet<&[u8]>) -> Option<UdpError> {
    if packet.next_header() != IpProtocol::Icmp {
        return None;
    }
    let icmp = Icmpv4Packet::new_checked(packet.payload()).ok()?;
    if icmp.msg_type() != Icmpv4Message::DstUnreachable {
        return None;
    }
    let errno = unreachable_errno(icmp.msg_code())?;
    let quoted = icmp.data();
    let header_len = usize::from(*quoted.first()? & 0x0f) * 4;
    if header_len < 20 || quoted.len() < header_len + 8 {
        return None;
    }
    let original = Ipv4Packet::new_unchecked(quoted);
    if original.next_header() != IpProtocol::Udp {
        return None;
    }
    let ports = &quoted[header_len..header_len + 4];
    Some(UdpError {
        local: (original.src_addr(), u16::from_be_bytes([ports[0], ports[1]])),
        remote: (original.dst_addr(), u16::from_be_bytes([ports[2], ports[3]])),
        errno,
    })
}

fn is_arp(frame: &[u8]) -> bool {
    EthernetFrame::new_checked(frame).is_ok_and(|ethernet| ethernet.ethertype() == EthernetProtocol::Arp)
}

/// The IPv4 packet an Ethernet frame carries, if it carries one: parsed
/// once per received frame for every check of the way in.
fn ipv4_packet(frame: &[u8]) -> Option<Ipv4Packet<&[u8]>> {
    let ethernet = EthernetFrame::new_checked(frame).ok()?;
    if ethernet.ethertype() != EthernetProtocol::Ipv4 {
        return None;
    }
    Ipv4Packet::new_checked(frame.get(ETHERNET_HEADER..)?).ok()
}

fn is_fragment(packet: &Ipv4Packet<&[u8]>) -> bool {
    packet.more_frags() || packet.frag_offset() != 0
}

/// What the way in does with a frame.
enum Ingress {
    Pass,
    Drop,
    /// A fragment that completed its datagram (a frame of its own).
    Reassembled(Vec<u8>),
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
        // the card's transmit buffer when there is a card and the frame
        // fits it (a looped frame is read back from there), a heap buffer
        // otherwise (looped, or cut into fragments for the card).
        let (result, frame) = match &links.card {
            Some(card) if len <= FRAME_SIZE => {
                let mut frame = card.borrow().new_frame(len);
                (f(frame.bytes_mut()), LoopedFrame::Card(frame))
            }
            _ => {
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

    fn receive(&mut self, timestamp: Instant) -> Option<(ReceiveToken<'_>, TransmitToken<'_>)> {
        while let Some(frame) = self.looped.get_mut().pop_front() {
            if !is_arp(frame.bytes()) {
                count_received(Counted::Loopback, frame.bytes().len());
            }
            if let Some(packet) = ipv4_packet(frame.bytes()) {
                self.note_udp_error(&packet);
                if self.is_syn_to_saturated_port(&packet) {
                    continue;
                }
            }
            return Some((ReceiveToken::Looped(frame), TransmitToken(self)));
        }
        let links: &Links = self;
        let card = links.card.as_ref()?;
        loop {
            let frame = card.borrow_mut().receive()?;
            count_received(Counted::Card, frame.bytes().len());
            match links.card_ingress(frame.bytes(), timestamp) {
                Ingress::Pass => return Some((ReceiveToken::Card(Some(frame), card), TransmitToken(links))),
                Ingress::Drop => card.borrow_mut().recycle(frame),
                Ingress::Reassembled(whole) => {
                    card.borrow_mut().recycle(frame);
                    return Some((ReceiveToken::Looped(LoopedFrame::Heap(whole)), TransmitToken(links)));
                }
            }
        }
    }

    fn transmit(&mut self, _timestamp: Instant) -> Option<TransmitToken<'_>> {
        Some(TransmitToken(self))
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut capabilities = DeviceCapabilities::default();
        capabilities.medium = Medium::Ethernet;
        capabilities.max_transmission_unit = LOOPBACK_FRAME_SIZE;
        capabilities
    }
}
