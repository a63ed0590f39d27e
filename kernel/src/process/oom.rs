//! Out of memory at a page fault: as Linux's OOM killer, the process
//! holding the most memory is killed so that the others can go on; the
//! faulting process itself only when it is that process.

use super::Process;
use alloc::sync::Arc;
use core::sync::atomic::Ordering;

/// How long the faulting thread waits for the killed process to give its
/// memory back before it gives up (and is killed itself).
const RELEASE_WAIT_NS: u64 = 2_000_000_000;

/// Resident pages of a live process other than init (init is never
/// chosen, as on Linux).
fn resident_pages(process: &Arc<Process>) -> Option<usize> {
    if process.pid == 1 {
        return None;
    }
    {
        let family = process.family.lock();
        if family.exit_status.is_some() || family.group_exit.is_some() {
            return None;
        }
    }
    Some(process.vm().map_or(0, |space| space.lock().resident_pages()))
}

/// Kills the largest process if it is not `faulting` and waits until its
/// memory is released. Whether memory was freed, so that the fault is
/// worth retrying; false when `faulting` is the largest (it is then the
/// one to kill).
pub fn kill_largest_other(faulting: &Arc<Process>) -> bool {
    let victim = super::all()
        .into_iter()
        .filter_map(|p| resident_pages(&p).map(|pages| (pages, p)))
        .max_by_key(|(pages, _)| *pages);
    let Some((pages, victim)) = victim else { return false };
    if Arc::ptr_eq(&victim, faulting) {
        return false;
    }
    log::warn!("out of memory: killing process {} ({} pages resident)", victim.pid, pages);
    crate::signal::send_info(
        &victim,
        abi::signal::SIGKILL,
        crate::signal::SigInfo { code: crate::signal::SI_KERNEL, ..Default::default() },
    );
    let deadline = crate::time::deadline_after(RELEASE_WAIT_NS);
    loop {
        if victim.vm().is_none() || victim.live_threads.load(Ordering::Acquire) == 0 {
            return true;
        }
        if hal::timer::now() >= deadline || crate::signal::current_has_pending() {
            return false;
        }
        crate::time::timer::sleep_until(
            crate::time::deadline_after(1_000_000),
            crate::signal::current_has_pending,
        );
    }
}
