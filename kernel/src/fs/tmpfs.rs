//! tmpfs: goose's root file system, in memory, unpacked from the
//! initramfs. An inode holds its metadata and its content: file bytes,
//! directory entries, a symlink target, or a device number.

use crate::error::Result;
use crate::return_errno;
use abi::mode::*;
use alloc::collections::BTreeMap;
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};
use hal::sync::SpinLock;

static NEXT_INODE: AtomicU64 = AtomicU64::new(1);
/// The device number tmpfs reports in st_dev (an anonymous device, 0:15).
pub const DEVICE: u64 = 15;

pub enum Content {
    File(crate::sync::Mutex<super::file_data::FileData>),
    Directory(SpinLock<BTreeMap<Vec<u8>, Arc<Inode>>>),
    Symlink(Vec<u8>),
    /// Character or block device (major, minor), FIFO or socket: no data.
    Special,
    /// A file whose bytes are computed when read (procfs).
    Generated(Arc<dyn Fn() -> Vec<u8> + Send + Sync>),
    /// A directory whose entries are computed when looked up (procfs).
    Dynamic(Arc<dyn DynamicDirectory>),
    /// A symlink whose target is computed when followed (/proc/self).
    DynamicSymlink(Arc<dyn Fn() -> Vec<u8> + Send + Sync>),
    /// /proc/PID/fd/N: reads as a symlink to a description of the open
    /// file, but following it reaches the open file itself (Linux's
    /// "magic" links), even a pipe or a deleted file.
    MagicLink {
        target: Arc<dyn Fn() -> Vec<u8> + Send + Sync>,
        file: Weak<crate::fs::file::OpenFile>,
    },
    /// What a magic link reaches when the open file has no inode of its
    /// own (a pipe): opening it shares the file's operations.
    Opened(Arc<crate::fs::file::OpenFile>),
}

/// The entries of a [`Content::Dynamic`] directory.
pub trait DynamicDirectory: Send + Sync {
    fn lookup(&self, name: &[u8]) -> Result<Arc<Inode>>;
    /// Every entry, in a stable order.
    fn list(&self) -> Vec<(Vec<u8>, Arc<Inode>)>;
}

#[derive(Clone, Copy, Debug)]
pub struct Attributes {
    pub mode: u32,
    pub links: u32,
    pub uid: u32,
    pub gid: u32,
    pub rdev: u64,
    pub accessed: (i64, u32),
    pub modified: (i64, u32),
    pub changed: (i64, u32),
}

pub struct Inode {
    pub number: u64,
    pub attributes: SpinLock<Attributes>,
    pub content: Content,
    /// The directory holding this one (directories only).
    pub parent: SpinLock<Weak<Inode>>,
}

fn now() -> (i64, u32) {
    crate::time::realtime()
}

impl Inode {
    pub fn new(mode: u32, content: Content, rdev: u64) -> Arc<Inode> {
        Inode::with_number(NEXT_INODE.fetch_add(1, Ordering::Relaxed), mode, content, rdev)
    }

    /// An inode with a number chosen by its file system (procfs).
    pub fn with_number(number: u64, mode: u32, content: Content, rdev: u64) -> Arc<Inode> {
        let time = now();
        let links = if mode & S_IFMT == S_IFDIR { 2 } else { 1 };
        Arc::new(Inode {
            number,
            attributes: SpinLock::new(Attributes {
                mode,
                links,
                uid: 0,
                gid: 0,
                rdev,
                accessed: time,
                modified: time,
                changed: time,
            }),
            content,
            parent: SpinLock::new(Weak::new()),
        })
    }

    pub fn new_directory(permissions: u32) -> Arc<Inode> {
        Inode::new(S_IFDIR | (permissions & 0o7777), Content::Directory(SpinLock::new(BTreeMap::new())), 0)
    }

    pub fn new_file(permissions: u32, data: super::file_data::FileData) -> Arc<Inode> {
        Inode::new(S_IFREG | (permissions & 0o7777), Content::File(crate::sync::Mutex::new(data)), 0)
    }

