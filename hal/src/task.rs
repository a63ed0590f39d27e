//! Kernel threads: their stacks, their saved registers, and the switch
//! from one to another. The policy (who runs next) is the kernel's; this
//! module only makes a switch safe.
//!
//! Ownership: the running thread of each hart is held by an `Arc` in its
//! [`PerHart`](crate::cpu::PerHart) block, so its stack cannot be freed
//! under it. A thread that switches away stays referenced by `previous`
//! until the switch is complete on the hart, and its `on_cpu` flag keeps
//! any other hart from resuming it before its registers are saved.

use crate::arch::csr;
use crate::cpu::this_hart;
use crate::memory::frame;
use alloc::sync::Arc;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};

/// Size of a kernel thread's stack.
pub const KERNEL_STACK_SIZE: usize = 32 * 1024;

/// The registers a switch preserves (the callee-saved ones).
#[repr(C)]
#[derive(Default)]
struct SwitchContext {
    ra: usize,
    sp: usize,
    s: [usize; 12],
}

extern "C" {
    fn hal_switch(from: *mut SwitchContext, to: *const SwitchContext);
    fn hal_thread_trampoline();
}

/// A kernel stack made of contiguous frames, reached through the direct
/// map.
struct KernelStack {
    base_pa: usize,
}

impl KernelStack {
    fn new() -> Option<Self> {
        frame::alloc_contiguous(KERNEL_STACK_SIZE / frame::PAGE_SIZE).map(|base_pa| KernelStack { base_pa })
    }
    fn top(&self) -> usize {
        crate::arch::layout::phys_to_virt(self.base_pa) + KERNEL_STACK_SIZE
    }
}

impl Drop for KernelStack {
    fn drop(&mut self) {
        frame::free_contiguous(self.base_pa, KERNEL_STACK_SIZE / frame::PAGE_SIZE);
    }
}

/// What the hal keeps of a kernel thread.
pub struct ThreadContext {
    switch: UnsafeCell<SwitchContext>,
    stack: Option<KernelStack>,
    on_cpu: AtomicBool,
}

// SAFETY: `switch` is written only by hal_switch on the hart that runs or
// resumes the thread, and `on_cpu` keeps two harts from doing so at once.
unsafe impl Sync for ThreadContext {}
// SAFETY: the stack is plain memory owned by this value.
unsafe impl Send for ThreadContext {}

/// Out of memory for a new thread's stack.
#[derive(Debug)]
pub struct NoMemory;

impl ThreadContext {
    /// A thread that will start by calling `entry(argument)` with
    /// interrupts on. `entry` must never return.
    pub fn new(entry: fn(usize) -> !, argument: usize) -> Result<Self, NoMemory> {
        let stack = KernelStack::new().ok_or(NoMemory)?;
        let mut switch = SwitchContext {
            ra: hal_thread_trampoline as *const () as usize,
            sp: stack.top(),
            ..SwitchContext::default()
        };
        switch.s[1] = entry as *const () as usize;
        switch.s[2] = argument;
        Ok(ThreadContext {
            switch: UnsafeCell::new(switch),
            stack: Some(stack),
            on_cpu: AtomicBool::new(false),
        })
    }

    /// The context of the code already running on this hart (its boot
    /// flow, which becomes its idle thread); it owns no stack.
    pub fn for_running_code() -> Self {
        ThreadContext {
            switch: UnsafeCell::new(SwitchContext::default()),
            stack: None,
            on_cpu: AtomicBool::new(true),
        }
    }

    /// Whether a hart is running the thread or has not yet finished
    /// switching away from it. A scheduler must not wait for this to clear
    /// while its own hart is mid-switch (two harts could wait on each
    /// other); it should pick another thread instead.
    pub fn is_on_cpu(&self) -> bool {
        self.on_cpu.load(Ordering::Acquire)
    }

    /// The stack's range, for backtraces and overflow checks.
    pub fn stack_range(&self) -> Option<core::ops::Range<usize>> {
        self.stack.as_ref().map(|s| s.top() - KERNEL_STACK_SIZE..s.top())
    }
}

/// Anything the scheduler can run: the kernel's task type.
pub trait Schedulable: core::any::Any + Send + Sync {
    fn thread_context(&self) -> &ThreadContext;
}

/// Makes `thread` the running thread of this hart at boot. Must be called
/// once per hart, before the first [`switch_to`].
pub fn set_initial(thread: Arc<dyn Schedulable>) {
    let was_on = csr::interrupts_disable();
    // SAFETY: interrupts are off, so nothing else on this hart touches its
    // `current` slot.
    unsafe { *this_hart().current.get() = Some(thread) };
    csr::interrupts_restore(was_on);
}

/// The thread running on this hart.
pub fn current() -> Arc<dyn Schedulable> {
    let was_on = csr::interrupts_disable();
    // SAFETY: interrupts are off, so the thread cannot move to another hart
    // or be replaced while the slot is read.
    let current = unsafe { (*this_hart().current.get()).clone() };
    csr::interrupts_restore(was_on);
    current.expect("task::current before set_initial")
}

/// Switches this hart from the running thread to `next`, which must not be
/// running anywhere else right now except finishing a switch away (this
/// waits for that). Returns when some hart switches back to the caller.
/// Interrupts must be off; they are off again on return.
pub fn switch_to(next: Arc<dyn Schedulable>) {
    debug_assert!(!csr::interrupts_enabled());
    let hart = this_hart();
    // SAFETY: interrupts are off and only this hart touches its slots.
    let previous = unsafe { (*hart.current.get()).take() }.expect("switch_to before set_initial");
    let next_context = next.thread_context();
    while next_context.on_cpu.swap(true, Ordering::Acquire) {
        core::hint::spin_loop();
    }
    let from = previous.thread_context().switch.get();
    let to = next_context.switch.get() as *const SwitchContext;
    // SAFETY: as above; both threads stay alive through these two slots
    // until finish_switch runs on the resumed side.
    unsafe {
        *hart.current.get() = Some(next);
        *hart.previous.get() = Some(previous);
    }
    // SAFETY: `from` belongs to the running thread (whose registers get
    // saved there) and `to` to a thread that is not running (on_cpu was
    // false) and was saved by an earlier switch or built by
    // ThreadContext::new; both are kept alive by the hart's slots.
    unsafe { hal_switch(from, to) };
    finish_switch();
}

/// Runs on the resumed side of every switch: lets other harts pick up the
/// thread that switched away, and drops this hart's hold on it.
fn finish_switch() {
    let hart = crate::cpu::this_hart();
    // SAFETY: interrupts are off (switch_to and the trampoline run so).
    let previous = unsafe { (*hart.previous.get()).take() };
    if let Some(previous) = previous {
        previous.thread_context().on_cpu.store(false, Ordering::Release);
    }
}

/// First Rust code of a new thread (called by hal_thread_trampoline).
#[no_mangle]
extern "C" fn hal_thread_start(entry: usize, argument: usize) -> ! {
    finish_switch();
    csr::interrupts_enable();
    // SAFETY: ThreadContext::new stored a `fn(usize) -> !` in this slot.
    let entry: fn(usize) -> ! = unsafe { core::mem::transmute::<usize, fn(usize) -> !>(entry) };
    entry(argument)
}
