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

/// The process being killed for memory, until it has given it back:
/// other faults wait for it instead of choosing another victim (as
/// Linux's OOM killer does while a victim exits).
static VICTIM: hal::sync::SpinLock<Option<alloc::sync::Weak<Process>>> = hal::sync::SpinLock::new(None);

fn holds_memory(process: &Arc<Process>) -> bool {
    process.vm().is_some() && process.live_threads.load(Ordering::Acquire) > 0
}

/// Out of memory at a fault of `faulting`: unless a victim is already
/// dying (then this waits for it), the largest process is chosen. If it
/// is another, it is killed and waited for; whether memory was freed, so
/// that the fault is worth retrying. False when `faulting` is the victim
/// (the caller then ends it).
pub fn kill_largest_other(faulting: &Arc<Process>) -> bool {
    let dying = VICTIM.lock().as_ref().and_then(alloc::sync::Weak::upgrade).filter(holds_memory);
    let victim = match dying {
        Some(victim) => victim,
        None => {
            let largest = super::all()
                .into_iter()
                .filter_map(|p| resident_pages(&p).map(|pages| (pages, p)))
                .max_by_key(|(pages, _)| *pages);
            let Some((pages, victim)) = largest else { return false };
            *VICTIM.lock() = Some(Arc::downgrade(&victim));
            if !Arc::ptr_eq(&victim, faulting) {
                log::warn!("out of memory: killing process {} ({} pages resident)", victim.pid, pages);
                crate::signal::send_info(
                    &victim,
                    abi::signal::SIGKILL,
                    crate::signal::SigInfo { code: crate::signal::SI_KERNEL, ..Default::default() },
                );
            }
            victim
        }
    };
    if Arc::ptr_eq(&victim, faulting) {
        return false;
    }
    let deadline = crate::time::deadline_after(RELEASE_WAIT_NS);
    loop {
        if !holds_memory(&victim) {
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
