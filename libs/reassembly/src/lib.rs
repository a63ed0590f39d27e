//! IPv4 reassembly (RFC 791 §3.2, RFC 815's hole bookkeeping simplified
//! to a sorted list of received ranges): fragments of one datagram, told
//! apart by (source, destination, protocol, identification), are gathered
//! until every byte up to the last fragment's end has come, as Linux's
//! ip_fragment.c does. Linux's rules are kept: a datagram whose fragments
//! overlap is dropped whole, an unfinished one is forgotten after 30 s
//! (ipfrag_time), and what waits is bounded (ipfrag_high_thresh, 4 MiB):
//! the oldest datagram goes first when a new one would pass it.
//!
//! The kernel's link layer feeds it the fragments the card receives and
//! hands the datagram to smoltcp, whose own reassembly would keep its
//! buffers inline in the interface.
#![cfg_attr(not(test), no_std)]
#![deny(unsafe_code)]

extern crate alloc;

use alloc::vec::Vec;

/// What identifies the datagram a fragment belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub source: [u8; 4],
    pub destination: [u8; 4],
    pub protocol: u8,
    pub ident: u16,
}

/// One received fragment: its payload at `offset` bytes into the
/// datagram's payload, and whether more follow (MF).
#[derive(Clone, Copy, Debug)]
pub struct Fragment<'a> {
    pub key: Key,
    pub offset: usize,
    pub is_last: bool,
    pub payload: &'a [u8],
}

/// Seconds an unfinished datagram waits for its other fragments
/// (Linux's net.ipv4.ipfrag_time).
pub const TIMEOUT_NS: u64 = 30_000_000_000;

/// Bytes all unfinished datagrams may hold (Linux's ipfrag_high_thresh).
pub const MEMORY_LIMIT: usize = 4 << 20;

/// The largest IPv4 payload: a 65535-byte packet less a 20-byte header.
pub const MAX_PAYLOAD: usize = 65535 - 20;

struct Pending {
    key: Key,
    /// The payload so far; bytes not received yet are zero.
    data: Vec<u8>,
    /// Received byte ranges, sorted, not overlapping.
    ranges: Vec<(usize, usize)>,
    /// The payload's length, once the last fragment has come.
    length: Option<usize>,
    started_ns: u64,
}

impl Pending {
    fn received(&self) -> usize {
        self.ranges.iter().map(|(start, end)| end - start).sum()
    }

    /// Adds a fragment; false if it contradicts what came before
    /// (overlap, a second or inconsistent end), which drops the datagram.
    fn add(&mut self, fragment: &Fragment) -> bool {
        let start = fragment.offset;
        let end = start + fragment.payload.len();
        if fragment.is_last {
            if self.length.is_some_and(|length| length != end) || self.ranges.iter().any(|r| r.1 > end) {
                return false;
            }
            self.length = Some(end);
        } else if self.length.is_some_and(|length| end > length) {
            return false;
        }
        if start == end {
            return true;
        }
        let index = self.ranges.partition_point(|r| r.0 < start);
        // An exact duplicate (a retransmitted fragment) is harmless.
        if self.ranges.get(index) == Some(&(start, end)) {
            return true;
        }
        let overlaps_before = index > 0 && self.ranges[index - 1].1 > start;
        let overlaps_after = self.ranges.get(index).is_some_and(|r| r.0 < end);
        if overlaps_before || overlaps_after {
            return false;
        }
        self.ranges.insert(index, (start, end));
        if self.data.len() < end {
            self.data.resize(end, 0);
        }
        self.data[start..end].copy_from_slice(fragment.payload);
        true
    }

    fn is_complete(&self) -> bool {
        self.length.is_some_and(|length| self.received() == length)
    }
}

/// The datagrams being put back together.
#[derive(Default)]
pub struct Reassembler {
    pending: Vec<Pending>,
}

impl Reassembler {
    pub const fn new() -> Reassembler {
        Reassembler { pending: Vec::new() }
    }

    /// Datagrams waiting for more fragments.
    pub fn pending_count(&self) -> usize {
        self.pending.len()
    }

    fn memory(&self) -> usize {
        self.pending.iter().map(|p| p.data.len()).sum()
    }

