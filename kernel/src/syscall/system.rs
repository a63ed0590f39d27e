//! System and time syscalls: uname, clocks, sleeping, limits, random
//! bytes, reboot, signals' syscalls.

use crate::error::Result;
use crate::mm::user::{read_val, write_bytes, write_val};
use crate::return_errno;
use crate::syscall::{Context, UserAddr};
use abi::signal::{self as sig, KernelSigaction};
use abi::Timespec;
use core::sync::atomic::Ordering;

fn field(text: &str) -> [u8; 65] {
    let mut out = [0u8; 65];
    out[..text.len().min(64)].copy_from_slice(&text.as_bytes()[..text.len().min(64)]);
    out
}

pub fn uname(_context: &mut Context, buffer: UserAddr) -> Result<()> {
    let name = abi::Utsname {
        sysname: field("Linux"),
        nodename: field(&hostname()),
        release: field(super::RELEASE),
        version: field(concat!("#1 SMP goose ", env!("CARGO_PKG_VERSION"))),
        machine: field("riscv64"),
        domainname: field("(none)"),
    };
    write_val(buffer, &name)
}

static HOSTNAME: hal::sync::SpinLock<alloc::string::String> =
    hal::sync::SpinLock::new(alloc::string::String::new());

fn hostname() -> alloc::string::String {
    let name = HOSTNAME.lock();
    if name.is_empty() {
        alloc::string::String::from("(none)")
    } else {
        name.clone()
    }
}

/// sethostname: at most 64 bytes (__NEW_UTS_LEN), any bytes.
pub fn sethostname(_context: &mut Context, name: UserAddr, length: usize) -> Result<()> {
    if length > 64 {
        return_errno!(EINVAL);
    }
    let mut bytes = alloc::vec![0u8; length];
    crate::mm::user::read_bytes(name, &mut bytes)?;
    *HOSTNAME.lock() = alloc::string::String::from_utf8_lossy(&bytes).into_owned();
    Ok(())
}

fn clock_ns(thread: &crate::process::Thread, clock: i32) -> Result<u64> {
    let ns = hal::timer::ticks_to_ns;
    let total = |(user, system): (u64, u64)| ns(user + system);
    Ok(match clock {
        // REALTIME, REALTIME_COARSE, REALTIME_ALARM, TAI (no leap-second
        // offset is ever set, so TAI reads as REALTIME, as on a fresh Linux).
        0 | 5 | 8 | 11 => crate::time::realtime_ns(),
        1 | 4 | 6 | 7 | 9 => crate::time::monotonic_ns(), // MONOTONIC, _RAW, _COARSE, BOOTTIME, BOOTTIME_ALARM
        2 => total(thread.process.cpu_ticks()),           // PROCESS_CPUTIME_ID
        3 => total(thread.cpu_ticks()),                   // THREAD_CPUTIME_ID
        // A CPU-time clock of a given process or thread
        // (clock_getcpuclockid, pthread_getcpuclockid): ~pid << 3 |
        // per-thread << 2 | kind (0 PROF: user + system, 1 VIRT: user, 2
        // SCHED: all; 3 is invalid); the process or thread must exist.
        id if id < 0 => {
            let pid = !(id >> 3) as u32;
            let kind = id & 3;
            if kind == 3 {
                return_errno!(EINVAL);
            }
            let ticks = if id & 4 != 0 {
                let target = if pid == 0 {
                    Some(crate::process::syscalls::current_thread().ok_or(abi::Errno::EINVAL)?)
                } else {
                    crate::process::find_thread(pid)
                };
                target.ok_or(abi::Errno::EINVAL)?.cpu_ticks()
            } else if pid == 0 {
                thread.process.cpu_ticks()
            } else {
                crate::process::find(pid).ok_or(abi::Errno::EINVAL)?.cpu_ticks()
            };
            if kind == 1 {
                ns(ticks.0)
            } else {
                total(ticks)
            }
        }
        _ => return_errno!(EINVAL),
    })
}

