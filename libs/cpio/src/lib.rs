//! SVR4 "newc" cpio archives, the format of Linux's initramfs: a zero-copy
//! reader that never allocates and never panics on malformed input, and
//! (with the `alloc` feature) a writer.
//!
//! An archive is a sequence of entries, each a 110-byte ASCII header, the
//! NUL-terminated name, padding to a multiple of 4 bytes, the data, and
//! padding again (offsets count from the start of the archive). The header
//! is the magic `070701` (or `070702`, whose `check` field is the sum of the
//! data bytes) and thirteen 8-digit hexadecimal fields: ino, mode, uid, gid,
//! nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor,
//! namesize (including the NUL) and check. The entry named `TRAILER!!!` ends
//! an archive; Linux accepts several archives one after another, separated
//! by NUL padding (Documentation/driver-api/early-userspace/buffer-format.rst),
//! and so does [`Reader`].
#![cfg_attr(not(test), no_std)]
#![deny(unsafe_code)]

#[cfg(any(test, feature = "alloc"))]
extern crate alloc;

mod reader;
#[cfg(any(test, feature = "alloc"))]
mod writer;

#[cfg(test)]
mod tests;

pub use reader::Reader;
#[cfg(any(test, feature = "alloc"))]
pub use writer::{Metadata, WriteError, Writer};

/// Length of a newc header.
pub const HEADER_LEN: usize = 110;
/// The name of the entry that ends an archive.
pub const TRAILER_NAME: &[u8] = b"TRAILER!!!";
/// Longest name accepted, NUL included (Linux's PATH_MAX; init/initramfs.c
/// skips longer names).
pub const MAX_NAME_LEN: usize = 4096;

/// The file-type bits of `mode` (`S_IFMT`, inode(7)).
pub const S_IFMT: u32 = 0o170000;

/// What kind of file an entry is, from the `S_IFMT` bits of its mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileType {
    Fifo,
    CharDevice,
    Directory,
    BlockDevice,
    Regular,
    Symlink,
    Socket,
}

impl FileType {
    /// The type for the `S_IFMT` bits of `mode`; `None` for a value Linux
    /// does not define.
    pub fn from_mode(mode: u32) -> Option<FileType> {
        Some(match mode & S_IFMT {
            0o010000 => FileType::Fifo,
            0o020000 => FileType::CharDevice,
            0o040000 => FileType::Directory,
            0o060000 => FileType::BlockDevice,
            0o100000 => FileType::Regular,
            0o120000 => FileType::Symlink,
            0o140000 => FileType::Socket,
            _ => return None,
        })
    }

    /// The `S_IFMT` bits for this type.
    pub fn mode_bits(self) -> u32 {
        match self {
            FileType::Fifo => 0o010000,
            FileType::CharDevice => 0o020000,
            FileType::Directory => 0o040000,
            FileType::BlockDevice => 0o060000,
            FileType::Regular => 0o100000,
            FileType::Symlink => 0o120000,
            FileType::Socket => 0o140000,
        }
    }
}

/// One archive member; `name` and `data` borrow from the archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    /// The path as stored, without the NUL (usually relative, `usr/bin/sh`).
    pub name: &'a [u8],
    pub ino: u32,
    /// File type and permission bits, as `st_mode`.
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub nlink: u32,
    /// Seconds since the Unix epoch.
    pub mtime: u32,
    pub dev_major: u32,
    pub dev_minor: u32,
    /// The device number of a character or block device node.
    pub rdev_major: u32,
    pub rdev_minor: u32,
    /// File contents; a symlink's target.
    pub data: &'a [u8],
}

impl<'a> Entry<'a> {
    /// The name as UTF-8, if it is.
    pub fn name_str(&self) -> Option<&'a str> {
        core::str::from_utf8(self.name).ok()
    }

    /// The file type; `None` for undefined `S_IFMT` bits.
    pub fn file_type(&self) -> Option<FileType> {
        FileType::from_mode(self.mode)
    }

    /// The permission bits (`mode & 0o7777`).
    pub fn permissions(&self) -> u32 {
        self.mode & 0o7777
    }
}

/// Why an archive could not be read. `offset` is where, from the start of
/// the whole input, the problem was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// Fewer than [`HEADER_LEN`] bytes where a header should start.
    TruncatedHeader { offset: usize },
    /// The header does not start with `070701` or `070702` (`070707`, the
    /// old portable ASCII format, is refused too, as Linux does).
    BadMagic { offset: usize },
    /// A header field holds something other than 8 hexadecimal digits.
    BadHexField { offset: usize },
    /// `namesize` is 0 or larger than [`MAX_NAME_LEN`].
    BadNameSize { offset: usize },
    /// The name (or its padding) runs past the end of the input.
    TruncatedName { offset: usize },
    /// The name is not NUL-terminated or holds a NUL before its end.
    BadName { offset: usize },
    /// The data runs past the end of the input.
    TruncatedData { offset: usize },
    /// A `070702` entry whose data bytes do not sum to its `check` field.
    BadChecksum { offset: usize },
    /// Offset arithmetic overflowed `usize`.
    Overflow { offset: usize },
    /// After a trailer and its NUL padding: bytes that are not an aligned
    /// header.
    TrailingGarbage { offset: usize },
    /// The input ended without a `TRAILER!!!` entry.
    MissingTrailer { offset: usize },
}

impl Error {
    /// Where in the input the problem was found.
    pub fn offset(&self) -> usize {
        match *self {
            Error::TruncatedHeader { offset }
            | Error::BadMagic { offset }
            | Error::BadHexField { offset }
            | Error::BadNameSize { offset }
            | Error::TruncatedName { offset }
            | Error::BadName { offset }
            | Error::TruncatedData { offset }
            | Error::BadChecksum { offset }
            | Error::Overflow { offset }
            | Error::TrailingGarbage { offset }
            | Error::MissingTrailer { offset } => offset,
        }
    }
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let what = match self {
            Error::TruncatedHeader { .. } => "truncated header",
            Error::BadMagic { .. } => "bad magic (not newc)",
            Error::BadHexField { .. } => "header field is not 8 hex digits",
            Error::BadNameSize { .. } => "bad name size",
            Error::TruncatedName { .. } => "truncated name",
            Error::BadName { .. } => "name not NUL-terminated or holds a NUL",
            Error::TruncatedData { .. } => "truncated data",
            Error::BadChecksum { .. } => "data checksum mismatch",
            Error::Overflow { .. } => "offset overflow",
            Error::TrailingGarbage { .. } => "garbage after trailer",
            Error::MissingTrailer { .. } => "no TRAILER!!! entry",
        };
        write!(f, "cpio: {what} at offset {}", self.offset())
    }
}

impl core::error::Error for Error {}
