//! The mount table: which directory hides which file system's root.
//! The path walk crosses from a mount point to the root mounted on it
//! (the latest mount wins, as on Linux); `..` from a mounted root goes to
//! the mount point's parent, since the root's parent link points there.

use super::tmpfs::Inode;
use crate::error::Result;
use crate::return_errno;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use hal::sync::SpinLock;

pub struct Mount {
    /// The directory mounted over.
    point: Arc<Inode>,
    root: Arc<Inode>,
    /// As /proc/mounts shows it: source, path, type, options.
    source: String,
    path: Vec<u8>,
    fstype: &'static str,
    options: &'static str,
}

static MOUNTS: SpinLock<Vec<Mount>> = SpinLock::new(Vec::new());

/// What is seen at `inode`: the root of the file system mounted on it, if
/// any, else `inode` itself.
pub fn cross(inode: Arc<Inode>) -> Arc<Inode> {
    let mounts = MOUNTS.lock();
    if mounts.is_empty() {
        return inode;
    }
    match mounts.iter().rev().find(|m| m.point.number == inode.number) {
        Some(mount) => mount.root.clone(),
        None => inode,
    }
}

/// Mounts `root` over the directory `point`, reached as `path`.
pub fn mount(
    point: &Arc<Inode>,
    root: Arc<Inode>,
    path: Vec<u8>,
    source: &str,
    fstype: &'static str,
    options: &'static str,
) {
    if let Some(parent) = point.parent.lock().upgrade() {
        *root.parent.lock() = Arc::downgrade(&parent);
    }
    MOUNTS.lock().push(Mount {
        point: point.clone(),
        root,
        source: String::from(source),
        path,
        fstype,
        options,
    });
}

/// Unmounts the file system whose root is `root` (EINVAL if `root` is not
/// the root of a mount).
pub fn unmount(root: &Arc<Inode>) -> Result<()> {
    let mut mounts = MOUNTS.lock();
    match mounts.iter().rposition(|m| Arc::ptr_eq(&m.root, root)) {
        Some(index) => {
            mounts.remove(index);
            Ok(())
        }
        None => return_errno!(EINVAL),
    }
}

/// /proc/mounts: the root file system first, then each mount in order.
pub fn describe() -> Vec<u8> {
    let mut text = String::from("rootfs / rootfs rw 0 0\n");
    for mount in MOUNTS.lock().iter() {
        text.push_str(&alloc::format!(
            "{} {} {} {} 0 0\n",
            mount.source,
            String::from_utf8_lossy(&mount.path),
            mount.fstype,
            mount.options
        ));
    }
    text.into_bytes()
}