pub fn clock_gettime(context: &mut Context, clock: i32, buffer: UserAddr) -> Result<()> {
    write_val(buffer, &crate::time::timespec(clock_ns(context.thread, clock)?))
}

pub fn clock_getres(context: &mut Context, clock: i32, buffer: UserAddr) -> Result<()> {
    clock_ns(context.thread, clock)?;
    // The coarse clocks are only promised to the scheduler tick.
    const REALTIME_COARSE: i32 = 5;
    const MONOTONIC_COARSE: i32 = 6;
    let resolution = match clock {
        REALTIME_COARSE | MONOTONIC_COARSE => 1_000_000_000 / crate::irq::TICK_HZ as i64,
        _ => 1,
    };
    if !buffer.is_null() {
        write_val(buffer, &Timespec { tv_sec: 0, tv_nsec: resolution })?;
    }
    Ok(())
}

pub fn gettimeofday(_context: &mut Context, buffer: UserAddr, zone: UserAddr) -> Result<()> {
    if !buffer.is_null() {
        let ns = crate::time::realtime_ns();
        write_val(
            buffer,
            &abi::Timeval {
                tv_sec: (ns / 1_000_000_000) as i64,
                tv_usec: (ns % 1_000_000_000 / 1000) as i64,
            },
        )?;
    }
    if !zone.is_null() {
        write_val(zone, &[0u32; 2])?;
    }
    Ok(())
}

fn sleep_for(context: &mut Context, duration: Timespec, remaining: UserAddr) -> Result<()> {
    let deadline = crate::time::deadline_after(crate::time::timespec_ns(&duration)?);
    sleep_until_deadline(context, deadline, remaining)
}

/// Sleeps to `deadline` (ticks). Cut short by a signal, it writes the time
/// left and asks to continue through restart_syscall (EINTR if a handler
/// runs), as Linux's nanosleep does.
fn sleep_until_deadline(context: &mut Context, deadline: u64, remaining: UserAddr) -> Result<()> {
    if !crate::time::timer::sleep_until(deadline, crate::signal::current_has_pending) {
        if !remaining.is_null() {
            write_val(remaining, &crate::time::timespec(crate::time::ns_until(deadline)))?;
        }
        *context.thread.restart_block.lock() = Some((deadline, remaining));
        return_errno!(ERESTART_RESTARTBLOCK);
    }
    Ok(())
}

/// restart_syscall: continues the call a signal interrupted (EINTR if
/// there is none to continue).
pub fn restart_syscall(context: &mut Context) -> Result<()> {
    let block = context.thread.restart_block.lock().take();
    match block {
        Some((deadline, remaining)) => sleep_until_deadline(context, deadline, remaining),
        None => return_errno!(EINTR),
    }
}

pub fn nanosleep(context: &mut Context, duration: UserAddr, remaining: UserAddr) -> Result<()> {
    sleep_for(context, read_val(duration)?, remaining)
}

pub fn clock_nanosleep(
    context: &mut Context,
    clock: i32,
    flags: u32,
    request: UserAddr,
    remaining: UserAddr,
) -> Result<()> {
    let now = clock_ns(context.thread, clock)?;
    // Clocks one cannot sleep on (Linux: no nsleep for them).
    const THREAD_CPUTIME: i32 = 3;
    const MONOTONIC_RAW: i32 = 4;
    const REALTIME_COARSE: i32 = 5;
    const MONOTONIC_COARSE: i32 = 6;
    if matches!(clock, THREAD_CPUTIME | MONOTONIC_RAW | REALTIME_COARSE | MONOTONIC_COARSE) {
        return_errno!(EOPNOTSUPP);
    }
    let request: Timespec = read_val(request)?;
    const TIMER_ABSTIME: u32 = 1;
    if flags & TIMER_ABSTIME != 0 {
        let target = crate::time::timespec_ns(&request)?;
        let deadline = crate::time::deadline_after(target.saturating_sub(now));
        // An absolute sleep restarts as it was asked (Linux: ERESTARTNOHAND).
        if !crate::time::timer::sleep_until(deadline, crate::signal::current_has_pending) {
            return_errno!(ERESTARTNOHAND);
        }
        return Ok(());
    }
    sleep_for(context, request, remaining)
}

