//! Unpacking the initramfs (newc cpio, possibly several archives one after
//! another) into tmpfs, as Linux's init/initramfs.c does.

use super::path::{resolve_parent, Start};
use super::tmpfs::{Content, Inode};
use crate::error::Result;
use abi::mode::*;
use alloc::sync::Arc;

pub fn unpack(root: &Arc<Inode>, archive: &[u8]) -> Result<()> {
    let start = Start { root, directory: root };
    let mut files = 0usize;
    for entry in cpio::Reader::new(archive) {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                log::warn!("initramfs: {error:?}; the rest is skipped");
                break;
            }
        };
        let name = entry.name;
        if name.is_empty() || name == b"." {
            continue;
        }
        let (directory, last, _) = match resolve_parent(&start, name) {
            Ok(found) => found,
            Err(error) => {
                log::warn!("initramfs: {}: {error:?}", crate::mm::user::display(name));
                continue;
            }
        };
        let mode = entry.mode;
        let inode = match mode & S_IFMT {
            S_IFDIR => {
                if let Ok(existing) = directory.lookup(&last) {
                    if existing.is_directory() {
                        existing.attributes.lock().mode = mode;
                        continue;
                    }
                }
                Inode::new(mode, Content::Directory(Default::default()), 0)
            }
            S_IFREG => {
                let data = crate::fs::file_data::FileData::from_bytes(entry.data)?;
                Inode::new(mode, Content::File(crate::sync::Mutex::new(data)), 0)
            }
            S_IFLNK => Inode::new(mode, Content::Symlink(entry.data.to_vec()), 0),
            S_IFCHR | S_IFBLK | S_IFIFO | S_IFSOCK => {
                let rdev = device_number(entry.rdev_major, entry.rdev_minor);
                Inode::new(mode, Content::Special, rdev)
            }
            _ => continue,
        };
        {
            let mut attributes = inode.attributes.lock();
            attributes.uid = entry.uid;
            attributes.gid = entry.gid;
            let time = (i64::from(entry.mtime), 0);
            attributes.modified = time;
            attributes.changed = time;
            attributes.accessed = time;
        }
        // A later archive replaces what an earlier one had (Linux unlinks
        // first too).
        let _ = directory.remove(&last, false);
        if directory.insert(&last, inode).is_ok() {
            files += 1;
        }
    }
    log::info!("initramfs: {files} entries unpacked ({} KiB)", archive.len() / 1024);
    Ok(())
}

/// Linux's encoding of a device number in st_rdev (new_encode_dev).
pub fn device_number(major: u32, minor: u32) -> u64 {
    let (major, minor) = (u64::from(major), u64::from(minor));
    (minor & 0xff) | (major << 8) | ((minor & !0xff) << 12)
}
