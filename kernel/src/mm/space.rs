//! An address space as the scheduler sees it: the areas and page table
//! behind a lock, and beside them, readable without the lock, what a hart
//! needs to switch to it (the table's root and the TLB generation).
//!
//! Switching must not take the lock: the owner may hold it across a
//! preemption (fork copies a whole table under it), and the switch back to
//! that very task would then wait for itself.

use super::vm::Vm;
use crate::sync::Mutex;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering};
use hal::memory::user_space::TableRoot;
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
        self.generation.load(Ordering::Acquire)
    }
}
