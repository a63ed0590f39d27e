//! Out of memory at a page fault: as Linux's OOM killer, the process
//! holding the most memory is killed so that the others can go on; the
//! faulting process itself only when it is that process.

use super::Process;
use crate::mm::space::AddressSpace;
use alloc::sync::{Arc, Weak};
use hal::sync::SpinLock;

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

/// The process being killed for memory and its address space, until the
/// space is freed: other faults wait for it instead of choosing another
/// victim (as Linux's OOM killer does while a victim exits). The space is
/// watched rather than the process: an exiting thread still holds its
/// space for a moment after its parent can reap it, and a fault in that
/// moment must wait, not kill the parent as the largest left.
static VICTIM: SpinLock<Option<(Weak<Process>, Weak<AddressSpace>)>> = SpinLock::new(None);

fn holds_memory(space: &Weak<AddressSpace>) -> bool {
    space.strong_count() > 0
}

/// What became of a fault that found no memory.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Outcome {
    /// Another process's memory came back: the fault is worth retrying.
    Freed,
    /// A signal arrived while waiting: it is delivered first, and the
    /// faulting instruction runs again after it.
    Interrupted,
    /// The faulting process is the victim, or nothing came back in time:
    /// the caller ends it.
    Exhausted,
}

/// Out of memory at a fault of `faulting`: unless a victim is already
/// dying (then this waits for it), the largest process is chosen. If it
/// is another, it is killed and waited for.
pub fn kill_largest_other(faulting: &Arc<Process>) -> Outcome {
    let dying = VICTIM.lock().as_ref().filter(|(_, space)| holds_memory(space)).cloned();
    let (victim, space) = match dying {
        Some(dying) => dying,
        None => {
            let largest = super::all()
                .into_iter()
                .filter_map(|p| resident_pages(&p).map(|pages| (pages, p)))
                .max_by_key(|(pages, _)| *pages);
            let Some((pages, victim)) = largest else { return Outcome::Exhausted };
            let space = victim.vm().as_ref().map_or_else(Weak::new, Arc::downgrade);
            *VICTIM.lock() = Some((Arc::downgrade(&victim), space.clone()));
            if !Arc::ptr_eq(&victim, faulting) {
                log::warn!("out of memory: killing process {} ({} pages resident)", victim.pid, pages);
                crate::signal::send_info(
                    &victim,
                    abi::signal::SIGKILL,
                    crate::signal::SigInfo { code: crate::signal::SI_KERNEL, ..Default::default() },
                );
            }
            (Arc::downgrade(&victim), space)
        }
    };
    if core::ptr::eq(victim.as_ptr(), Arc::as_ptr(faulting)) {
        return Outcome::Exhausted;
    }
    let deadline = crate::time::deadline_after(RELEASE_WAIT_NS);
    loop {
        if !holds_memory(&space) {
            return Outcome::Freed;
        }
        if crate::signal::current_has_pending() {
            return Outcome::Interrupted;
        }
        if hal::timer::now() >= deadline {
            return Outcome::Exhausted;
        }
        crate::time::timer::sleep_until(
            crate::time::deadline_after(1_000_000),
            crate::signal::current_has_pending,
        );
    }
}
