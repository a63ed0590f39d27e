//! A process's file descriptors: small integers naming open files, each
//! with its close-on-exec flag.

use super::file::OpenFile;
use crate::error::Result;
use crate::return_errno;
use alloc::sync::Arc;
use alloc::vec::Vec;

/// Linux's default RLIMIT_NOFILE soft limit.
pub const DEFAULT_MAX_FDS: usize = 1024;

#[derive(Clone)]
struct Slot {
    file: Arc<OpenFile>,
    close_on_exec: bool,
}

#[derive(Clone)]
pub struct FdTable {
    slots: Vec<Option<Slot>>,
    /// RLIMIT_NOFILE: descriptors stay below it (EMFILE).
    pub limit: usize,
}

impl Default for FdTable {
    fn default() -> Self {
        FdTable { slots: Vec::new(), limit: DEFAULT_MAX_FDS }
    }
}

impl FdTable {
    /// The open files behind `fds` (None for a closed or invalid one).
    pub fn clone_files(&self, fds: impl Iterator<Item = i32>) -> Vec<Option<Arc<OpenFile>>> {
        fds.map(|fd| self.get(fd).ok()).collect()
    }

    /// One more than the highest descriptor the table has room for, as
    /// Linux's fdt->max_fds bounds select's nfds.
    pub fn capacity(&self) -> usize {
        self.slots.len().next_multiple_of(64).max(64)
    }

    pub fn get(&self, fd: i32) -> Result<Arc<OpenFile>> {
        match usize::try_from(fd).ok().and_then(|i| self.slots.get(i)) {
            Some(Some(slot)) => Ok(slot.file.clone()),
            _ => return_errno!(EBADF),
        }
    }

    /// Puts `file` at the lowest free descriptor at or above `minimum`.
    pub fn insert_from(
        &mut self,
        minimum: usize,
        file: Arc<OpenFile>,
        close_on_exec: bool,
        limit: usize,
    ) -> Result<i32> {
        let start = minimum.min(self.slots.len());
        let index = (start..self.slots.len())
            .find(|&i| self.slots[i].is_none())
            .unwrap_or(self.slots.len().max(minimum));
        if index >= limit {
            return_errno!(EMFILE);
        }
        self.grow_to(index + 1)?;
        self.slots[index] = Some(Slot { file, close_on_exec });
        Ok(index as i32)
    }

    pub fn insert(&mut self, file: Arc<OpenFile>, close_on_exec: bool) -> Result<i32> {
        self.insert_from(0, file, close_on_exec, self.limit)
    }

    /// Puts `file` at exactly `fd` (dup2/dup3), returning what was there.
    pub fn put(
        &mut self,
        fd: usize,
        file: Arc<OpenFile>,
        close_on_exec: bool,
    ) -> Result<Option<Arc<OpenFile>>> {
        self.grow_to(fd + 1)?;
        Ok(self.slots[fd].replace(Slot { file, close_on_exec }).map(|s| s.file))
    }

    /// Makes room for `length` slots: ENOMEM, not an abort, if the heap
    /// cannot hold them.
    fn grow_to(&mut self, length: usize) -> Result<()> {
        if length > self.slots.len() {
            self.slots.try_reserve(length - self.slots.len()).map_err(|_| abi::Errno::ENOMEM)?;
            self.slots.resize(length, None);
        }
        Ok(())
    }

    pub fn remove(&mut self, fd: i32) -> Result<Arc<OpenFile>> {
        match usize::try_from(fd).ok().and_then(|i| self.slots.get_mut(i)) {
            Some(slot @ Some(_)) => Ok(slot.take().map(|s| s.file).unwrap_or_else(|| unreachable!())),
            _ => return_errno!(EBADF),
        }
    }

    pub fn close_on_exec(&self, fd: i32) -> Result<bool> {
        match usize::try_from(fd).ok().and_then(|i| self.slots.get(i)) {
            Some(Some(slot)) => Ok(slot.close_on_exec),
            _ => return_errno!(EBADF),
        }
    }

    pub fn set_close_on_exec(&mut self, fd: i32, value: bool) -> Result<()> {
        match usize::try_from(fd).ok().and_then(|i| self.slots.get_mut(i)) {
            Some(Some(slot)) => {
                slot.close_on_exec = value;
                Ok(())
            }
            _ => return_errno!(EBADF),
        }
    }

    /// Closes the close-on-exec descriptors (execve).
    /// The open descriptors, lowest first.
    pub fn open_fds(&self) -> Vec<i32> {
        self.slots.iter().enumerate().filter(|(_, s)| s.is_some()).map(|(fd, _)| fd as i32).collect()
    }

    pub fn close_for_exec(&mut self) {
        for slot in self.slots.iter_mut() {
            if slot.as_ref().is_some_and(|s| s.close_on_exec) {
                *slot = None;
            }
        }
    }
}
