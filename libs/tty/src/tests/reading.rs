//! Reads: one line at a time in canonical mode with VEOF as end of file,
//! VMIN/VTIME outside it, poll readiness, FIONREAD, and what switching
//! ICANON does to pending input.

use super::*;

fn raw_with(min: u8, time: u8) -> LineDiscipline {
    discipline_with(|t| {
        t.c_lflag &= !(ICANON | ECHO);
        t.c_cc[VMIN] = min;
        t.c_cc[VTIME] = time;
    })
}

fn read_mode(tty: &mut LineDiscipline, len: usize, mode: ReadMode) -> Option<Vec<u8>> {
    let mut buf = alloc::vec![0; len];
    match tty.read_with(&mut buf, mode) {
        ReadResult::Ready(count) => Some(buf[..count].to_vec()),
        ReadResult::WouldBlock => None,
    }
}

#[test]
fn canonical_reads_wait_for_a_whole_line() {
    let mut tty = LineDiscipline::default();
    type_in(&mut tty, b"ab");
    assert_eq!(read_some(&mut tty, 100), None);
    assert!(!tty.readable());
    assert!(!tty.can_complete_read(100));
    type_in(&mut tty, b"\ncd\n");
    assert!(tty.readable());
    assert_eq!(read_some(&mut tty, 100).unwrap(), b"ab\n");
    assert_eq!(read_some(&mut tty, 100).unwrap(), b"cd\n");
    assert_eq!(read_some(&mut tty, 100), None);
}

#[test]
fn a_long_line_is_read_in_pieces() {
    let mut tty = LineDiscipline::default();
    type_in(&mut tty, b"abcdefgh\n");
    assert_eq!(read_some(&mut tty, 3).unwrap(), b"abc");
    assert_eq!(read_some(&mut tty, 3).unwrap(), b"def");
    assert_eq!(read_some(&mut tty, 3).unwrap(), b"gh\n");
    assert_eq!(read_some(&mut tty, 3), None);
}

#[test]
fn eof_on_an_empty_line_reads_as_end_of_file() {
    let mut tty = LineDiscipline::default();
    assert_eq!(type_in(&mut tty, b"\x04"), b"");
    assert!(tty.readable());
    assert_eq!(tty.input_available(), 0);
    assert_eq!(read_some(&mut tty, 10).unwrap(), b"");
    assert_eq!(read_some(&mut tty, 10), None);
}

#[test]
fn eof_mid_line_completes_it_without_a_newline() {
    let mut tty = LineDiscipline::default();
    assert_eq!(type_in(&mut tty, b"abc\x04"), b"abc");
    assert_eq!(read_lines(&mut tty), [b"abc"]);

    let mut tty = LineDiscipline::default();
    type_in(&mut tty, b"ab\x04\x04");
    assert_eq!(read_lines(&mut tty), [&b"ab"[..], b""]);
}

#[test]
fn eof_after_a_line_that_filled_the_buffer_is_consumed() {
    let mut tty = LineDiscipline::default();
    type_in(&mut tty, b"abc\x04");
    assert_eq!(read_some(&mut tty, 3).unwrap(), b"abc");
    assert_eq!(read_some(&mut tty, 3), None, "not a second, empty read");

    let mut tty = LineDiscipline::default();
    type_in(&mut tty, b"abcdef\x04");
    assert_eq!(read_some(&mut tty, 3).unwrap(), b"abc");
    assert_eq!(read_some(&mut tty, 3).unwrap(), b"def");
    assert_eq!(read_some(&mut tty, 3), None);
}

#[test]
fn fionread_counts_completed_lines_without_eof_marks() {
    let mut tty = LineDiscipline::default();
    type_in(&mut tty, b"ab\ncd");
    assert_eq!(tty.input_available(), 3);
    let mut tty = LineDiscipline::default();
    type_in(&mut tty, b"ab\x04cd\n");
    assert_eq!(tty.input_available(), 5);
}

#[test]
fn zero_length_reads_return_at_once() {
    let mut tty = LineDiscipline::default();
    type_in(&mut tty, b"\x04");
    assert_eq!(tty.read(&mut []), ReadResult::Ready(0));
    assert!(tty.readable(), "the EOF is still there");
    assert_eq!(raw_with(1, 0).read(&mut []), ReadResult::Ready(0));
}

#[test]
fn nonblocking_canonical_read_without_a_line_would_block() {
    let mut tty = LineDiscipline::default();
    type_in(&mut tty, b"partial");
    assert_eq!(read_mode(&mut tty, 10, ReadMode::NoWait), None);
}

#[test]
fn vmin_waits_for_that_many_bytes() {
    let mut tty = raw_with(3, 0);
    type_in(&mut tty, b"ab");
    assert!(!tty.readable());
    assert_eq!(read_some(&mut tty, 10), None);
    assert_eq!(tty.read_timer(), ReadTimer::None);
    type_in(&mut tty, b"cde");
    assert!(tty.readable());
    assert_eq!(read_some(&mut tty, 10).unwrap(), b"abcde");
}

