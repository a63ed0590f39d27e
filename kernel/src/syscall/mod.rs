//! System calls: the table from Linux riscv64 numbers (asm-generic) to
//! handlers, argument conversion, the strace-style log, and the single
//! place where a kernel error becomes `-errno`.

mod args;
mod system;
mod table;

pub use args::{FromArg, IntoReturn, UserAddr};

use crate::error::Result;
use crate::process::Thread;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering};
use hal::UserContext;

/// The kernel release uname and /proc/version report: Linux's numbering,
/// so programs that check for features by version find what goose has.
pub const RELEASE: &str = "6.12.0-goose";

/// What a handler sees of the calling thread.
pub struct Context<'a> {
    pub thread: &'a Arc<Thread>,
    pub user: &'a mut UserContext,
}

impl Context<'_> {
    pub fn process(&self) -> &Arc<crate::process::Process> {
        &self.thread.process
    }
}

/// Turns a handler's result into the value a0 gets.
pub fn to_return<T: IntoReturn>(result: Result<T>) -> isize {
    match result {
        Ok(value) => value.into_return(),
        Err(error) => -(error.errno as i32 as isize),
    }
}

/// Numbers already reported as unimplemented (one bit each).
static REPORTED: [AtomicU64; 8] = [const { AtomicU64::new(0) }; 8];

/// ENOSYS for a number goose does not implement, logged once per number.
fn unimplemented(number: usize) -> isize {
    let (word, bit) = (number / 64, number % 64);
    let first = REPORTED.get(word).is_none_or(|w| w.fetch_or(1 << bit, Ordering::Relaxed) & (1 << bit) == 0);
    if first {
        match abi::syscall_name(number) {
            Some(name) => log::warn!("unimplemented syscall {name} ({number})"),
            None => log::warn!("unknown syscall number {number}"),
        }
    }
    -(abi::Errno::ENOSYS as i32 as isize)
}

/// Runs the syscall in the thread's registers and puts the result in a0.
pub fn handle(thread: &Arc<Thread>, user: &mut UserContext) {
    use hal::arch::user_context::reg;
    let number = user.regs[reg::A7];
    let args = [
        user.regs[reg::A0],
        user.regs[reg::A1],
        user.regs[reg::A2],
        user.regs[reg::A3],
        user.regs[reg::A4],
        user.regs[reg::A5],
    ];
    if log::log_enabled!(log::Level::Trace) {
        log::trace!(
            "[{}:{}] {} ...",
            thread.process.pid,
            thread.tid(),
            abi::syscall_name(number).unwrap_or("?")
        );
    }
    let mut context = Context { thread, user };
    let result = table::dispatch(&mut context, number, args);
    if log::log_enabled!(log::Level::Trace) {
        let name = abi::syscall_name(number).unwrap_or("?");
        log::trace!(
            "[{}:{}] {name}({:#x}, {:#x}, {:#x}, {:#x}) = {result}",
            thread.process.pid,
            thread.tid(),
            args[0],
            args[1],
            args[2],
            args[3]
        );
    }
    context.user.regs[reg::A0] = result as usize;
    // rt_sigreturn's "result" is the interrupted code's own a0.
    const RT_SIGRETURN: usize = 139;
    let restartable = number != RT_SIGRETURN;
    if let Some(kind) = crate::signal::Restart::from_return(result).filter(|_| restartable) {
        thread.set_restart(kind, args[0]);
    }
}