    pub fn mode(&self) -> u32 {
        self.attributes.lock().mode
    }

    pub fn is_directory(&self) -> bool {
        self.mode() & S_IFMT == S_IFDIR
    }

    pub fn is_symlink(&self) -> bool {
        self.mode() & S_IFMT == S_IFLNK
    }

    pub fn size(&self) -> u64 {
        match &self.content {
            Content::File(data) => data.lock().len() as u64,
            Content::Symlink(target) => target.len() as u64,
            // Linux's tmpfs: 20 bytes (BOGO_DIRENT_SIZE) per entry,
            // counting "." and "..".
            Content::Directory(entries) => 20 * (entries.lock().len() as u64 + 2),
            Content::Special | Content::Generated(_) | Content::Dynamic(_) | Content::Opened(_) => 0,
            Content::DynamicSymlink(target) | Content::MagicLink { target, .. } => target().len() as u64,
        }
    }

    fn entries(&self) -> Result<&SpinLock<BTreeMap<Vec<u8>, Arc<Inode>>>> {
        match &self.content {
            Content::Directory(entries) => Ok(entries),
            // Nothing can be created in or removed from a generated one.
            Content::Dynamic(_) => return_errno!(EACCES),
            _ => return_errno!(ENOTDIR),
        }
    }

    pub fn lookup(&self, name: &[u8]) -> Result<Arc<Inode>> {
        if let Content::Dynamic(directory) = &self.content {
            return directory.lookup(name);
        }
        match self.entries()?.lock().get(name) {
            Some(inode) => Ok(inode.clone()),
            None => return_errno!(ENOENT),
        }
    }

    /// Adds `child` as `name` (EEXIST if taken).
    pub fn insert(self: &Arc<Self>, name: &[u8], child: Arc<Inode>) -> Result<()> {
        let mut entries = self.entries()?.lock();
        // Nothing new goes into a directory that has been removed.
        if self.attributes.lock().links == 0 {
            return_errno!(ENOENT);
        }
        if entries.contains_key(name) {
            return_errno!(EEXIST);
        }
        if child.is_directory() {
            *child.parent.lock() = Arc::downgrade(self);
            self.attributes.lock().links += 1;
        }
        entries.insert(name.to_vec(), child);
        self.touch_modified();
        Ok(())
    }

    /// Removes `name`; `directory` says whether rmdir (true) or unlink.
    pub fn remove(&self, name: &[u8], directory: bool) -> Result<Arc<Inode>> {
        let mut entries = self.entries()?.lock();
        let child = entries.get(name).cloned().ok_or(abi::Errno::ENOENT)?;
        match (directory, child.is_directory()) {
            (true, false) => return_errno!(ENOTDIR),
            (false, true) => return_errno!(EISDIR),
            (true, true) if !child.entries()?.lock().is_empty() => return_errno!(ENOTEMPTY),
            _ => {}
        }
        entries.remove(name);
        drop(entries);
        if directory {
            self.attributes.lock().links -= 1;
            child.attributes.lock().links = 0;
        } else {
            let mut attributes = child.attributes.lock();
            attributes.links = attributes.links.saturating_sub(1);
            attributes.changed = now();
        }
        self.touch_modified();
        Ok(child)
    }

    /// Takes `name` out of this directory without the checks and link
    /// counting of removal: the inode lives on elsewhere (rename).
    pub fn detach(&self, name: &[u8]) -> Result<Arc<Inode>> {
        let child = self.entries()?.lock().remove(name).ok_or(abi::Errno::ENOENT)?;
        if child.is_directory() {
            self.attributes.lock().links -= 1;
        }
        self.touch_modified();
        Ok(child)
    }

    /// Entries in name order, for getdents.
    pub fn list(&self) -> Result<Vec<(Vec<u8>, Arc<Inode>)>> {
        if let Content::Dynamic(directory) = &self.content {
            return Ok(directory.list());
        }
        Ok(self.entries()?.lock().iter().map(|(n, i)| (n.clone(), i.clone())).collect())
    }