/// times: CPU time of the process and of its reaped children, in clock
/// ticks (USER_HZ, 100 a second).
pub fn times(context: &mut Context, buffer: UserAddr) -> Result<u64> {
    const NS_PER_CLOCK_TICK: u64 = 10_000_000;
    if !buffer.is_null() {
        let clock_ticks =
            |timer_ticks: u64| (hal::timer::ticks_to_ns(timer_ticks) / NS_PER_CLOCK_TICK) as i64;
        let (user, system) = context.process().cpu_ticks();
        let (children_user, children_system) = *context.process().reaped_children_ticks.lock();
        let tms = abi::Tms {
            tms_utime: clock_ticks(user),
            tms_stime: clock_ticks(system),
            tms_cutime: clock_ticks(children_user),
            tms_cstime: clock_ticks(children_system),
        };
        write_val(buffer, &tms)?;
    }
    Ok(crate::time::monotonic_ns() / NS_PER_CLOCK_TICK)
}

pub fn sysinfo(_context: &mut Context, buffer: UserAddr) -> Result<()> {
    let pages = hal::memory::frame::total_pages() as u64;
    let free = hal::memory::frame::free_pages() as u64;
    let info = abi::Sysinfo {
        uptime: (crate::time::monotonic_ns() / 1_000_000_000) as i64,
        totalram: pages * 4096,
        freeram: free * 4096,
        procs: crate::process::all().len() as u16,
        mem_unit: 1,
        ..abi::Sysinfo::default()
    };
    write_val(buffer, &info)
}

pub fn getrandom(_context: &mut Context, buffer: UserAddr, length: usize, flags: u32) -> Result<usize> {
    const GRND_RANDOM: u32 = 2;
    const GRND_INSECURE: u32 = 4;
    if flags & !7 != 0 || flags & (GRND_RANDOM | GRND_INSECURE) == GRND_RANDOM | GRND_INSECURE {
        return_errno!(EINVAL);
    }
    let mut bytes = alloc::vec![0u8; length.min(1 << 20)];
    crate::random::fill(&mut bytes);
    write_bytes(buffer, &bytes)?;
    Ok(bytes.len())
}

pub fn prlimit64(context: &mut Context, pid: u32, resource: u32, new: UserAddr, old: UserAddr) -> Result<()> {
    let process = match pid {
        0 => context.process().clone(),
        pid => crate::process::find(pid).ok_or(abi::Errno::ESRCH)?,
    };
    let requested: Option<abi::Rlimit> = if new.is_null() { None } else { Some(read_val(new)?) };
    let current = process.limits.lock().get(resource)?;
    if let Some(limit) = requested {
        process.limits.lock().set(resource, limit)?;
        if resource == crate::process::limits::RLIMIT_NOFILE {
            process.files.lock().limit = usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX);
        }
    }
    if !old.is_null() {
        write_val(old, &current)?;
    }
    Ok(())
}

pub fn getrlimit(context: &mut Context, resource: u32, old: UserAddr) -> Result<()> {
    prlimit64(context, 0, resource, UserAddr(0), old)
}

pub fn setrlimit(context: &mut Context, resource: u32, new: UserAddr) -> Result<()> {
    prlimit64(context, 0, resource, new, UserAddr(0))
}

