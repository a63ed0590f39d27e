//! /proc/net/sockstat: how many sockets exist and what TCP and UDP hold,
//! in Linux's format (net/ipv4/proc.c's sockstat_seq_show).

use super::stack;
use alloc::format;
use alloc::string::String;
use core::sync::atomic::{AtomicUsize, Ordering};

/// Sockets behind descriptors, of every family ("sockets: used").
static SOCKETS_IN_USE: AtomicUsize = AtomicUsize::new(0);

pub fn socket_created() {
    SOCKETS_IN_USE.fetch_add(1, Ordering::Relaxed);
}

pub fn socket_freed() {
    SOCKETS_IN_USE.fetch_sub(1, Ordering::Relaxed);
}

/// The text of /proc/net/sockstat.
pub fn render() -> String {
    let ((in_use, orphans, time_waits, allocated), udp) =
        stack::with(|stack| (stack.tcp_counts(), stack.udp_count()));
    format!(
        "sockets: used {}\nTCP: inuse {} orphan {} tw {} alloc {} mem {}\nUDP: inuse {} mem {}\n\
         UDPLITE: inuse 0\nRAW: inuse 0\nFRAG: inuse 0 memory 0\n",
        SOCKETS_IN_USE.load(Ordering::Relaxed),
        in_use,
        orphans,
        time_waits,
        allocated,
        // Pages of queued data; goose's buffers are preallocated.
        0,
        udp,
        0,
    )
}
