//! The netlink wire format (include/uapi/linux/netlink.h and rtnetlink.h):
//! `nlmsghdr` framing and `rtattr` attributes, both aligned to 4 bytes,
//! in host byte order.

use alloc::vec::Vec;

/// sizeof(struct nlmsghdr).
pub const HEADER_BYTES: usize = 16;
/// sizeof(struct rtattr).
pub const ATTRIBUTE_HEADER_BYTES: usize = 4;

/// NLMSG_ALIGN and RTA_ALIGN.
pub fn align(length: usize) -> usize {
    (length + 3) & !3
}

/// struct nlmsghdr.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Header {
    pub length: u32,
    pub kind: u16,
    pub flags: u16,
    pub sequence: u32,
    pub port: u32,
}

impl Header {
    pub fn parse(bytes: &[u8]) -> Option<Header> {
        if bytes.len() < HEADER_BYTES {
            return None;
        }
        Some(Header {
            length: u32_at(bytes, 0),
            kind: u16_at(bytes, 4),
            flags: u16_at(bytes, 6),
            sequence: u32_at(bytes, 8),
            port: u32_at(bytes, 12),
        })
    }

    pub fn to_bytes(self) -> [u8; HEADER_BYTES] {
        let mut bytes = [0; HEADER_BYTES];
        bytes[0..4].copy_from_slice(&self.length.to_ne_bytes());
        bytes[4..6].copy_from_slice(&self.kind.to_ne_bytes());
        bytes[6..8].copy_from_slice(&self.flags.to_ne_bytes());
        bytes[8..12].copy_from_slice(&self.sequence.to_ne_bytes());
        bytes[12..16].copy_from_slice(&self.port.to_ne_bytes());
        bytes
    }
}

pub fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_ne_bytes([bytes[at], bytes[at + 1]])
}

pub fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// The messages of one datagram: each with its header and its payload
/// (the bytes after the header, up to its length). Stops at the first
/// malformed header, as netlink_rcv_skb does.
pub fn split(datagram: &[u8]) -> Vec<(Header, &[u8])> {
    let mut messages = Vec::new();
    let mut offset = 0;
    while let Some(header) = Header::parse(&datagram[offset..]) {
        let length = header.length as usize;
        if length < HEADER_BYTES || length > datagram.len() - offset {
            break;
        }
        messages.push((header, &datagram[offset + HEADER_BYTES..offset + length]));
        offset += align(length);
        if offset >= datagram.len() {
            break;
        }
    }
    messages
}

/// The attributes after a fixed-size family header: (type, value) pairs.
pub fn attributes(bytes: &[u8]) -> Vec<(u16, &[u8])> {
    let mut found = Vec::new();
    let mut offset = 0;
    while offset + ATTRIBUTE_HEADER_BYTES <= bytes.len() {
        let length = u16_at(bytes, offset) as usize;
        let kind = u16_at(bytes, offset + 2);
        if length < ATTRIBUTE_HEADER_BYTES || length > bytes.len() - offset {
            break;
        }
        found.push((kind & 0x3fff, &bytes[offset + ATTRIBUTE_HEADER_BYTES..offset + length]));
        offset += align(length);
    }
    found
}

/// Builds one message: the header is filled in by `finish`.
pub struct Writer {
    bytes: Vec<u8>,
}

impl Writer {
    pub fn new(kind: u16, flags: u16, sequence: u32, port: u32) -> Writer {
        let header = Header { length: 0, kind, flags, sequence, port };
        Writer { bytes: header.to_bytes().to_vec() }
    }

    /// Raw bytes (a family header), padded to 4.
    pub fn raw(&mut self, data: &[u8]) -> &mut Writer {
        self.bytes.extend_from_slice(data);
        self.bytes.resize(align(self.bytes.len()), 0);
        self
    }

    pub fn attribute(&mut self, kind: u16, value: &[u8]) -> &mut Writer {
        let length = (ATTRIBUTE_HEADER_BYTES + value.len()) as u16;
        self.bytes.extend_from_slice(&length.to_ne_bytes());
        self.bytes.extend_from_slice(&kind.to_ne_bytes());
        self.raw(value)
    }

    pub fn u8(&mut self, kind: u16, value: u8) -> &mut Writer {
        self.attribute(kind, &[value])
    }

    pub fn u32(&mut self, kind: u16, value: u32) -> &mut Writer {
        self.attribute(kind, &value.to_ne_bytes())
    }

    /// A NUL-terminated string attribute.
    pub fn string(&mut self, kind: u16, value: &str) -> &mut Writer {
        let mut bytes = Vec::with_capacity(value.len() + 1);
        bytes.extend_from_slice(value.as_bytes());
        bytes.push(0);
        self.attribute(kind, &bytes)
    }

    pub fn finish(&mut self) -> Vec<u8> {
        let length = self.bytes.len() as u32;
        self.bytes[0..4].copy_from_slice(&length.to_ne_bytes());
        core::mem::take(&mut self.bytes)
    }
}
