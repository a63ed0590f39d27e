//! The console terminal on the UART: a line discipline after Linux's
//! N_TTY (canonical editing with echo, erase and kill, ^C ^\ ^Z as signals
//! to the foreground process group, ^D as end of file, raw mode), the
//! termios and window-size ioctls, and job control's process group.

use crate::error::Result;
use crate::fs::file::{FileOps, Metadata, OpenFile, Readiness};
use crate::return_errno;
use crate::sync::WaitQueue;
use abi::{Termios, Winsize};
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec::Vec;
use hal::sync::SpinLock;
use spin::Once;

// termios bits (asm-generic/termbits.h).
const ICRNL: u32 = 0o400;
const IXON: u32 = 0o2000;
const OPOST: u32 = 1;
const ONLCR: u32 = 4;
const ISIG: u32 = 1;
const ICANON: u32 = 2;
const ECHO: u32 = 0o10;
const ECHOE: u32 = 0o20;
const ECHOK: u32 = 0o40;
const ECHONL: u32 = 0o100;
const ECHOCTL: u32 = 0o1000;
const ECHOKE: u32 = 0o4000;
const IEXTEN: u32 = 0o100000;
const VINTR: usize = 0;
const VQUIT: usize = 1;
const VERASE: usize = 2;
const VKILL: usize = 3;
const VEOF: usize = 4;
const VMIN: usize = 6;
const VSUSP: usize = 10;
const VWERASE: usize = 14;

/// ioctl numbers (asm-generic/ioctls.h).
pub mod ioctl {
    pub const TCGETS: u32 = 0x5401;
    pub const TCSETS: u32 = 0x5402;
    pub const TCSETSW: u32 = 0x5403;
    pub const TCSETSF: u32 = 0x5404;
    pub const TIOCSCTTY: u32 = 0x540E;
    pub const TIOCGPGRP: u32 = 0x540F;
    pub const TIOCSPGRP: u32 = 0x5410;
    pub const TIOCGWINSZ: u32 = 0x5413;
    pub const TIOCSWINSZ: u32 = 0x5414;
    pub const FIONREAD: u32 = 0x541B;
    pub const TIOCNOTTY: u32 = 0x5422;
    pub const TIOCGSID: u32 = 0x5429;
    pub const FIONBIO: u32 = 0x5421;
}

/// What Linux gives a fresh serial console (tty_std_termios, 38400 8N1).
fn default_termios() -> Termios {
    let mut c_cc = [0u8; 19];
    let defaults = [3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0];
    c_cc[..defaults.len()].copy_from_slice(&defaults);
    Termios {
        c_iflag: ICRNL | IXON,
        c_oflag: OPOST | ONLCR,
        c_cflag: 0o000017 | 0o60 | 0o200 | 0o2000, // B38400 | CS8 | CREAD | HUPCL
        c_lflag: ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
        c_line: 0,
        c_cc,
    }
}

struct State {
    termios: Termios,
    winsize: Winsize,
    /// The line being edited (canonical mode).
    line: Vec<u8>,
    /// Bytes ready for readers; in canonical mode, whole lines.
    ready: VecDeque<u8>,
    /// End-of-file marks: a read at one returns 0.
    eof_pending: usize,
    foreground: u32,
    session: u32,
}

pub struct Console {
    state: SpinLock<State>,
    readable: WaitQueue,
}

/// The session and foreground group, when the caller's session has this
/// terminal as its controlling terminal.
#[derive(Clone, Copy)]
struct Control {
    session: u32,
    foreground: u32,
}

impl Console {
    fn controlling_state(&self) -> Result<Control> {
        let (session, _) = crate::process::current_session_and_group();
        let state = self.state.lock();
        if session == 0 || state.session != session {
            return_errno!(ENOTTY);
        }
        Ok(Control { session: state.session, foreground: state.foreground })
    }
}

static CONSOLE: Once<Arc<Console>> = Once::new();

fn the_console() -> &'static Arc<Console> {
    CONSOLE.call_once(|| {
        Arc::new(Console {
            state: SpinLock::new(State {
                termios: default_termios(),
                winsize: Winsize::default(),
                line: Vec::new(),
                ready: VecDeque::new(),
                eof_pending: 0,
                foreground: 0,
                session: 0,
            }),
            readable: WaitQueue::new(),
        })
    })
}