#[test]
fn vmin_larger_than_the_buffer_waits_only_for_the_buffer() {
    let mut tty = raw_with(3, 0);
    type_in(&mut tty, b"ab");
    assert!(tty.can_complete_read(2));
    assert_eq!(read_some(&mut tty, 2).unwrap(), b"ab");
}

#[test]
fn nonblocking_read_below_vmin_returns_what_is_there() {
    let mut tty = raw_with(3, 0);
    type_in(&mut tty, b"ab");
    assert_eq!(read_mode(&mut tty, 10, ReadMode::NoWait).unwrap(), b"ab");
    assert_eq!(read_mode(&mut tty, 10, ReadMode::NoWait), None);
}

#[test]
fn vmin_and_vtime_zero_never_block() {
    let mut tty = raw_with(0, 0);
    assert_eq!(read_some(&mut tty, 10).unwrap(), b"");
    assert_eq!(read_mode(&mut tty, 10, ReadMode::NoWait).unwrap(), b"");
    assert!(!tty.readable());
    type_in(&mut tty, b"x");
    assert_eq!(read_some(&mut tty, 10).unwrap(), b"x");
}

#[test]
fn vtime_alone_is_an_overall_timeout() {
    let mut tty = raw_with(0, 5);
    assert_eq!(tty.read_timer(), ReadTimer::Overall { deciseconds: 5 });
    assert_eq!(read_some(&mut tty, 10), None);
    assert_eq!(read_mode(&mut tty, 10, ReadMode::NoWait), None, "EAGAIN");
    assert_eq!(read_mode(&mut tty, 10, ReadMode::TimedOut).unwrap(), b"");
    type_in(&mut tty, b"x");
    assert!(tty.readable());
    assert_eq!(read_some(&mut tty, 10).unwrap(), b"x");
}

#[test]
fn vmin_with_vtime_is_an_inter_byte_timeout() {
    let mut tty = raw_with(3, 3);
    assert_eq!(tty.read_timer(), ReadTimer::InterByte { deciseconds: 3 });
    assert_eq!(tty.min_time(), (3, 3));
    type_in(&mut tty, b"ab");
    assert!(tty.readable(), "poll wants one byte when TIME is set");
    assert_eq!(read_some(&mut tty, 10), None);
    assert_eq!(read_mode(&mut tty, 10, ReadMode::TimedOut).unwrap(), b"ab");
}

#[test]
fn cfmakeraw_passes_every_byte_unchanged() {
    let mut termios = Termios::default_console();
    termios.make_raw();
    let mut tty = LineDiscipline::new(termios);
    let all: Vec<u8> = (0..=255).collect();
    assert_eq!(tty.receive_bytes(&all), []);
    assert_eq!(read_some(&mut tty, 1000).unwrap(), all);
    let mut out = Vec::new();
    tty.process_output(&all, &mut out);
    assert_eq!(out, all);
}

fn set_canonical(tty: &mut LineDiscipline, is_canonical: bool, min: u8) {
    let mut termios = *tty.termios();
    termios.c_lflag = if is_canonical { termios.c_lflag | ICANON } else { termios.c_lflag & !ICANON };
    termios.c_cc[VMIN] = min;
    assert_eq!(tty.set_termios(termios), []);
}

#[test]
fn leaving_canonical_mode_makes_the_partial_line_readable() {
    let mut tty = LineDiscipline::default();
    type_in(&mut tty, b"abc");
    set_canonical(&mut tty, false, 0);
    assert_eq!(read_some(&mut tty, 10).unwrap(), b"abc");
    assert_eq!(read_some(&mut tty, 10).unwrap(), b"");
}

#[test]
fn leaving_canonical_mode_keeps_lines_and_eof_marks_as_bytes() {
    let mut tty = LineDiscipline::default();
    type_in(&mut tty, b"ab\ncd");
    set_canonical(&mut tty, false, 1);
    assert_eq!(tty.input_available(), 5);
    assert_eq!(read_some(&mut tty, 10).unwrap(), b"ab\ncd");

    let mut tty = LineDiscipline::default();
    type_in(&mut tty, b"abc\x04");
    set_canonical(&mut tty, false, 1);
    assert_eq!(read_some(&mut tty, 10).unwrap(), b"abc\x00");
}

#[test]
fn entering_canonical_mode_makes_pending_input_one_line() {
    let mut tty = raw_with(1, 0);
    type_in(&mut tty, b"abc");
    set_canonical(&mut tty, true, 1);
    assert_eq!(tty.input_available(), 3);
    assert_eq!(read_lines(&mut tty), [b"abc"]);

    // A NUL at the end then looks like an EOF mark, as in Linux.
    let mut tty = raw_with(1, 0);
    type_in(&mut tty, b"ab\x00");
    set_canonical(&mut tty, true, 1);
    assert_eq!(read_lines(&mut tty), [b"ab"]);
}

#[test]
fn flush_input_discards_everything() {
    let mut tty = LineDiscipline::default();
    type_in(&mut tty, b"one\ntwo");
    tty.flush_input();
    assert_eq!(tty.input_available(), 0);
    type_in(&mut tty, b"\n");
    assert_eq!(read_lines(&mut tty), [b"\n"]);
}