pub fn reboot(
    _context: &mut Context,
    magic1: u32,
    magic2: u32,
    command: u32,
    _argument: UserAddr,
) -> Result<()> {
    const MAGIC1: u32 = 0xfee1_dead;
    const MAGIC2: [u32; 4] = [672274793, 85072278, 369367448, 537993216];
    if magic1 != MAGIC1 || !MAGIC2.contains(&magic2) {
        return_errno!(EINVAL);
    }
    match command {
        0x4321_fedc | 0xcdef_0123 => {
            log::info!("reboot: power off");
            hal::power::shutdown(0)
        }
        0x0123_4567 => hal::power::reboot(),
        0x89ab_cdef | 0 => Ok(()), // CAD on/off
        _ => return_errno!(EINVAL),
    }
}

pub fn sched_yield(_context: &mut Context) -> Result<()> {
    crate::sched::yield_now();
    Ok(())
}

/// getrusage: user and system time of the process (RUSAGE_SELF), its
/// reaped children (RUSAGE_CHILDREN) or the calling thread
/// (RUSAGE_THREAD); the other fields stay zero.
pub fn getrusage(context: &mut Context, who: i32, buffer: UserAddr) -> Result<()> {
    const RUSAGE_CHILDREN: i32 = -1;
    const RUSAGE_SELF: i32 = 0;
    const RUSAGE_THREAD: i32 = 1;
    let (user, system) = match who {
        RUSAGE_SELF => context.process().cpu_ticks(),
        RUSAGE_CHILDREN => *context.process().reaped_children_ticks.lock(),
        RUSAGE_THREAD => context.thread.cpu_ticks(),
        _ => return_errno!(EINVAL),
    };
    let timeval = |ticks: u64| {
        let ns = hal::timer::ticks_to_ns(ticks);
        abi::Timeval { tv_sec: (ns / 1_000_000_000) as i64, tv_usec: (ns % 1_000_000_000 / 1000) as i64 }
    };
    let usage = abi::Rusage { ru_utime: timeval(user), ru_stime: timeval(system), ..abi::Rusage::default() };
    write_val(buffer, &usage)
}

/// The thread `tid` names for the sched_* calls: 0 is the caller.
fn thread_by_tid(context: &Context, tid: i32) -> Result<alloc::sync::Arc<crate::process::Thread>> {
    match tid {
        0 => Ok(context.thread.clone()),
        t if t < 0 => Err(abi::Errno::EINVAL.into()),
        t => crate::process::find_thread(t as u32).ok_or_else(|| abi::Errno::ESRCH.into()),
    }
}

/// The harts goose runs, as a cpu mask (bit i: hart i).
fn online_mask() -> u64 {
    hal::cpu::online_harts().filter(|(index, _)| *index < 64).fold(0, |mask, (index, _)| mask | 1 << index)
}

/// sched_getaffinity: the mask, in at most as many bytes as the kernel's
/// cpumask (16 on Debian's riscv64 Linux, whose size this returns for a
/// larger buffer). A buffer with fewer bits than harts, or not a whole
/// number of longs, is EINVAL.
pub fn sched_getaffinity(context: &mut Context, tid: i32, size: usize, mask: UserAddr) -> Result<usize> {
    const CPUMASK_BYTES: usize = 16;
    if size.saturating_mul(8) < hal::cpu::count() || !size.is_multiple_of(8) {
        return_errno!(EINVAL);
    }
    let thread = thread_by_tid(context, tid)?;
    let allowed = thread.affinity.load(Ordering::Relaxed) & online_mask();
    let mut bytes = [0u8; CPUMASK_BYTES];
    bytes[..8].copy_from_slice(&allowed.to_le_bytes());
    let length = size.min(CPUMASK_BYTES);
    write_bytes(mask, &bytes[..length])?;
    Ok(length)
}

