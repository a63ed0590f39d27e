//! An address space as the scheduler sees it: the areas and page table
//! behind a lock, and beside them, readable without the lock, what a hart
//! needs to switch to it (the table's root and the TLB generation). Also
//! which address space each hart runs, and the TLB shootdown that keeps
//! the harts running one shared space (threads) coherent.
//!
//! Switching must not take the lock: the owner may hold it across a
//! preemption (fork copies a whole table under it), and the switch back to
//! that very task would then wait for itself.

use super::vm::Vm;
use crate::sync::Mutex;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use hal::cpu::MAX_HARTS;
use hal::memory::user_space::TableRoot;
use hal::sync::SpinLock;
use spin::MutexGuard;

pub struct AddressSpace {
    root: TableRoot,
    generation: Arc<AtomicU64>,
    /// Where signal handlers return (the vDSO's __vdso_rt_sigreturn),
    /// fixed when the space is made (exec or fork).
    sigreturn_address: usize,
    vm: Mutex<Vm>,
}

impl AddressSpace {
    pub fn new(vm: Vm) -> Arc<AddressSpace> {
        Arc::new(AddressSpace {
            root: vm.table.root(),
            generation: vm.generation(),
            sigreturn_address: vm.vdso_base.map_or(0, super::vdso::sigreturn_address),
            vm: Mutex::new(vm),
        })
    }

    pub fn sigreturn_address(&self) -> usize {
        self.sigreturn_address
    }

    pub fn lock(&self) -> MutexGuard<'_, Vm> {
        self.vm.lock()
    }

    pub fn root(&self) -> TableRoot {
        self.root
    }

    /// Bumped whenever a TLB anywhere may hold a stale entry.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// What identifies the space in the per-hart slots (and futex keys):
    /// the address of its generation counter, which the Vm shares.
    pub fn key(&self) -> usize {
        generation_key(&self.generation)
    }
}

pub(super) fn generation_key(generation: &Arc<AtomicU64>) -> usize {
    Arc::as_ptr(generation) as usize
}

/// The address space each hart has in satp, kept alive while it is there.
static ACTIVE: [SpinLock<Option<Arc<AddressSpace>>>; MAX_HARTS] = [const { SpinLock::new(None) }; MAX_HARTS];
/// For the fast check on every return to user mode, without a lock: the
/// key of the active space (0 for none) and its TLB generation when this
/// hart last flushed. Only the hart itself writes its slots, with
/// interrupts off; a shootdown reads the keys.
static ACTIVE_KEY: [AtomicUsize; MAX_HARTS] = [const { AtomicUsize::new(0) }; MAX_HARTS];
static ACTIVE_GENERATION: [AtomicU64; MAX_HARTS] = [const { AtomicU64::new(0) }; MAX_HARTS];

/// Puts `space` in this hart's satp, with a TLB flush, unless it is there
/// already and unchanged since. Takes no lock on the way that costs
/// nothing (the usual case), so it is safe inside the scheduler whoever
/// holds the address space.
///
/// Against a concurrent change on another hart (see [`shootdown`]): the
/// key is published before the generation is read and the TLB flushed, so
/// a change either comes before this flush or sees the key and sends a
/// remote fence.
pub fn activate(space: &Arc<AddressSpace>) {
    // The usual case, checked without masking interrupts (two sstatus
    // writes, about 160 ns under QEMU, on every return to user mode): if
    // the task moves to another hart during the check, the switch there
    // has activated its space already (`after_switch`), so a match read
    // from the old hart's slots is still true of the new one.
    let hart = hal::cpu::index();
    if ACTIVE_KEY[hart].load(Ordering::Relaxed) == space.key()
        && ACTIVE_GENERATION[hart].load(Ordering::Relaxed) == space.generation()
    {
        return;
    }
    // Interrupts off: the hart must not change under us.
    let was_on = hal::arch::csr::interrupts_disable();
    let hart = hal::cpu::index();
    let key = space.key();
    if ACTIVE_KEY[hart].load(Ordering::Relaxed) != key
        || ACTIVE_GENERATION[hart].load(Ordering::Relaxed) != space.generation()
    {
        ACTIVE_KEY[hart].store(key, Ordering::SeqCst);
        let generation = space.generation();
        space.root().activate();
        ACTIVE_GENERATION[hart].store(generation, Ordering::Relaxed);
        // The slot keeps the space alive (so its key cannot be reused
        // while it is active); the previous one may be freed here.
        let previous = ACTIVE[hart].lock().replace(space.clone());
        drop(previous);
    }
    hal::arch::csr::interrupts_restore(was_on);
}

/// Switches this hart to the kernel's own table and lets go of the user
/// one (before an address space is destroyed).
pub fn deactivate() {
    let was_on = hal::arch::csr::interrupts_disable();
    let hart = hal::cpu::index();
    hal::memory::use_kernel_table();
    ACTIVE_KEY[hart].store(0, Ordering::SeqCst);
    let previous = ACTIVE[hart].lock().take();
    drop(previous);
    hal::arch::csr::interrupts_restore(was_on);
}

/// After entries of the space `key` changed (and its generation moved):
/// flushes the TLBs of the other harts that have it active, and returns
/// once they have (the SBI remote fence is synchronous). Only spaces that
/// several threads share need this; a hart that activates the space later
/// flushes by itself when it sees the new generation.
pub(super) fn shootdown(key: usize) {
    core::sync::atomic::fence(Ordering::SeqCst);
    let me = hal::cpu::index();
    let mut hart_ids = 0usize;
    for (index, hart_id) in hal::cpu::online_harts() {
        if index != me && ACTIVE_KEY[index].load(Ordering::SeqCst) == key {
            if hart_id < usize::BITS as usize {
                hart_ids |= 1 << hart_id;
            } else {
                hal::arch::sbi::remote_flush_tlb(1, hart_id);
            }
        }
    }
    if hart_ids != 0 {
        hal::arch::sbi::remote_flush_tlb(hart_ids, 0);
    }
}
