//! Per-hart state. Each hart's `tp` register points at its [`PerHart`]
//! block while it runs kernel code; nothing else is per-hart.

use crate::task::Schedulable;
use alloc::sync::Arc;
use core::arch::asm;
use core::cell::{Cell, UnsafeCell};
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The most harts goose drives; QEMU virt allows up to 512 but a larger
/// machine only costs this array.
pub const MAX_HARTS: usize = 64;

/// What one hart owns. `stack_top` must stay the first field: the
/// secondary entry in boot.S loads the stack pointer from it.
#[repr(C, align(64))]
pub struct PerHart {
    pub(crate) stack_top: Cell<usize>,
    index: Cell<usize>,
    hart_id: Cell<usize>,
    online: AtomicBool,
    /// The thread running on this hart (task.rs).
    pub(crate) current: UnsafeCell<Option<Arc<dyn Schedulable>>>,
    /// The thread that just switched away, kept alive until the switch is
    /// over.
    pub(crate) previous: UnsafeCell<Option<Arc<dyn Schedulable>>>,
    /// The UserContext whose FP registers this hart holds (by address).
    pub(crate) fp_owner: Cell<usize>,
    pub(crate) has_sstc: Cell<bool>,
}

// SAFETY: a PerHart block is only touched by its own hart with interrupts
// off (the Cell and UnsafeCell fields), except `online` (atomic), and the
// `stack_top`, `index` and `hart_id` fields, which the boot hart writes
// before it starts the hart that owns them (SBI hart_start orders this).
unsafe impl Sync for PerHart {}

impl PerHart {
    const fn new() -> Self {
        PerHart {
            stack_top: Cell::new(0),
            index: Cell::new(0),
            hart_id: Cell::new(0),
            online: AtomicBool::new(false),
            current: UnsafeCell::new(None),
            previous: UnsafeCell::new(None),
            fp_owner: Cell::new(0),
            has_sstc: Cell::new(false),
        }
    }

    pub fn index(&self) -> usize {
        self.index.get()
    }

    pub fn hart_id(&self) -> usize {
        self.hart_id.get()
    }
}

static HARTS: [PerHart; MAX_HARTS] = [const { PerHart::new() }; MAX_HARTS];
static HART_COUNT: AtomicUsize = AtomicUsize::new(1);

/// The running hart's block.
#[inline]
pub fn this_hart() -> &'static PerHart {
    let pointer: usize;
    // SAFETY: reading tp has no side effects.
    unsafe { asm!("mv {}, tp", out(reg) pointer, options(nomem, nostack)) };
    // SAFETY: tp is set to an element of HARTS (a static) before any Rust
    // code that calls this runs, and is never changed afterwards; user tp
    // values are swapped out in trap.S before Rust code runs.
    unsafe { &*(pointer as *const PerHart) }
}

/// Dense index of the running hart, 0 for the boot hart.
#[inline]
pub fn index() -> usize {
    this_hart().index()
}

/// The hart's id as SBI knows it.
pub fn hart_id() -> usize {
    this_hart().hart_id()
}

/// Number of harts goose brought up or is bringing up.
pub fn count() -> usize {
    HART_COUNT.load(Ordering::Acquire)
}

pub fn by_index(index: usize) -> &'static PerHart {
    &HARTS[index]
}

pub fn is_online(index: usize) -> bool {
    HARTS.get(index).is_some_and(|h| h.online.load(Ordering::Acquire))
}

/// Hart ids of the harts that are online.
pub fn online_harts() -> impl Iterator<Item = (usize, usize)> {
    (0..count()).filter(|&i| is_online(i)).map(|i| (i, HARTS[i].hart_id()))
}

/// Points tp at block `index` and records the hart id. Called first thing
/// on every hart.
pub(crate) fn install(index: usize, hart_id: usize, has_sstc: bool) {
    let block = &HARTS[index];
    block.index.set(index);
    block.hart_id.set(hart_id);
    block.has_sstc.set(has_sstc);
    // SAFETY: tp is reserved for the per-hart pointer in kernel mode and
    // Rust code never allocates it; `block` is static.
    unsafe { asm!("mv tp, {}", in(reg) block as *const PerHart, options(nostack)) };
}

pub(crate) fn set_online(index: usize) {
    HARTS[index].online.store(true, Ordering::Release);
}

/// Prepares block `index` for a secondary hart before it starts.
pub(crate) fn prepare(index: usize, hart_id: usize, stack_top: usize) -> &'static PerHart {
    let block = &HARTS[index];
    block.index.set(index);
    block.hart_id.set(hart_id);
    block.stack_top.set(stack_top);
    HART_COUNT.fetch_max(index + 1, Ordering::AcqRel);
    block
}