/// sched_setaffinity: recorded for sched_getaffinity; the scheduler does
/// not pin threads yet. A mask with no online hart is EINVAL.
pub fn sched_setaffinity(context: &mut Context, tid: i32, size: usize, mask: UserAddr) -> Result<()> {
    let thread = thread_by_tid(context, tid)?;
    let mut bytes = [0u8; 8];
    crate::mm::user::read_bytes(mask, &mut bytes[..size.min(8)])?;
    let requested = u64::from_le_bytes(bytes);
    if requested & online_mask() == 0 {
        return_errno!(EINVAL);
    }
    if !crate::process::credentials::may_signal(context.process(), &thread.process) {
        return_errno!(EPERM);
    }
    thread.affinity.store(requested, Ordering::Relaxed);
    Ok(())
}

/// getcpu: the hart the caller runs on, and NUMA node 0.
pub fn getcpu(_context: &mut Context, cpu: UserAddr, node: UserAddr, _cache: usize) -> Result<()> {
    if !cpu.is_null() {
        write_val(cpu, &(hal::cpu::index() as u32))?;
    }
    if !node.is_null() {
        write_val(node, &0u32)?;
    }
    Ok(())
}

pub fn prctl(
    context: &mut Context,
    option: i32,
    argument: usize,
    _b: usize,
    _c: usize,
    _d: usize,
) -> Result<isize> {
    const PR_GET_DUMPABLE: i32 = 3;
    const PR_SET_DUMPABLE: i32 = 4;
    const PR_SET_NAME: i32 = 15;
    const PR_GET_NAME: i32 = 16;
    match option {
        // goose writes no core dumps; the flag is kept per process
        // (SUID_DUMP_DISABLE 0, SUID_DUMP_USER 1).
        PR_SET_DUMPABLE => {
            if argument > 1 {
                return_errno!(EINVAL);
            }
            context.process().is_dumpable.store(argument == 1, core::sync::atomic::Ordering::Relaxed);
            Ok(0)
        }
        PR_GET_DUMPABLE => {
            Ok(context.process().is_dumpable.load(core::sync::atomic::Ordering::Relaxed) as isize)
        }
        PR_SET_NAME => {
            let name = crate::mm::user::read_cstring(UserAddr(argument), 4096, abi::Errno::EINVAL)?;
            let mut comm = [0u8; 16];
            let count = name.len().min(15);
            comm[..count].copy_from_slice(&name[..count]);
            *context.thread.name.lock() = comm;
            Ok(0)
        }
        PR_GET_NAME => {
            let comm = *context.thread.name.lock();
            write_val(UserAddr(argument), &comm)?;
            Ok(0)
        }
        _ => return_errno!(EINVAL),
    }
}

pub fn rt_sigaction(
    context: &mut Context,
    signal: u32,
    action: UserAddr,
    old: UserAddr,
    size: usize,
) -> Result<()> {
    if size != 8 || signal == 0 || signal > sig::NSIG {
        return_errno!(EINVAL);
    }
    if !action.is_null() && (signal == sig::SIGKILL || signal == sig::SIGSTOP) {
        return_errno!(EINVAL);
    }
    let new: Option<KernelSigaction> = if action.is_null() { None } else { Some(read_val(action)?) };
    let previous = {
        let mut actions = context.process().signals.actions.lock();
        let previous = actions[signal as usize - 1];
        if let Some(new) = new {
            actions[signal as usize - 1] = new;
        }
        previous
    };
    if !old.is_null() {
        write_val(old, &previous)?;
    }
    if new.is_some_and(|n| n.handler == sig::SIG_IGN) {
        context.process().signals.pending.fetch_and(!sig::bit(signal), Ordering::AcqRel);
    }
    Ok(())
}

pub fn rt_sigprocmask(
    context: &mut Context,
    how: u32,
    set: UserAddr,
    old: UserAddr,
    size: usize,
) -> Result<()> {
    if size != 8 {
        return_errno!(EINVAL);
    }
    let current = context.thread.mask.load(Ordering::Acquire);
    let new: Option<u64> = if set.is_null() { None } else { Some(read_val(set)?) };
    if let Some(new) = new {
        let mask = match how {
            sig::SIG_BLOCK => current | new,
            sig::SIG_UNBLOCK => current & !new,
            sig::SIG_SETMASK => new,
            _ => return_errno!(EINVAL),
        };
        context.thread.mask.store(mask & !crate::signal::UNBLOCKABLE, Ordering::Release);
    }
    if !old.is_null() {
        write_val(old, &current)?;
    }
    Ok(())
}

