//! Output post-processing of what programs write (OPOST and friends), and
//! the column it leaves for echo.

use super::*;

fn output_with(change: impl FnOnce(&mut Termios), bytes: &[u8]) -> Vec<u8> {
    let mut tty = discipline_with(change);
    let mut out = Vec::new();
    tty.process_output(bytes, &mut out);
    out
}

#[test]
fn onlcr_turns_newline_into_crlf() {
    assert_eq!(output_with(|_| {}, b"a\nb\tc\rd\x08e"), b"a\r\nb\tc\rd\x08e");
}

#[test]
fn without_opost_output_passes_unchanged() {
    assert_eq!(output_with(|t| t.c_oflag &= !OPOST, b"a\nb\r\t"), b"a\nb\r\t");
}

#[test]
fn onocr_drops_carriage_return_at_column_zero() {
    assert_eq!(output_with(|t| t.c_oflag |= ONOCR, b"\rx\r\n\r"), b"x\r\r\n");
}

#[test]
fn ocrnl_turns_carriage_return_into_newline() {
    assert_eq!(output_with(|t| t.c_oflag |= OCRNL, b"a\rb"), b"a\nb");
}

#[test]
fn onlret_keeps_newline_and_resets_the_column() {
    let mut tty = discipline_with(|t| t.c_oflag = (t.c_oflag & !ONLCR) | ONLRET);
    let mut out = Vec::new();
    tty.process_output(b"ab\n", &mut out);
    assert_eq!(tty.column(), 0);
    tty.process_output(b"\tx", &mut out);
    assert_eq!(out, b"ab\n\tx");
    assert_eq!(tty.column(), 9);
}

#[test]
fn xtabs_expands_tabs_to_the_next_stop() {
    assert_eq!(output_with(|t| t.c_oflag |= XTABS, b"ab\tc\t\td"), b"ab      c               d");
}

#[test]
fn olcuc_upcases_like_the_kernel_ctype() {
    assert_eq!(output_with(|t| t.c_oflag |= OLCUC, b"abc\xe9\xff\xdf"), b"ABC\xc9\xdf\xbf");
}

#[test]
fn columns_follow_tabs_backspaces_and_returns() {
    let mut tty = LineDiscipline::default();
    let mut out = Vec::new();
    tty.process_output(b"abc", &mut out);
    assert_eq!(tty.column(), 3);
    tty.process_output(b"\t", &mut out);
    assert_eq!(tty.column(), 8);
    tty.process_output(b"\x08\x08", &mut out);
    assert_eq!(tty.column(), 6);
    tty.process_output(b"\x01\x1b", &mut out);
    assert_eq!(tty.column(), 6, "control characters take no column");
    tty.process_output(b"\r", &mut out);
    assert_eq!(tty.column(), 0);
    tty.process_output(b"\x08", &mut out);
    assert_eq!(tty.column(), 0, "the column never goes below 0");
}

#[test]
fn iutf8_counts_one_column_per_character() {
    let mut tty = discipline_with(|t| t.c_iflag |= IUTF8);
    let mut out = Vec::new();
    tty.process_output("é€x".as_bytes(), &mut out);
    assert_eq!(tty.column(), 3);
    assert_eq!(out, "é€x".as_bytes());
    assert_eq!(type_in(&mut tty, b"\t\x7f"), b"\t\x08\x08\x08\x08\x08");
}

#[test]
fn echo_moves_the_column_like_output() {
    let mut tty = LineDiscipline::default();
    type_in(&mut tty, b"ab\x01");
    assert_eq!(tty.column(), 4);
    type_in(&mut tty, b"\x7f");
    assert_eq!(tty.column(), 2);
}