/// The console's file operations (/dev/console, /dev/tty, /dev/ttyS0).
pub fn console() -> Arc<dyn FileOps> {
    the_console().clone()
}

/// Writes bytes to the UART, with output processing.
fn output(termios: &Termios, bytes: &[u8]) {
    if termios.c_oflag & OPOST != 0 && termios.c_oflag & ONLCR != 0 && bytes.contains(&b'\n') {
        let mut converted = Vec::with_capacity(bytes.len() + 8);
        for &byte in bytes {
            if byte == b'\n' {
                converted.push(b'\r');
            }
            converted.push(byte);
        }
        hal::console::write_bytes(&converted);
    } else {
        hal::console::write_bytes(bytes);
    }
}

fn echo_control(termios: &Termios, byte: u8) {
    if termios.c_lflag & ECHOCTL != 0 && byte < 32 && byte != b'\t' && byte != b'\n' {
        output(termios, &[b'^', byte + 64]);
    } else {
        output(termios, &[byte]);
    }
}

/// A byte from the UART (called from the interrupt handler).
pub fn receive(byte: u8) {
    let console = the_console();
    let mut state = console.state.lock();
    let termios = state.termios;
    let byte = if byte == b'\r' && termios.c_iflag & ICRNL != 0 { b'\n' } else { byte };
    let lflag = termios.c_lflag;
    if lflag & ISIG != 0 {
        let signal = if byte == termios.c_cc[VINTR] {
            Some(abi::signal::SIGINT)
        } else if byte == termios.c_cc[VQUIT] {
            Some(abi::signal::SIGQUIT)
        } else if byte == termios.c_cc[VSUSP] {
            Some(abi::signal::SIGTSTP)
        } else {
            None
        };
        if let Some(signal) = signal {
            if lflag & ECHO != 0 {
                echo_control(&termios, byte);
            }
            state.line.clear();
            state.ready.clear();
            let group = state.foreground;
            drop(state);
            if group != 0 {
                crate::signal::send_to_group(group, signal);
            }
            console.readable.wake_all();
            return;
        }
    }
    if lflag & ICANON == 0 {
        state.ready.push_back(byte);
        if lflag & ECHO != 0 {
            echo_control(&termios, byte);
        }
        drop(state);
        console.readable.wake_all();
        return;
    }
    let erase = byte == termios.c_cc[VERASE] || byte == 8;
    if erase || byte == termios.c_cc[VWERASE] || byte == termios.c_cc[VKILL] {
        let count = if erase {
            usize::from(!state.line.is_empty())
        } else if byte == termios.c_cc[VKILL] {
            state.line.len()
        } else {
            let trimmed = state.line.iter().rposition(|&b| b != b' ').map_or(0, |i| i + 1);
            let start = state.line[..trimmed].iter().rposition(|&b| b == b' ').map_or(0, |i| i + 1);
            state.line.len() - start
        };
        for _ in 0..count {
            let removed = state.line.pop().unwrap_or(b' ');
            if lflag & ECHO != 0 && lflag & ECHOE != 0 {
                let width = if removed < 32 && lflag & ECHOCTL != 0 { 2 } else { 1 };
                for _ in 0..width {
                    output(&termios, b"\x08 \x08");
                }
            }
        }
        return;
    }
    if byte == termios.c_cc[VEOF] {
        let line = core::mem::take(&mut state.line);
        if line.is_empty() {
            state.eof_pending += 1;
        }
        state.ready.extend(line);
        drop(state);
        console.readable.wake_all();
        return;
    }
    if lflag & ECHO != 0 || (byte == b'\n' && lflag & ECHONL != 0) {
        echo_control(&termios, byte);
    }
    state.line.push(byte);
    if byte == b'\n' {
        let line = core::mem::take(&mut state.line);
        state.ready.extend(line);
        drop(state);
        console.readable.wake_all();
    }
}

