//! The reader's side: canonical reads of one line, VMIN/VTIME reads outside
//! canonical mode (n_tty_read), poll readiness and FIONREAD. Timers belong
//! to the kernel; this module says which one to run and when a read is done.

use crate::discipline::LineDiscipline;
use crate::termios::{ICANON, VMIN, VTIME};

/// How a read may end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadMode {
    /// A blocking read asking whether it can finish now.
    Wait,
    /// An O_NONBLOCK read: outside canonical mode it takes whatever is there.
    NoWait,
    /// The VTIME timer of a blocking read ran out: take whatever is there.
    TimedOut,
}

/// The outcome of a read attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadResult {
    /// The read returns this many bytes. 0 means end of file in canonical
    /// mode (VEOF on an empty line), or that nothing came in time when MIN
    /// is 0.
    Ready(usize),
    /// Nothing to return yet: a blocking read sleeps until input arrives (or
    /// its [`ReadTimer`] runs out), an O_NONBLOCK read fails with EAGAIN.
    WouldBlock,
}

/// The timer a blocking non-canonical read runs, from VMIN and VTIME
/// (in tenths of a second), as termios(3) describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadTimer {
    /// No timer: canonical mode, TIME 0, or MIN and TIME both 0 (which never
    /// blocks).
    None,
    /// MIN 0, TIME > 0: started when the read starts; on expiry the read
    /// returns 0 (read again with [`ReadMode::TimedOut`]).
    Overall { deciseconds: u8 },
    /// MIN > 0, TIME > 0: started once a byte is available and restarted on
    /// every new byte; on expiry the read returns what it has.
    InterByte { deciseconds: u8 },
}

impl LineDiscipline {
    /// A blocking read's attempt: `read_with(buf, ReadMode::Wait)`.
    pub fn read(&mut self, buf: &mut [u8]) -> ReadResult {
        self.read_with(buf, ReadMode::Wait)
    }

    /// Reads into `buf` if the read can complete in `mode`.
    ///
    /// Canonical mode returns at most one line, its `\n` or VEOL included
    /// and a VEOF not; a line longer than `buf` is returned over several
    /// reads. Otherwise a `Wait` read completes once MIN bytes (or
    /// `buf.len()`, if smaller) are there, or one byte when MIN is 0 and TIME
    /// is not; with MIN and TIME both 0 it completes at once.
    pub fn read_with(&mut self, buf: &mut [u8], mode: ReadMode) -> ReadResult {
        // Linux returns 0 for a zero-length read before looking at input.
        if buf.is_empty() {
            return ReadResult::Ready(0);
        }
        if self.is_canonical() {
            return match self.input.read_line(buf) {
                Some(count) => ReadResult::Ready(count),
                None => ReadResult::WouldBlock,
            };
        }
        let available = self.input.len();
        let (min, time) = self.min_time();
        let is_ready = match mode {
            ReadMode::Wait => self.can_complete_read(buf.len()),
            ReadMode::NoWait => available > 0 || (min == 0 && time == 0),
            ReadMode::TimedOut => true,
        };
        if is_ready {
            ReadResult::Ready(self.input.read_raw(buf))
        } else {
            ReadResult::WouldBlock
        }
    }

    /// Whether a blocking read of `len` bytes would complete now.
    pub fn can_complete_read(&self, len: usize) -> bool {
        if len == 0 {
            return true;
        }
        if self.is_canonical() {
            return self.input.has_completed_line();
        }
        let available = self.input.len();
        match self.min_time() {
            (0, 0) => true,
            (0, _) => available > 0,
            (min, _) => available >= usize::from(min).min(len),
        }
    }

    /// `c_cc[VMIN]` and `c_cc[VTIME]`.
    pub fn min_time(&self) -> (u8, u8) {
        (self.termios.c_cc[VMIN], self.termios.c_cc[VTIME])
    }

    /// The timer a blocking read that cannot complete yet should run.
    pub fn read_timer(&self) -> ReadTimer {
        if self.is_canonical() {
            return ReadTimer::None;
        }
        match self.min_time() {
            (_, 0) => ReadTimer::None,
            (0, deciseconds) => ReadTimer::Overall { deciseconds },
            (_, deciseconds) => ReadTimer::InterByte { deciseconds },
        }
    }

    /// Readiness for poll/select (POLLIN): a completed line in canonical
    /// mode; otherwise MIN bytes when TIME is 0 and MIN is not, else one.
    pub fn readable(&self) -> bool {
        if self.is_canonical() {
            return self.input.has_completed_line();
        }
        let wanted = match self.min_time() {
            (min, 0) if min > 0 => usize::from(min),
            _ => 1,
        };
        self.input.len() >= wanted
    }

    /// FIONREAD (TIOCINQ): in canonical mode the bytes of completed lines
    /// (VEOF marks not counted), otherwise all buffered bytes.
    pub fn input_available(&self) -> usize {
        if self.is_canonical() {
            self.input.completed_data_len()
        } else {
            self.input.len()
        }
    }

    fn is_canonical(&self) -> bool {
        self.termios.has_lflag(ICANON)
    }
}
