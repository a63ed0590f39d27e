//! /proc/PID/net (and /proc/net, a link to /proc/self/net): the network
//! files programs parse, in Linux's formats, generated from
//! `net::interfaces`: `dev` (busybox ifconfig's interface list and
//! counters), `route` (busybox route, netstat -r), `sockstat`, and `tcp`
//! and `udp` (netstat's socket lists, net::proc_sockets).

use super::{directory, file, inode_number};
use crate::error::Result;
use crate::return_errno;
use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::super::tmpfs::{DynamicDirectory, Inode};

type Render = fn() -> String;

const FILES: &[(&str, Render)] = &[
    ("dev", dev),
    ("route", route),
    ("sockstat", crate::net::sockstat::render),
    ("tcp", crate::net::proc_sockets::render_tcp),
    ("udp", crate::net::proc_sockets::render_udp),
    ("tcp6", crate::net::proc_sockets::render_tcp6),
    ("udp6", crate::net::proc_sockets::render_udp6),
];

/// The directory; its entries share inode numbers for every process.
pub fn net_directory() -> Arc<Inode> {
    directory(inode_number(0, 3), NetDirectory)
}

struct NetDirectory;

impl DynamicDirectory for NetDirectory {
    fn lookup(&self, name: &[u8]) -> Result<Arc<Inode>> {
        match FILES.iter().position(|(n, _)| n.as_bytes() == name) {
            Some(index) => {
                let render = FILES[index].1;
                Ok(file(inode_number(0, 64 + index as u64), move || render().into_bytes()))
            }
            None => return_errno!(ENOENT),
        }
    }

    fn list(&self) -> Vec<(Vec<u8>, Arc<Inode>)> {
        FILES
            .iter()
            .filter_map(|(name, _)| {
                self.lookup(name.as_bytes()).ok().map(|i| (Vec::from(name.as_bytes()), i))
            })
            .collect()
    }
}

/// /proc/net/dev, as dev_seq_show prints it.
fn dev() -> String {
    let mut text = String::from(
        "Inter-|   Receive                                                |  Transmit\n \
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n",
    );
    for link in crate::net::interfaces::links() {
        let s = link.stats;
        text.push_str(&format!(
            "{:>6}:{:>8} {:>7} {:>4} {:>4} {:>4} {:>5} {:>10} {:>9} {:>8} {:>7} {:>4} {:>4} {:>4} {:>5} {:>7} {:>10}\n",
            link.name,
            s.rx_bytes,
            s.rx_packets,
            s.rx_errors,
            s.rx_dropped,
            0,
            0,
            0,
            0,
            s.tx_bytes,
            s.tx_packets,
            s.tx_errors,
            s.tx_dropped,
            0,
            0,
            0,
            0
        ));
    }
    text
}

/// A line of /proc/net/route padded to 127 columns (seq_pad).
fn padded(line: String) -> String {
    format!("{line:<127}\n")
}

/// /proc/net/route (fib_route_seq_show): addresses as the native-endian
/// value of the network-order word, flags RTF_UP and RTF_GATEWAY.
fn route() -> String {
    let mut text = padded(String::from(
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
    ));
    let links = crate::net::interfaces::links();
    for route in crate::net::interfaces::routes() {
        let name = links.iter().find(|l| l.index == route.index).map_or("*", |l| l.name.as_str());
        let mask = if route.prefix == 0 { 0u32 } else { u32::MAX << (32 - route.prefix) };
        let flags = 0x1 | if route.gateway.is_some() { 0x2 } else { 0 };
        text.push_str(&padded(format!(
            "{}\t{:08X}\t{:08X}\t{:04X}\t0\t0\t0\t{:08X}\t0\t0\t0",
            name,
            u32::from_ne_bytes(route.destination),
            u32::from_ne_bytes(route.gateway.unwrap_or([0; 4])),
            flags,
            u32::from_ne_bytes(mask.to_be_bytes()),
        )));
    }
    text
}