impl FileOps for Console {
    fn read(&self, file: &OpenFile, _offset: u64, buffer: &mut [u8]) -> Result<usize> {
        loop {
            {
                let mut state = self.state.lock();
                let canonical = state.termios.c_lflag & ICANON != 0;
                if !state.ready.is_empty() {
                    let mut count = 0;
                    while count < buffer.len() {
                        let Some(byte) = state.ready.pop_front() else { break };
                        buffer[count] = byte;
                        count += 1;
                        if canonical && byte == b'\n' {
                            break;
                        }
                    }
                    return Ok(count);
                }
                if state.eof_pending > 0 {
                    state.eof_pending -= 1;
                    return Ok(0);
                }
                if !canonical && state.termios.c_cc[VMIN] == 0 {
                    return Ok(0);
                }
            }
            if file.is_nonblocking() {
                return_errno!(EAGAIN);
            }
            let ready = self.readable.wait_until_or(
                || {
                    let state = self.state.lock();
                    !state.ready.is_empty() || state.eof_pending > 0
                },
                crate::signal::current_has_pending,
            );
            if !ready {
                return_errno!(ERESTARTSYS);
            }
        }
    }

    fn write(&self, _file: &OpenFile, _offset: u64, data: &[u8]) -> Result<usize> {
        let termios = self.state.lock().termios;
        output(&termios, data);
        Ok(data.len())
    }

    fn metadata(&self) -> Result<Metadata> {
        Ok(Metadata {
            mode: abi::mode::S_IFCHR | 0o600,
            rdev: crate::fs::initramfs::device_number(5, 1),
            links: 1,
            device: 6,
            block_size: 1024,
            ..Metadata::default()
        })
    }

    fn is_seekable(&self) -> bool {
        false
    }

    fn wait_queues(&self) -> [Option<&crate::sync::WaitQueue>; 2] {
        [Some(&self.readable), None]
    }

    fn readiness(&self) -> Readiness {
        let state = self.state.lock();
        Readiness {
            readable: !state.ready.is_empty() || state.eof_pending > 0,
            writable: true,
            ..Readiness::default()
        }
    }

    fn ioctl(&self, _file: &OpenFile, command: u32, argument: usize) -> Result<isize> {
        use crate::mm::user::{read_val, write_val};
        use crate::syscall::UserAddr;
        let address = UserAddr(argument);
        match command {
            ioctl::TCGETS => write_val(address, &self.state.lock().termios)?,
            ioctl::TCSETS | ioctl::TCSETSW | ioctl::TCSETSF => {
                let termios: Termios = read_val(address)?;
                let mut state = self.state.lock();
                if command == ioctl::TCSETSF {
                    state.ready.clear();
                    state.line.clear();
                }
                let was_canonical = state.termios.c_lflag & ICANON != 0;
                state.termios = termios;
                if was_canonical && termios.c_lflag & ICANON == 0 {
                    let line = core::mem::take(&mut state.line);
                    state.ready.extend(line);
                }
            }
            ioctl::TIOCGWINSZ => write_val(address, &self.state.lock().winsize)?,
            ioctl::TIOCSWINSZ => self.state.lock().winsize = read_val(address)?,
            // Job-control ioctls need this to be the caller's controlling
            // terminal (ENOTTY otherwise, as Linux says).
            ioctl::TIOCGPGRP => {
                let foreground = self.controlling_state()?.foreground;
                write_val(address, &foreground)?
            }
            ioctl::TIOCSPGRP => {
                let group: i32 = read_val(address)?;
                if group < 0 {
                    return_errno!(EINVAL);
                }
                self.controlling_state()?;
                self.state.lock().foreground = group as u32;
            }
            ioctl::TIOCGSID => {
                let session = self.controlling_state()?.session;
                write_val(address, &session)?
            }
            ioctl::TIOCSCTTY => {
                let (session, group) = crate::process::current_session_and_group();
                let pid = crate::process::current().map_or(0, |p| p.pid);
                // Only a session leader acquires a controlling terminal.
                if session == 0 || session != pid {
                    return_errno!(EPERM);
                }
                let mut state = self.state.lock();
                state.session = session;
                state.foreground = group;
            }
            ioctl::TIOCNOTTY => {}
            ioctl::FIONREAD => {
                let count = self.state.lock().ready.len() as i32;
                write_val(address, &count)?;
            }
            _ => return_errno!(ENOTTY),
        }
        Ok(0)
    }
}

/// Makes the first session leader that opens the console its controlling
/// process, as Linux does for a session leader without a terminal.
pub fn adopt(session: u32, group: u32) {
    let mut state = the_console().state.lock();
    if state.session == 0 {
        state.session = session;
        state.foreground = group;
    }
}
