//! Processes and their threads: the process table, ids, the parent/child
//! tree, process groups and sessions, and what a process owns (address
//! space, files, file-system context, signal actions).

pub mod credentials;
mod exec;
mod exit;
mod fork;
pub mod futex;
pub mod limits;
mod oom;
pub mod syscalls;
mod thread;

pub use exec::execute;
pub use exit::{exit_process, exit_thread};
pub use thread::{after_switch, find_thread, spawn_user_thread, AltStack, Thread};

use crate::fs::fd_table::FdTable;
use crate::fs::FsContext;
use crate::mm::space::AddressSpace;
use crate::sync::{Mutex, WaitQueue};
use alloc::collections::BTreeMap;
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use hal::sync::SpinLock;

pub type Pid = u32;

/// The parts of a process that change as it lives: its place in the tree
/// and its exit.
pub struct Family {
    pub parent: Weak<Process>,
    pub children: Vec<Arc<Process>>,
    pub process_group: Pid,
    pub session: Pid,
    /// The wait status once the process has exited, its last thread gone
    /// (a zombie until its parent reaps it).
    pub exit_status: Option<i32>,
    /// Set by exit_group or a fatal signal: the status the process ends
    /// with once its threads have all gone.
    pub group_exit: Option<i32>,
    /// Stopped by a stop signal, until SIGCONT or SIGKILL.
    pub stopped: bool,
    /// A stop or continue not yet reported to the parent's wait
    /// (WUNTRACED / WCONTINUED): its wait status.
    pub stop_report: Option<i32>,
}

pub struct Process {
    pub pid: Pid,
    /// The parent's pid, kept beside `family.parent` so getppid takes no
    /// lock; changed with it when the process is given to init.
    pub parent_pid: AtomicU32,
    pub family: SpinLock<Family>,
    pub threads: SpinLock<Vec<Weak<Thread>>>,
    /// Threads that have not exited yet; the process ends with the last.
    pub live_threads: AtomicUsize,
    /// Woken whenever one of its threads exits (execve waits for the
    /// others to go).
    pub thread_exited: WaitQueue,
    /// The tid of the thread whose execve is ending the other threads
    /// (0 when none): those leave without ending the process.
    pub exec_thread: AtomicU32,
    /// Mirrors `family.stopped` for the check on every return to user
    /// mode: the other threads of a stopped process stop there too.
    pub stopped: AtomicBool,
    /// For a vfork child: set once it has exec'd or exited, when the
    /// parent may go on (woken through `vfork_done`).
    pub vfork_released: AtomicBool,
    pub vfork_done: WaitQueue,
    /// CPU time (user, system; timer ticks) of its threads that have
    /// exited, and of its children (and theirs) that it has reaped.
    pub exited_threads_ticks: SpinLock<(u64, u64)>,
    pub reaped_children_ticks: SpinLock<(u64, u64)>,
    /// The signal the parent gets when the process ends (clone's
    /// CSIGNAL bits; SIGCHLD for fork).
    pub exit_signal: AtomicU32,
    vm: SpinLock<Option<Arc<AddressSpace>>>,
    /// Bumped whenever `vm` is replaced, so a thread can keep its own
    /// reference and check for a change without the lock.
    vm_epoch: core::sync::atomic::AtomicU64,
    pub files: Mutex<FdTable>,
    pub fs: SpinLock<FsContext>,
    pub signals: crate::signal::ProcessSignals,
    /// Woken when a child exits, stops or continues.
    pub child_event: WaitQueue,
    /// Woken when the process is continued (or killed) while stopped.
    pub resumed: WaitQueue,
    /// argv of the running program, for /proc/PID/cmdline.
    pub command_line: SpinLock<Vec<u8>>,
    /// The program's path.
    pub executable: SpinLock<Vec<u8>>,
    /// When it was created (monotonic ns), for /proc/PID/stat.
    pub started_ns: u64,
    pub limits: SpinLock<limits::Limits>,
    pub credentials: SpinLock<credentials::Credentials>,
    /// PR_SET_DUMPABLE (inherited at fork; 1 by default).
    pub is_dumpable: core::sync::atomic::AtomicBool,
    /// Supplementary group ids (setgroups), inherited at fork.
    pub groups: SpinLock<alloc::vec::Vec<u32>>,
    /// ITIMER_REAL (interrupt-safe: the timer interrupt reads it).
    pub real_timer: SpinLock<crate::time::itimer::RealTimer>,
    /// timer_create's timers (interrupt-safe: they fire from the timer
    /// interrupt).
    pub posix_timers: SpinLock<crate::time::posix_timer::Timers>,
    /// Set by execve: a parent may no longer move it to another group.
    pub did_exec: core::sync::atomic::AtomicBool,
}

static NEXT_PID: AtomicU32 = AtomicU32::new(1);
static TABLE: SpinLock<BTreeMap<Pid, Weak<Process>>> = SpinLock::new(BTreeMap::new());

