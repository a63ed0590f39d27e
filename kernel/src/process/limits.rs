//! Resource limits (getrlimit(2)): per process, inherited across fork and
//! kept across execve. Enforced: RLIMIT_NOFILE (EMFILE when a descriptor
//! would reach it), RLIMIT_AS (ENOMEM from mmap and brk beyond it),
//! RLIMIT_STACK (the size of a new program's stack, up to goose's 8 MiB
//! stack area), RLIMIT_NPROC (EAGAIN from clone once the threads of the
//! caller's real user reach it; root is exempt, as on Linux).

use crate::error::Result;
use crate::return_errno;
use abi::Rlimit;

pub const RLIMIT_STACK: u32 = 3;
pub const RLIMIT_NPROC: u32 = 6;
pub const RLIMIT_NOFILE: u32 = 7;
pub const RLIMIT_AS: u32 = 9;
const RLIM_NLIMITS: usize = 16;
pub const INFINITY: u64 = u64::MAX;
/// fs.nr_open: the ceiling of RLIMIT_NOFILE.
const NR_OPEN: u64 = 1 << 20;

#[derive(Clone, Copy)]
pub struct Limits([Rlimit; RLIM_NLIMITS]);

impl Default for Limits {
    /// Linux's defaults for init.
    fn default() -> Self {
        let unlimited = Rlimit { rlim_cur: INFINITY, rlim_max: INFINITY };
        let mut limits = [unlimited; RLIM_NLIMITS];
        limits[RLIMIT_STACK as usize] = Rlimit { rlim_cur: 8 << 20, rlim_max: INFINITY };
        limits[4] = Rlimit { rlim_cur: 0, rlim_max: INFINITY }; // RLIMIT_CORE
        limits[RLIMIT_NOFILE as usize] = Rlimit { rlim_cur: 1024, rlim_max: 4096 };
        limits[8] = Rlimit { rlim_cur: 8 << 20, rlim_max: 8 << 20 }; // RLIMIT_MEMLOCK
        limits[12] = Rlimit { rlim_cur: 819200, rlim_max: 819200 }; // RLIMIT_MSGQUEUE
        limits[13] = Rlimit { rlim_cur: 0, rlim_max: 0 }; // RLIMIT_NICE
        limits[14] = Rlimit { rlim_cur: 0, rlim_max: 0 }; // RLIMIT_RTPRIO
        Limits(limits)
    }
}

impl Limits {
    pub fn get(&self, resource: u32) -> Result<Rlimit> {
        match self.0.get(resource as usize) {
            Some(limit) => Ok(*limit),
            None => return_errno!(EINVAL),
        }
    }

    /// The soft limit of `resource` (a known one).
    pub fn current(&self, resource: u32) -> u64 {
        self.0[resource as usize].rlim_cur
    }

    /// Sets a limit as root may: soft at most hard (EINVAL), the open-file
    /// limit at most fs.nr_open (EPERM).
    pub fn set(&mut self, resource: u32, limit: Rlimit) -> Result<()> {
        self.get(resource)?;
        if limit.rlim_cur > limit.rlim_max {
            return_errno!(EINVAL);
        }
        if resource == RLIMIT_NOFILE && limit.rlim_max > NR_OPEN {
            return_errno!(EPERM);
        }
        self.0[resource as usize] = limit;
        Ok(())
    }
}

/// RLIMIT_NPROC: whether the caller may not start another thread or
/// process, its real user having as many as the limit allows (root, real
/// or effective, is exempt).
pub fn too_many_tasks(process: &super::Process) -> bool {
    let credentials = *process.credentials.lock();
    if credentials.uid == 0 || credentials.is_root() {
        return false;
    }
    let limit = process.limits.lock().current(RLIMIT_NPROC);
    let tasks: u64 = super::all()
        .iter()
        .filter(|p| p.credentials.lock().uid == credentials.uid)
        .map(|p| p.live_threads.load(core::sync::atomic::Ordering::Relaxed) as u64)
        .sum();
    tasks >= limit
}
