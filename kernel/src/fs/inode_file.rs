//! Open tmpfs files and directories.

use super::file::{DirectoryEntry, FileOps, Metadata, OpenFile};
use super::tmpfs::Inode;
use crate::error::Result;
use abi::mode::*;
use alloc::sync::Arc;
use alloc::vec::Vec;

pub struct InodeFile {
    pub inode: Arc<Inode>,
}

/// d_type of a mode (DT_* in dirent.h).
pub fn directory_entry_type(mode: u32) -> u8 {
    match mode & S_IFMT {
        S_IFIFO => 1,
        S_IFCHR => 2,
        S_IFDIR => 4,
        S_IFBLK => 6,
        S_IFREG => 8,
        S_IFLNK => 10,
        S_IFSOCK => 12,
        _ => 0,
    }
}

impl FileOps for InodeFile {
    fn read(&self, _file: &OpenFile, offset: u64, buffer: &mut [u8]) -> Result<usize> {
        if self.inode.is_directory() {
            crate::return_errno!(EISDIR);
        }
        self.inode.read_at(offset, buffer)
    }

    fn write(&self, _file: &OpenFile, offset: u64, data: &[u8]) -> Result<usize> {
        self.inode.write_at(offset, data)
    }

    fn metadata(&self) -> Result<Metadata> {
        Ok(self.inode.metadata())
    }

    fn size(&self) -> u64 {
        self.inode.size()
    }

    fn truncate(&self, length: u64) -> Result<()> {
        self.inode.truncate(length)
    }

    /// Offsets: 0 is ".", 1 is "..", n + 2 is the n-th entry in name order
    /// (a stable order, so a listing resumes where it stopped).
    fn read_directory(&self, offset: u64, max: usize) -> Result<Vec<DirectoryEntry>> {
        // A removed directory lists nothing, not even "." (Linux: ENOENT).
        if self.inode.is_directory() && self.inode.attributes.lock().links == 0 {
            crate::return_errno!(ENOENT);
        }
        let entries = self.inode.list()?;
        let parent = self.inode.parent.lock().upgrade().unwrap_or_else(|| self.inode.clone());
        let mut result = Vec::new();
        let mut position = offset;
        while result.len() < max {
            let (name, inode) = match position {
                0 => (b".".to_vec(), self.inode.clone()),
                1 => (b"..".to_vec(), parent.clone()),
                n => match entries.get((n - 2) as usize) {
                    Some((name, inode)) => (name.clone(), inode.clone()),
                    None => break,
                },
            };
            position += 1;
            result.push(DirectoryEntry {
                inode: inode.number,
                next_offset: position,
                kind: directory_entry_type(inode.mode()),
                name,
            });
        }
        Ok(result)
    }
}
