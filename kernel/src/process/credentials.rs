//! Who a process is: real, effective and saved user and group ids,
//! inherited across fork and exec (no set-id programs yet). Root
//! (effective uid 0) may take any id; others only their real or saved
//! one. Signals between users follow kill(2)'s permission rule.

use super::Process;
use crate::error::Result;
use crate::return_errno;
use crate::syscall::{Context, UserAddr};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Credentials {
    pub uid: u32,
    pub euid: u32,
    pub suid: u32,
    pub gid: u32,
    pub egid: u32,
    pub sgid: u32,
}

impl Credentials {
    pub fn is_root(&self) -> bool {
        self.euid == 0
    }

    /// kill(2): root, or a real or effective uid matching the target's
    /// real or saved uid.
    pub fn may_signal(&self, target: &Credentials) -> bool {
        self.is_root()
            || self.euid == target.suid
            || self.euid == target.uid
            || self.uid == target.suid
            || self.uid == target.uid
    }
}

/// (uid) -1 means "unchanged" for the set*id calls that take several ids,
/// and is invalid for setuid/setgid.
const UNCHANGED: u32 = u32::MAX;

pub fn getuid(context: &mut Context) -> Result<u32> {
    Ok(context.process().credentials.lock().uid)
}

pub fn geteuid(context: &mut Context) -> Result<u32> {
    Ok(context.process().credentials.lock().euid)
}

pub fn getgid(context: &mut Context) -> Result<u32> {
    Ok(context.process().credentials.lock().gid)
}

pub fn getegid(context: &mut Context) -> Result<u32> {
    Ok(context.process().credentials.lock().egid)
}

pub fn setuid(context: &mut Context, uid: u32) -> Result<()> {
    if uid == UNCHANGED {
        return_errno!(EINVAL);
    }
    let mut credentials = context.process().credentials.lock();
    if credentials.is_root() {
        credentials.uid = uid;
        credentials.suid = uid;
    } else if uid != credentials.uid && uid != credentials.suid {
        return_errno!(EPERM);
    }
    credentials.euid = uid;
    Ok(())
}

pub fn setgid(context: &mut Context, gid: u32) -> Result<()> {
    if gid == UNCHANGED {
        return_errno!(EINVAL);
    }
    let mut credentials = context.process().credentials.lock();
    if credentials.is_root() {
        credentials.gid = gid;
        credentials.sgid = gid;
    } else if gid != credentials.gid && gid != credentials.sgid {
        return_errno!(EPERM);
    }
    credentials.egid = gid;
    Ok(())
}

pub fn getresuid(context: &mut Context, real: UserAddr, effective: UserAddr, saved: UserAddr) -> Result<()> {
    let credentials = *context.process().credentials.lock();
    crate::mm::user::write_val(real, &credentials.uid)?;
    crate::mm::user::write_val(effective, &credentials.euid)?;
    crate::mm::user::write_val(saved, &credentials.suid)
}

pub fn getresgid(context: &mut Context, real: UserAddr, effective: UserAddr, saved: UserAddr) -> Result<()> {
    let credentials = *context.process().credentials.lock();
    crate::mm::user::write_val(real, &credentials.gid)?;
    crate::mm::user::write_val(effective, &credentials.egid)?;
    crate::mm::user::write_val(saved, &credentials.sgid)
}

/// Whether the running process may send a signal to `target`.
pub fn may_signal(sender: &Process, target: &Process) -> bool {
    let own = *sender.credentials.lock();
    let theirs = *target.credentials.lock();
    own.may_signal(&theirs)
}

/// NGROUPS_MAX.
const MAX_GROUPS: usize = 65536;

/// getgroups(2): the count when `size` is 0, EINVAL when the list does
/// not fit.
pub fn getgroups(context: &mut Context, size: i32, list: UserAddr) -> Result<usize> {
    let groups = context.process().groups.lock().clone();
    if size < 0 {
        return_errno!(EINVAL);
    }
    if size == 0 {
        return Ok(groups.len());
    }
    if (size as usize) < groups.len() {
        return_errno!(EINVAL);
    }
    for (index, group) in groups.iter().enumerate() {
        crate::mm::user::write_val(list.add(index * 4), group)?;
    }
    Ok(groups.len())
}

/// setgroups(2): needs CAP_SETGID (root here); sorted as Linux keeps them.
pub fn setgroups(context: &mut Context, size: usize, list: UserAddr) -> Result<()> {
    if size > MAX_GROUPS {
        return_errno!(EINVAL);
    }
    let mut groups = alloc::vec::Vec::new();
    groups.try_reserve_exact(size).map_err(|_| abi::Errno::ENOMEM)?;
    for index in 0..size {
        groups.push(crate::mm::user::read_val::<u32>(list.add(index * 4))?);
    }
    if !context.process().credentials.lock().is_root() {
        return_errno!(EPERM);
    }
    groups.sort_unstable();
    *context.process().groups.lock() = groups;
    Ok(())
}
