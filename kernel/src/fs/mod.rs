//! The file system: tmpfs as the root, unpacked from the initramfs, device
//! nodes, pipes, open files and descriptors, and the path walk.

pub mod device;
pub mod epoll;
pub mod epoll_syscalls;
pub mod eventfd;
pub mod fd_table;
pub mod file;
pub mod file_data;
pub mod initramfs;
pub mod inode_file;
pub mod mounts;
pub mod path;
pub mod pipe;
pub mod poll;
pub mod procfs;
pub mod record_locks;
pub mod statfs;
pub mod syscalls;
pub mod timerfd;
pub mod tmpfs;

use crate::error::Result;
use alloc::sync::Arc;
use spin::Once;
use tmpfs::Inode;

static ROOT: Once<Arc<Inode>> = Once::new();

/// The root directory.
pub fn root() -> Arc<Inode> {
    ROOT.call_once(|| Inode::new_directory(0o755)).clone()
}

/// What fstat shows of an anonymous-inode file (epoll, eventfd,
/// timerfd): Linux's anon_inode, mode 0600 with no file type.
pub fn anonymous_metadata() -> file::Metadata {
    file::Metadata { mode: 0o600, links: 1, device: ANONYMOUS_DEVICE, block_size: 4096, ..Default::default() }
}

/// st_dev of anonymous-inode files (anon_inodefs).
const ANONYMOUS_DEVICE: u64 = 15;

/// A process's view of the file system: root, current directory, umask.
#[derive(Clone)]
pub struct FsContext {
    pub root: Arc<Inode>,
    pub cwd: Arc<Inode>,
    pub umask: u32,
}

impl FsContext {
    pub fn initial() -> FsContext {
        FsContext { root: root(), cwd: root(), umask: 0o022 }
    }
}

/// Unpacks the initramfs into the root.
pub fn init() -> Result<()> {
    match hal::memory::initrd() {
        Some(bytes) => initramfs::unpack(&root(), bytes),
        None => {
            log::warn!("no initramfs: the root file system is empty");
            Ok(())
        }
    }
}
