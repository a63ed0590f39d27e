//! /proc/net/tcp and /proc/net/udp, as Linux's tcp4_seq_show and
//! udp4_format_sock print them (busybox netstat and ss parse these): one
//! line per AF_INET socket that has a descriptor. Connections not accepted
//! yet and closed ones still finishing (FIN-WAIT, TIME-WAIT) have none
//! here and are not listed.

use super::socket::SocketFile;
use alloc::format;
use alloc::string::String;
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use hal::sync::SpinLock;
use smoltcp::wire::{IpAddress, IpEndpoint};

/// What a line says of a socket.
pub struct InetEntry {
    pub local: IpEndpoint,
    pub remote: Option<IpEndpoint>,
    /// Linux's TCP state number (TCP_ESTABLISHED 1 ... TCP_LISTEN 10); a
    /// UDP socket is 1 when connected, 7 (TCP_CLOSE) otherwise.
    pub state: u8,
    pub tx_queue: usize,
    pub rx_queue: usize,
    /// A connection not accepted yet: it has no descriptor, and Linux
    /// prints inode 0 and uid 0 for it.
    pub is_unaccepted: bool,
}

/// Which file a socket's line goes to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Tcp,
    Udp,
}

/// AF_INET sockets with descriptors, oldest first.
static SOCKETS: SpinLock<Vec<Weak<SocketFile>>> = SpinLock::new(Vec::new());

/// Lists `file` (an AF_INET socket) in /proc/net.
pub fn register(file: &Arc<SocketFile>) {
    let mut sockets = SOCKETS.lock();
    sockets.retain(|socket| socket.strong_count() > 0);
    sockets.push(Arc::downgrade(file));
}

/// An IPv4 address and port as Linux prints them: the address's four
/// bytes as one native-endian word (127.0.0.1 is 0100007F here), then the
/// port in hex.
fn endpoint(endpoint: Option<IpEndpoint>) -> String {
    let (octets, port) = match endpoint {
        Some(IpEndpoint { addr: IpAddress::Ipv4(address), port }) => (address.octets(), port),
        _ => ([0; 4], 0),
    };
    format!("{:08X}:{:04X}", u32::from_ne_bytes(octets), port)
}

/// Pads a line to Linux's fixed width (seq_pad).
fn padded(mut line: String, width: usize) -> String {
    while line.len() < width {
        line.push(' ');
    }
    line.push('\n');
    line
}

/// The lines of `table`, as Linux walks its hash tables: listening
/// sockets first (here by port), then the others (here oldest first).
fn entries(table: Table) -> Vec<(InetEntry, u32, u64)> {
    let sockets: Vec<Arc<SocketFile>> = SOCKETS.lock().iter().filter_map(Weak::upgrade).collect();
    let mut listening = Vec::new();
    let mut others = Vec::new();
    for file in &sockets {
        for (kind, entry) in file.socket.inet_entries() {
            if kind != table {
                continue;
            }
            let (uid, inode) = if entry.is_unaccepted { (0, 0) } else { (file.uid(), file.inode) };
            if entry.state == LISTEN {
                listening.push((entry, uid, inode));
            } else {
                others.push((entry, uid, inode));
            }
        }
    }
    listening.sort_by_key(|(entry, _, _)| entry.local.port);
    listening.extend(others);
    listening
}

/// TCP_LISTEN in Linux's numbering.
pub const LISTEN: u8 = 10;

/// /proc/net/tcp6 and /proc/net/udp6: goose has no IPv6 sockets, so the
/// tables are empty (netstat reads them all).
pub fn render_tcp6() -> String {
    padded(
        String::from(
            "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
        ),
        0,
    )
}

pub fn render_udp6() -> String {
    padded(
        String::from(
            "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops",
        ),
        0,
    )
}

/// The columns both tables share, from local_address to inode (the
/// retransmit timer and count, and the timeout, are zero here).
fn columns(entry: &InetEntry, uid: u32, inode: u64) -> String {
    format!(
        "{} {} {:02X} {:08X}:{:08X} 00:00000000 00000000 {uid:5} {:8} {inode}",
        endpoint(Some(entry.local)),
        endpoint(entry.remote),
        entry.state,
        entry.tx_queue,
        entry.rx_queue,
        0,
    )
}

/// /proc/net/tcp.
pub fn render_tcp() -> String {
    let mut text = padded(
        String::from("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"),
        149,
    );
    for (index, (entry, uid, inode)) in entries(Table::Tcp).into_iter().enumerate() {
        let line = format!("{index:4}: {} 1 0000000000000000 20 4 0 10 -1", columns(&entry, uid, inode));
        text.push_str(&padded(line, 149));
    }
    text
}

/// /proc/net/udp.
pub fn render_udp() -> String {
    let mut text = padded(
        String::from(
            "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops",
        ),
        127,
    );
    for (entry, uid, inode) in entries(Table::Udp) {
        // The bucket is the local port's slot in Linux's hash table
        // (udp_table.mask + 1 slots; 128 for a small machine).
        let bucket = entry.local.port % 128;
        let line = format!("{bucket:5}: {} 2 0000000000000000 0", columns(&entry, uid, inode));
        text.push_str(&padded(line, 127));
    }
    text
}
