//! The newc writer: appends directories, regular files, symlinks and device
//! nodes to an in-memory archive and ends it with the trailer. Hard links
//! are not written as such: each path gets its own inode number and data.

use crate::{FileType, HEADER_LEN, MAX_NAME_LEN, TRAILER_NAME};
use alloc::vec::Vec;

/// Ownership, permissions and time of one entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Metadata {
    /// Permission bits (`0o7777` at most); the writer adds the type bits.
    pub permissions: u32,
    pub uid: u32,
    pub gid: u32,
    /// Seconds since the Unix epoch.
    pub mtime: u32,
}

impl Metadata {
    /// Owned by root, with the given permissions and time.
    pub fn root(permissions: u32, mtime: u32) -> Self {
        Metadata { permissions, uid: 0, gid: 0, mtime }
    }
}

/// Why an entry could not be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteError {
    /// Empty, holds a NUL, is `TRAILER!!!`, or is longer than the format
    /// allows.
    BadName,
    /// The data is 4 GiB or larger.
    TooLarge,
    /// Permission bits outside `0o7777`.
    BadPermissions,
}

impl core::fmt::Display for WriteError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            WriteError::BadName => "cpio: name is empty, holds a NUL, is the trailer's, or is too long",
            WriteError::TooLarge => "cpio: file is 4 GiB or larger",
            WriteError::BadPermissions => "cpio: permission bits outside 0o7777",
        })
    }
}

impl core::error::Error for WriteError {}

/// Builds a newc (`070701`) archive in memory.
#[derive(Debug)]
pub struct Writer {
    archive: Vec<u8>,
    next_ino: u32,
}

impl Default for Writer {
    fn default() -> Self {
        Self::new()
    }
}

impl Writer {
    pub fn new() -> Self {
        // Inode 0 is avoided: some readers take it as "no inode".
        Writer { archive: Vec::new(), next_ino: 1 }
    }

    pub fn directory(&mut self, name: &str, meta: Metadata) -> Result<(), WriteError> {
        self.entry(name, FileType::Directory, meta, (0, 0), b"")
    }

    pub fn file(&mut self, name: &str, meta: Metadata, data: &[u8]) -> Result<(), WriteError> {
        self.entry(name, FileType::Regular, meta, (0, 0), data)
    }

    /// A symlink to `target`; Linux ignores a symlink's permissions.
    pub fn symlink(&mut self, name: &str, meta: Metadata, target: &str) -> Result<(), WriteError> {
        if target.is_empty() || target.contains('\0') {
            return Err(WriteError::BadName);
        }
        self.entry(name, FileType::Symlink, meta, (0, 0), target.as_bytes())
    }

    /// A character device node, such as `dev/console` (5, 1).
    pub fn char_device(
        &mut self,
        name: &str,
        meta: Metadata,
        major: u32,
        minor: u32,
    ) -> Result<(), WriteError> {
        self.entry(name, FileType::CharDevice, meta, (major, minor), b"")
    }

    /// Bytes written so far (without the trailer).
    pub fn len(&self) -> usize {
        self.archive.len()
    }

    pub fn is_empty(&self) -> bool {
        self.archive.is_empty()
    }

    /// Appends the trailer and returns the archive.
    pub fn finish(mut self) -> Vec<u8> {
        self.write_header(TRAILER_NAME, 0, 0, Metadata::root(0, 0), (0, 0), 0, 0);
        self.archive
    }

    fn entry(
        &mut self,
        name: &str,
        kind: FileType,
        meta: Metadata,
        rdev: (u32, u32),
        data: &[u8],
    ) -> Result<(), WriteError> {
        let bytes = name.as_bytes();
        if bytes.is_empty() || bytes.contains(&0) || bytes == TRAILER_NAME || bytes.len() >= MAX_NAME_LEN {
            return Err(WriteError::BadName);
        }
        if meta.permissions & !0o7777 != 0 {
            return Err(WriteError::BadPermissions);
        }
        let size = u32::try_from(data.len()).map_err(|_| WriteError::TooLarge)?;
        let ino = self.next_ino;
        self.next_ino = self.next_ino.wrapping_add(1).max(1);
        let nlink = if kind == FileType::Directory { 2 } else { 1 };
        let mode = kind.mode_bits() | meta.permissions;
        self.write_header(bytes, ino, mode, meta, rdev, nlink, size);
        self.archive.extend_from_slice(data);
        self.pad();
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn write_header(
        &mut self,
        name: &[u8],
        ino: u32,
        mode: u32,
        meta: Metadata,
        rdev: (u32, u32),
        nlink: u32,
        size: u32,
    ) {
        let name_size = name.len() as u32 + 1;
        let fields =
            [ino, mode, meta.uid, meta.gid, nlink, meta.mtime, size, 0, 0, rdev.0, rdev.1, name_size, 0];
        let start = self.archive.len();
        self.archive.extend_from_slice(b"070701");
        for field in fields {
            for shift in (0..8).rev() {
                let digit = (field >> (shift * 4)) & 0xf;
                self.archive.push(b"0123456789abcdef"[digit as usize]);
            }
        }
        debug_assert_eq!(self.archive.len() - start, HEADER_LEN);
        self.archive.extend_from_slice(name);
        self.archive.push(0);
        self.pad();
    }

    fn pad(&mut self) {
        while !self.archive.len().is_multiple_of(4) {
            self.archive.push(0);
        }
    }
}
