//! Character devices: /dev/null, zero, full, random, urandom, and the
//! terminal (console, tty, ttyS0), by Linux's device numbers.

use super::file::{FileOps, Metadata, OpenFile};
use super::initramfs::device_number;
use crate::error::Result;
use crate::return_errno;
use alloc::sync::Arc;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Null,
    Zero,
    Full,
    Random,
}

struct Memory {
    kind: Kind,
    rdev: u64,
}

impl FileOps for Memory {
    fn read(&self, _file: &OpenFile, _offset: u64, buffer: &mut [u8]) -> Result<usize> {
        match self.kind {
            Kind::Null => Ok(0),
            Kind::Zero | Kind::Full => {
                buffer.fill(0);
                Ok(buffer.len())
            }
            Kind::Random => {
                crate::random::fill(buffer);
                Ok(buffer.len())
            }
        }
    }

    fn write(&self, _file: &OpenFile, _offset: u64, data: &[u8]) -> Result<usize> {
        match self.kind {
            Kind::Full => return_errno!(ENOSPC),
            _ => Ok(data.len()),
        }
    }

    fn discards_writes(&self) -> bool {
        self.kind == Kind::Null
    }

    fn metadata(&self) -> Result<Metadata> {
        Ok(Metadata {
            mode: abi::mode::S_IFCHR | 0o666,
            rdev: self.rdev,
            links: 1,
            device: 6,
            block_size: 4096,
            ..Metadata::default()
        })
    }

    fn size(&self) -> u64 {
        0
    }
}

/// The operations behind device number `rdev`, if goose has that device.
pub fn open(rdev: u64) -> Result<Arc<dyn FileOps>> {
    let (major, minor) = ((rdev >> 8) & 0xfff, (rdev & 0xff) | ((rdev >> 12) & !0xff));
    let memory = |kind| -> Arc<dyn FileOps> { Arc::new(Memory { kind, rdev }) };
    Ok(match (major, minor) {
        (1, 3) => memory(Kind::Null),
        (1, 5) => memory(Kind::Zero),
        (1, 7) => memory(Kind::Full),
        (1, 8) | (1, 9) => memory(Kind::Random),
        (5, 0) | (5, 1) | (4, 64) => crate::tty::console(),
        _ => return_errno!(ENXIO),
    })
}

/// The nodes devtmpfs provides: (name, major, minor, permissions).
pub const NODES: &[(&str, u32, u32, u32)] = &[
    ("null", 1, 3, 0o666),
    ("zero", 1, 5, 0o666),
    ("full", 1, 7, 0o666),
    ("random", 1, 8, 0o666),
    ("urandom", 1, 9, 0o666),
    ("tty", 5, 0, 0o666),
    ("console", 5, 1, 0o600),
    ("ttyS0", 4, 64, 0o660),
];

/// Fills `directory` with the device nodes (mount -t devtmpfs).
pub fn populate(directory: &Arc<super::tmpfs::Inode>) {
    use super::tmpfs::{Content, Inode};
    for &(name, major, minor, permissions) in NODES {
        let node =
            Inode::new(abi::mode::S_IFCHR | permissions, Content::Special, device_number(major, minor));
        let _ = directory.remove(name.as_bytes(), false);
        let _ = directory.insert(name.as_bytes(), node);
    }
}