pub fn allocate_pid() -> Pid {
    NEXT_PID.fetch_add(1, Ordering::Relaxed)
}

impl Process {
    /// A new process, child of `parent` (in its group and session).
    pub fn new(pid: Pid, parent: Option<&Arc<Process>>, files: FdTable, fs: FsContext) -> Arc<Process> {
        // The first process starts in process group 0 and session 0, as
        // Linux's init does (until it calls setsid).
        let (process_group, session) = parent.map_or((0, 0), |p| {
            let family = p.family.lock();
            (family.process_group, family.session)
        });
        let process = Arc::new(Process {
            pid,
            parent_pid: AtomicU32::new(parent.map_or(0, |p| p.pid)),
            family: SpinLock::new(Family {
                parent: parent.map_or_else(Weak::new, Arc::downgrade),
                children: Vec::new(),
                process_group,
                session,
                exit_status: None,
                group_exit: None,
                stopped: false,
                stop_report: None,
            }),
            threads: SpinLock::new(Vec::new()),
            live_threads: AtomicUsize::new(0),
            thread_exited: WaitQueue::new(),
            exec_thread: AtomicU32::new(0),
            stopped: AtomicBool::new(false),
            vfork_released: AtomicBool::new(true),
            vfork_done: WaitQueue::new(),
            exit_signal: AtomicU32::new(abi::signal::SIGCHLD),
            exited_threads_ticks: SpinLock::new((0, 0)),
            reaped_children_ticks: SpinLock::new((0, 0)),
            vm: SpinLock::new(None),
            vm_epoch: core::sync::atomic::AtomicU64::new(0),
            files: Mutex::new(files),
            fs: SpinLock::new(fs),
            signals: crate::signal::ProcessSignals::default(),
            child_event: WaitQueue::new(),
            resumed: WaitQueue::new(),
            command_line: SpinLock::new(Vec::new()),
            executable: SpinLock::new(Vec::new()),
            started_ns: crate::time::monotonic_ns(),
            limits: SpinLock::new(parent.map_or_else(limits::Limits::default, |p| *p.limits.lock())),
            credentials: SpinLock::new(parent.map_or_else(Default::default, |p| *p.credentials.lock())),
            groups: SpinLock::new(parent.map_or_else(alloc::vec::Vec::new, |p| p.groups.lock().clone())),
            is_dumpable: core::sync::atomic::AtomicBool::new(
                parent.is_none_or(|p| p.is_dumpable.load(core::sync::atomic::Ordering::Relaxed)),
            ),
            did_exec: core::sync::atomic::AtomicBool::new(false),
            real_timer: SpinLock::new(Default::default()),
            posix_timers: SpinLock::new(Default::default()),
        });
        if let Some(parent) = parent {
            parent.family.lock().children.push(process.clone());
        }
        TABLE.lock().insert(pid, Arc::downgrade(&process));
        process
    }

    pub fn parent(&self) -> Option<Arc<Process>> {
        self.family.lock().parent.upgrade()
    }

    pub fn process_group(&self) -> Pid {
        self.family.lock().process_group
    }

    pub fn vm(&self) -> Option<Arc<AddressSpace>> {
        self.vm.lock().clone()
    }

    /// Installs a new address space (exec, fork) or none (exit), returning
    /// the old one.
    pub fn set_vm(&self, space: Option<Arc<AddressSpace>>) -> Option<Arc<AddressSpace>> {
        let old = core::mem::replace(&mut *self.vm.lock(), space);
        self.vm_epoch.fetch_add(1, Ordering::Release);
        old
    }

    /// (user, system) CPU time of all its threads, live and exited, in
    /// timer ticks.
    pub fn cpu_ticks(&self) -> (u64, u64) {
        let (mut user, mut system) = *self.exited_threads_ticks.lock();
        for thread in self.threads.lock().iter().filter_map(Weak::upgrade) {
            let (u, s) = thread.cpu_ticks();
            user += u;
            system += s;
        }
        (user, system)
    }

    pub fn vm_epoch(&self) -> u64 {
        self.vm_epoch.load(Ordering::Acquire)
    }
}

/// The process with this pid (live or zombie).
pub fn find(pid: Pid) -> Option<Arc<Process>> {
    TABLE.lock().get(&pid).and_then(Weak::upgrade)
}

/// Every process, for signals to groups and for /proc.
pub fn all() -> Vec<Arc<Process>> {
    TABLE.lock().values().filter_map(Weak::upgrade).collect()
}

pub(crate) fn forget(pid: Pid) {
    TABLE.lock().remove(&pid);
}

/// The process of the running thread, if it is a user thread.
pub fn current() -> Option<Arc<Process>> {
    thread::current().map(|t| t.process.clone())
}

/// Session and process group of the running process (for TIOCSCTTY).
pub fn current_session_and_group() -> (Pid, Pid) {
    current().map_or((0, 0), |p| {
        let family = p.family.lock();
        (family.session, family.process_group)
    })
}
