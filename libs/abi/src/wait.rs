//! wait(2) status words, as the WIF* macros decode them.

/// Normal exit with `code` (low 8 bits kept).
pub const fn exited(code: i32) -> i32 {
    (code & 0xff) << 8
}

/// Killed by `signal`, with the core-dump bit if a core was written.
pub const fn signaled(signal: u32, core_dumped: bool) -> i32 {
    (signal as i32 & 0x7f) | if core_dumped { 0x80 } else { 0 }
}

/// Stopped by `signal`.
pub const fn stopped(signal: u32) -> i32 {
    ((signal as i32) << 8) | 0x7f
}

/// Continued by SIGCONT.
pub const CONTINUED: i32 = 0xffff;

pub const WNOHANG: u32 = 1;
pub const WUNTRACED: u32 = 2;
pub const WEXITED: u32 = 4;
pub const WCONTINUED: u32 = 8;
pub const WNOWAIT: u32 = 0x0100_0000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_match_the_macros() {
        assert_eq!(exited(3), 0x300);
        assert_eq!(signaled(11, true), 0x8b);
        assert_eq!(signaled(9, false), 9);
        assert_eq!(stopped(19), 0x137f);
    }
}