    /// Takes a fragment received at `now_ns`; the datagram's whole payload
    /// once this was its last missing piece.
    pub fn add(&mut self, now_ns: u64, fragment: Fragment) -> Option<Vec<u8>> {
        self.pending.retain(|p| now_ns.saturating_sub(p.started_ns) < TIMEOUT_NS);
        let end = fragment.offset + fragment.payload.len();
        if end > MAX_PAYLOAD || (!fragment.is_last && !fragment.payload.len().is_multiple_of(8)) {
            self.pending.retain(|p| p.key != fragment.key);
            return None;
        }
        let index = match self.pending.iter().position(|p| p.key == fragment.key) {
            Some(index) => index,
            None => {
                while !self.pending.is_empty() && self.memory() + end > MEMORY_LIMIT {
                    // Oldest first: they were added in order.
                    self.pending.remove(0);
                }
                self.pending.push(Pending {
                    key: fragment.key,
                    data: Vec::new(),
                    ranges: Vec::new(),
                    length: None,
                    started_ns: now_ns,
                });
                self.pending.len() - 1
            }
        };
        if !self.pending[index].add(&fragment) {
            self.pending.remove(index);
            return None;
        }
        if self.pending[index].is_complete() {
            let mut done = self.pending.remove(index);
            done.data.truncate(done.length.unwrap_or(0));
            return Some(done.data);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: Key = Key { source: [10, 0, 2, 2], destination: [10, 0, 2, 15], protocol: 17, ident: 7 };

    fn fragment(offset: usize, is_last: bool, payload: &[u8]) -> Fragment<'_> {
        Fragment { key: KEY, offset, is_last, payload }
    }

    fn pattern(length: usize) -> Vec<u8> {
        (0..length).map(|i| (i * 7 + 3) as u8).collect()
    }

    #[test]
    fn in_order_and_out_of_order() {
        let data = pattern(3000);
        let mut r = Reassembler::new();
        assert_eq!(r.add(0, fragment(0, false, &data[..1480])), None);
        assert_eq!(r.add(0, fragment(1480, false, &data[1480..2960])), None);
        assert_eq!(r.add(0, fragment(2960, true, &data[2960..])), Some(data.clone()));
        assert_eq!(r.pending_count(), 0);

        assert_eq!(r.add(0, fragment(2960, true, &data[2960..])), None);
        assert_eq!(r.add(0, fragment(0, false, &data[..1480])), None);
        assert_eq!(r.add(0, fragment(1480, false, &data[1480..2960])), Some(data));
    }

    #[test]
    fn duplicates_are_harmless_overlaps_drop_the_datagram() {
        let data = pattern(2000);
        let mut r = Reassembler::new();
        assert_eq!(r.add(0, fragment(0, false, &data[..1000])), None);
        assert_eq!(r.add(0, fragment(0, false, &data[..1000])), None);
        assert_eq!(r.add(0, fragment(1000, true, &data[1000..])), Some(data.clone()));

        assert_eq!(r.add(0, fragment(0, false, &data[..1000])), None);
        assert_eq!(r.add(0, fragment(496, false, &data[496..1496])), None);
        assert_eq!(r.pending_count(), 0);
        assert_eq!(r.add(0, fragment(1000, true, &data[1000..])), None);
        assert_eq!(r.pending_count(), 1);
    }

    #[test]
    fn datagrams_are_kept_apart() {
        let (a, b) = (pattern(1600), vec![9u8; 1600]);
        let other = Key { ident: 8, ..KEY };
        let mut r = Reassembler::new();
        assert_eq!(r.add(0, fragment(0, false, &a[..800])), None);
        assert_eq!(r.add(0, Fragment { key: other, offset: 0, is_last: false, payload: &b[..800] }), None);
        assert_eq!(
            r.add(0, Fragment { key: other, offset: 800, is_last: true, payload: &b[800..] }),
            Some(b)
        );
        assert_eq!(r.add(0, fragment(800, true, &a[800..])), Some(a));
    }

    #[test]
    fn unfinished_datagrams_time_out() {
        let data = pattern(1600);
        let mut r = Reassembler::new();
        assert_eq!(r.add(0, fragment(0, false, &data[..800])), None);
        assert_eq!(r.add(TIMEOUT_NS, fragment(800, true, &data[800..])), None);
        assert_eq!(r.pending_count(), 1, "only the late fragment waits");
    }

    #[test]
    fn bad_fragments_are_refused() {
        let mut r = Reassembler::new();
        // Past the largest datagram.
        assert_eq!(r.add(0, fragment(65528, true, &[0; 16])), None);
        // A middle fragment whose length is not a multiple of 8.
        assert_eq!(r.add(0, fragment(0, false, &[0; 13])), None);
        // Data past a known end, or two different ends.
        assert_eq!(r.add(0, fragment(800, true, &[0; 8])), None);
        assert_eq!(r.add(0, fragment(808, false, &[0; 8])), None);
        assert_eq!(r.pending_count(), 0);
        assert_eq!(r.add(0, fragment(800, true, &[0; 8])), None);
        assert_eq!(r.add(0, fragment(0, true, &[0; 8])), None);
        assert_eq!(r.pending_count(), 0);
    }

    #[test]
    fn memory_is_bounded_oldest_first() {
        let chunk = vec![1u8; 60000];
        let mut r = Reassembler::new();
        for ident in 0..100u16 {
            let key = Key { ident, ..KEY };
            r.add(u64::from(ident), Fragment { key, offset: 0, is_last: false, payload: &chunk });
        }
        assert!(r.memory() <= MEMORY_LIMIT);
        assert_eq!(r.pending[0].key.ident, 100 - r.pending_count() as u16);
    }
}