    pub fn is_empty_directory(&self) -> bool {
        self.entries().is_ok_and(|e| e.lock().is_empty())
    }

    fn touch_modified(&self) {
        let time = now();
        let mut attributes = self.attributes.lock();
        attributes.modified = time;
        attributes.changed = time;
    }

    pub fn read_at(&self, offset: u64, buffer: &mut [u8]) -> Result<usize> {
        if let Content::Generated(generate) = &self.content {
            let data = generate();
            let start = usize::try_from(offset).unwrap_or(usize::MAX).min(data.len());
            let count = buffer.len().min(data.len() - start);
            buffer[..count].copy_from_slice(&data[start..start + count]);
            return Ok(count);
        }
        let Content::File(data) = &self.content else { return_errno!(EINVAL) };
        let offset = usize::try_from(offset).unwrap_or(usize::MAX);
        Ok(data.lock().read(offset, buffer))
    }

    pub fn write_at(&self, offset: u64, bytes: &[u8]) -> Result<usize> {
        if let Content::Generated(_) = &self.content {
            return_errno!(EACCES);
        }
        let Content::File(data) = &self.content else { return_errno!(EINVAL) };
        let offset = usize::try_from(offset).map_err(|_| abi::Errno::EFBIG)?;
        let written = data.lock().write(offset, bytes);
        self.touch_modified();
        written
    }

    pub fn truncate(&self, length: u64) -> Result<()> {
        match &self.content {
            Content::File(data) => {
                let length = usize::try_from(length).map_err(|_| abi::Errno::EFBIG)?;
                data.lock().truncate(length)?;
            }
            Content::Directory(_) => return_errno!(EISDIR),
            _ => return_errno!(EINVAL),
        }
        self.touch_modified();
        Ok(())
    }

    /// The page at `index` of a regular file, allocated in the file if it
    /// is a hole (shared mappings write into it); None for a non-file or
    /// when out of pages.
    pub fn file_page_for_sharing(&self, index: usize) -> Option<hal::memory::page::Page> {
        match &self.content {
            Content::File(data) => data.lock().page_or_alloc(index),
            _ => None,
        }
    }

    /// The page of a regular file's data at `index` (to map it), and the
    /// file's length; None for a hole or a non-file.
    pub fn file_page(&self, index: usize) -> Option<hal::memory::page::Page> {
        match &self.content {
            Content::File(data) => data.lock().page(index),
            _ => None,
        }
    }

    pub fn symlink_target(&self) -> Option<Vec<u8>> {
        match &self.content {
            Content::Symlink(target) => Some(target.clone()),
            Content::DynamicSymlink(target) | Content::MagicLink { target, .. } => Some(target()),
            _ => None,
        }
    }

    /// Where following this link leads, if it is a magic link to an open
    /// file: the file's inode, or one that stands for the open file.
    pub fn magic_target(&self) -> Option<Arc<Inode>> {
        let Content::MagicLink { file, .. } = &self.content else { return None };
        let file = file.upgrade()?;
        if let Some(inode) = crate::fs::syscalls::inode_of(&file) {
            return Some(inode);
        }
        let metadata = file.ops.metadata().ok()?;
        Some(Inode::with_number(metadata.inode, metadata.mode, Content::Opened(file), 0))
    }

    pub fn metadata(&self) -> crate::fs::file::Metadata {
        let a = *self.attributes.lock();
        let size = self.size();
        crate::fs::file::Metadata {
            device: DEVICE,
            inode: self.number,
            mode: a.mode,
            links: a.links,
            uid: a.uid,
            gid: a.gid,
            rdev: a.rdev,
            size,
            block_size: 4096,
            blocks: match &self.content {
                // Pages really held: a hole costs nothing, as on Linux.
                Content::File(data) => data.lock().resident_pages() as u64 * 8,
                _ => size.div_ceil(4096) * 8,
            },
            accessed: a.accessed,
            modified: a.modified,
            changed: a.changed,
        }
    }
}