/// Waits with a temporary mask until a signal is delivered; the mask in
/// force before comes back once it has been handled.
pub fn rt_sigsuspend(context: &mut Context, set: UserAddr, size: usize) -> Result<()> {
    if size != 8 {
        return_errno!(EINVAL);
    }
    let mask: u64 = read_val(set)?;
    context.thread.set_temporary_mask(mask);
    crate::sched::wait_until(crate::signal::current_has_pending);
    return_errno!(ERESTARTNOHAND)
}

/// rt_sigpending: the signals pending while blocked.
/// rt_sigtimedwait: takes a signal of `set` once one is pending (the set
/// is unblocked while the call waits, so a signal sent to the process can
/// pick this thread), writing its siginfo; EAGAIN when the timeout passes,
/// EINTR when another signal arrives.
pub fn rt_sigtimedwait(
    context: &mut Context,
    set: UserAddr,
    info: UserAddr,
    timeout: UserAddr,
    size: usize,
) -> Result<u32> {
    if size != 8 {
        return_errno!(EINVAL);
    }
    let set = read_val::<u64>(set)? & !crate::signal::UNBLOCKABLE;
    let deadline = if timeout.is_null() {
        None
    } else {
        Some(crate::time::deadline_after(crate::time::timespec_ns(&read_val::<Timespec>(timeout)?)?))
    };
    let thread = context.thread.clone();
    let taken = match crate::signal::take_pending(&thread, set) {
        Some(taken) => Some(taken),
        None if deadline.is_some_and(|d| d <= hal::timer::now()) => None,
        None => {
            let old_mask = thread.mask.fetch_and(!set, Ordering::AcqRel);
            let timed_out =
                crate::time::timer::wait_until_or_deadline(deadline, || thread.deliverable() != 0);
            let taken = crate::signal::take_pending(&thread, set);
            thread.mask.store(old_mask, Ordering::Release);
            if taken.is_none() && !timed_out {
                return_errno!(EINTR);
            }
            taken
        }
    };
    let Some((signal, details)) = taken else { return_errno!(EAGAIN) };
    if !info.is_null() {
        let mut bytes = [0u8; 128];
        details.encode(signal, &mut bytes);
        write_bytes(info, &bytes)?;
    }
    Ok(signal)
}

pub fn rt_sigpending(context: &mut Context, set: UserAddr, size: usize) -> Result<()> {
    if size != 8 {
        return_errno!(EINVAL);
    }
    let thread = context.thread;
    let pending =
        thread.pending.load(Ordering::Acquire) | thread.process.signals.pending.load(Ordering::Acquire);
    write_val(set, &(pending & thread.mask.load(Ordering::Acquire)))
}

pub fn rt_sigreturn(context: &mut Context) -> Result<usize> {
    crate::signal::restore_frame(context.thread, context.user)?;
    // a0 is part of the restored registers: return it unchanged.
    Ok(context.user.regs[hal::arch::user_context::reg::A0])
}

