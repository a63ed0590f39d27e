//! statfs and fstatfs: what kind of file system a file is on and how
//! full it is, as Linux's tmpfs and procfs report it.

use super::file::Metadata;
use crate::error::Result;
use crate::mm::user::{read_path, write_val};
use crate::syscall::{Context, UserAddr};

const TMPFS_MAGIC: i64 = 0x0102_1994;
const PROC_SUPER_MAGIC: i64 = 0x9fa0;
const PIPEFS_MAGIC: i64 = 0x5049_5045;
/// ST_RELATIME: mounted relatime, as goose's mounts are.
const ST_RELATIME: i64 = 0x1000;

fn describe(metadata: &Metadata) -> abi::Statfs {
    let common = abi::Statfs {
        f_bsize: 4096,
        f_frsize: 4096,
        f_namelen: 255,
        f_flags: ST_RELATIME,
        ..Default::default()
    };
    if super::procfs::is_procfs_inode(metadata.inode) {
        return abi::Statfs { f_type: PROC_SUPER_MAGIC, ..common };
    }
    if metadata.mode & abi::mode::S_IFMT == abi::mode::S_IFIFO && metadata.device == super::pipe::DEVICE {
        return abi::Statfs { f_type: PIPEFS_MAGIC, ..common };
    }
    // tmpfs: its default size is half of RAM, in pages.
    let total = hal::memory::frame::total_pages() as u64 / 2;
    let free = (hal::memory::frame::free_pages() as u64).min(total);
    abi::Statfs {
        f_type: TMPFS_MAGIC,
        f_blocks: total,
        f_bfree: free,
        f_bavail: free,
        f_files: total,
        f_ffree: free,
        ..common
    }
}

pub fn statfs(context: &mut Context, path: UserAddr, buffer: UserAddr) -> Result<()> {
    let path = read_path(path)?;
    let inode = super::syscalls::lookup_at(context, abi::AT_FDCWD, &path, true)?;
    write_val(buffer, &describe(&inode.metadata()))
}

pub fn fstatfs(context: &mut Context, fd: i32, buffer: UserAddr) -> Result<()> {
    let file = context.process().files.lock().get(fd)?;
    write_val(buffer, &describe(&file.ops.metadata()?))
}
