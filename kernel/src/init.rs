//! Starting the first user program, as Linux does: with an initramfs,
//! `rdinit=` (default /init) first, then `init=`, then /sbin/init,
//! /etc/init, /bin/init and /bin/sh. It gets the console as stdin, stdout
//! and stderr, the words after `--` as arguments, and unknown `key=value`
//! words as environment.

use crate::fs::file::OpenFile;
use crate::fs::{fd_table::FdTable, FsContext};
use crate::process::{self, Process, Thread};
use alloc::vec::Vec;
use cmdline::CommandLine;
use hal::UserContext;

pub fn start(line: &CommandLine) {
    if hal::memory::initrd().is_none() {
        log::info!("init: no initramfs, nothing to run, powering off");
        hal::power::shutdown(0);
    }
    let mut candidates: Vec<&str> = Vec::new();
    candidates.extend(line.init.as_deref());
    candidates.extend(["/init", "/sbin/init", "/etc/init", "/bin/init", "/bin/sh"]);
    let mut environment: Vec<Vec<u8>> = alloc::vec![b"HOME=/".to_vec(), b"TERM=linux".to_vec()];
    environment.extend(line.init_env.iter().map(|e| e.as_bytes().to_vec()));
    let pid = process::allocate_pid();
    let mut files = FdTable::default();
    let console = OpenFile::new(
        crate::tty::console(),
        crate::fs::file::O_RDWR | crate::fs::file::O_LARGEFILE,
        b"/dev/console".to_vec(),
    );
    for _ in 0..3 {
        let _ = files.insert(console.clone(), false);
    }
    let init = Process::new(pid, None, files, FsContext::initial());
    // Like Linux's init, pid 1 is in session 0 and has no controlling
    // terminal: /init makes one with `setsid -c` for its shell.
    let thread = Thread::new(pid, init.clone(), 0);
    for candidate in candidates {
        let mut argv = alloc::vec![candidate.as_bytes().to_vec()];
        argv.extend(line.init_args.iter().map(|a| a.as_bytes().to_vec()));
        let mut user = UserContext::default();
        match process::execute(&thread, &mut user, candidate.as_bytes(), argv, environment.clone()) {
            Ok(()) => {
                log::info!("running {candidate} as init (pid {pid})");
                if process::spawn_user_thread(thread, user).is_err() {
                    panic!("no memory to start init");
                }
                return;
            }
            Err(error) => log::debug!("init: {candidate}: {error:?}"),
        }
    }
    panic!("no working init found; try passing init= (see Linux's admin-guide/init.rst)");
}