pub fn kill(context: &mut Context, pid: i32, signal: u32) -> Result<()> {
    if signal > sig::NSIG {
        return_errno!(EINVAL);
    }
    let targets: alloc::vec::Vec<_> = match pid {
        p if p > 0 => crate::process::find(p as u32).into_iter().collect(),
        0 => {
            let group = context.process().process_group();
            crate::process::all().into_iter().filter(|p| p.process_group() == group).collect()
        }
        -1 => crate::process::all()
            .into_iter()
            .filter(|p| p.pid != 1 && p.pid != context.process().pid)
            .collect(),
        p => crate::process::all().into_iter().filter(|q| q.process_group() == p.unsigned_abs()).collect(),
    };
    let alive: alloc::vec::Vec<_> =
        targets.into_iter().filter(|p| p.family.lock().exit_status.is_none() || pid > 0).collect();
    if alive.is_empty() {
        return_errno!(ESRCH);
    }
    // Only to processes the caller may signal; EPERM if none.
    let sender = context.process().clone();
    // SIGCONT may also go anywhere in the sender's session.
    let session = sender.family.lock().session;
    let permitted: alloc::vec::Vec<_> = alive
        .into_iter()
        .filter(|p| {
            crate::process::credentials::may_signal(&sender, p)
                || (signal == sig::SIGCONT && p.family.lock().session == session)
        })
        .collect();
    if permitted.is_empty() {
        return_errno!(EPERM);
    }
    if signal != 0 {
        for process in &permitted {
            crate::signal::send(process, signal);
        }
    }
    Ok(())
}

/// Sends to one thread, of process `group` if given (tgkill, tkill).
fn signal_thread(context: &Context, group: Option<u32>, tid: i32, signal: u32) -> Result<()> {
    if tid <= 0 || signal > sig::NSIG {
        return_errno!(EINVAL);
    }
    let target = crate::process::find_thread(tid as u32)
        .filter(|t| group.is_none_or(|g| t.process.pid == g) && !t.exited.load(Ordering::Acquire))
        .ok_or(abi::Errno::ESRCH)?;
    if !crate::process::credentials::may_signal(context.process(), &target.process) {
        return_errno!(EPERM);
    }
    if signal != 0 {
        let info = crate::signal::SigInfo::from_current(crate::signal::SI_TKILL);
        crate::signal::send_to_thread(&target, signal, info);
    }
    Ok(())
}

pub fn tgkill(context: &mut Context, group: i32, tid: i32, signal: u32) -> Result<()> {
    if group <= 0 {
        return_errno!(EINVAL);
    }
    signal_thread(context, Some(group as u32), tid, signal)
}

pub fn tkill(context: &mut Context, tid: i32, signal: u32) -> Result<()> {
    signal_thread(context, None, tid, signal)
}

/// sigaltstack: stack_t is { ss_sp, ss_flags (int, padded), ss_size }.
pub fn sigaltstack(context: &mut Context, new: UserAddr, old: UserAddr) -> Result<()> {
    use crate::process::AltStack;
    const SS_ONSTACK: u64 = 1;
    const SS_DISABLE: u64 = 2;
    const SS_AUTODISARM: u64 = 1 << 31;
    const MINSIGSTKSZ: u64 = 2048;
    let thread = context.thread;
    let current = *thread.alt_stack.lock();
    let on_stack = current.is_some_and(|s| s.contains(context.user.regs[hal::arch::user_context::reg::SP]));
    let old_value = match current {
        Some(stack) => [
            stack.base as u64,
            if on_stack { SS_ONSTACK } else { 0 } | if stack.auto_disarm { SS_AUTODISARM } else { 0 },
            stack.size as u64,
        ],
        None => [0, SS_DISABLE, 0],
    };
    if !new.is_null() {
        let [base, flags, size]: [u64; 3] = read_val(new)?;
        let flags = flags & 0xffff_ffff;
        let mode = flags & !SS_AUTODISARM;
        if mode != 0 && mode != SS_ONSTACK && mode != SS_DISABLE {
            return_errno!(EINVAL);
        }
        if on_stack {
            return_errno!(EPERM);
        }
        let stack = if mode == SS_DISABLE {
            None
        } else {
            if size < MINSIGSTKSZ {
                return_errno!(ENOMEM);
            }
            Some(AltStack {
                base: base as usize,
                size: size as usize,
                auto_disarm: flags & SS_AUTODISARM != 0,
            })
        };
        *thread.alt_stack.lock() = stack;
    }
    if !old.is_null() {
        write_val(old, &old_value)?;
    }
    Ok(())
}
