//! A full input buffer: 4095 bytes outside canonical mode; a canonical line
//! keeps taking bytes, each one replacing the last stored, so that erase and
//! newline still work.

use super::*;

fn quiet_canonical() -> LineDiscipline {
    discipline_with(|t| t.c_lflag &= !ECHO)
}

#[test]
fn a_long_line_keeps_4095_bytes_and_its_newline() {
    let mut tty = quiet_canonical();
    type_in(&mut tty, &[&b"a".repeat(4094)[..], b"bcd\n"].concat());
    let lines = read_lines(&mut tty);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].len(), 4096);
    assert!(lines[0].ends_with(b"aab\n"));
}

#[test]
fn exactly_4095_bytes_fit() {
    let mut tty = quiet_canonical();
    type_in(&mut tty, &[&b"a".repeat(4095)[..], b"\n"].concat());
    assert_eq!(read_lines(&mut tty)[0].len(), 4096);
}

#[test]
fn erase_in_a_full_line_drops_the_replaced_byte_too() {
    let mut tty = quiet_canonical();
    type_in(&mut tty, &[&b"a".repeat(4094)[..], b"bcd\x7f\n"].concat());
    let line = &read_lines(&mut tty)[0];
    assert_eq!(line.len(), 4095);
    assert!(line.ends_with(b"aaa\n"));
}

#[test]
fn eof_in_a_full_line_replaces_the_last_byte() {
    let mut tty = quiet_canonical();
    type_in(&mut tty, &[&b"a".repeat(4094)[..], b"bc\x04"].concat());
    let line = &read_lines(&mut tty)[0];
    assert_eq!(line.len(), 4095);
    assert!(line.ends_with(b"aab"));
}

#[test]
fn overflowing_bytes_are_still_echoed() {
    let mut tty = LineDiscipline::default();
    let echo = type_in(&mut tty, &[&b"a".repeat(4096)[..], b"bc"].concat());
    assert_eq!(echo.len(), 4098);
    assert!(tty.has_room(), "a canonical line being edited always takes input");
}

#[test]
fn intr_still_works_in_a_full_line() {
    let mut tty = quiet_canonical();
    type_in(&mut tty, &b"a".repeat(5000));
    assert_eq!(tty.receive(0x03)[0], Event::Signal(SIGINT));
    type_in(&mut tty, b"x\n");
    assert_eq!(read_lines(&mut tty), [b"x\n"]);
}

#[test]
fn raw_input_stops_at_4095_bytes() {
    let mut tty = discipline_with(|t| t.c_lflag &= !(ICANON | ECHO));
    type_in(&mut tty, &b"a".repeat(5000));
    assert_eq!(tty.input_available(), 4095);
    assert!(!tty.has_room());
    assert_eq!(read_some(&mut tty, 5000).unwrap().len(), 4095);
    assert!(tty.has_room());
}

#[test]
fn completed_lines_leave_no_room_for_more() {
    let mut tty = quiet_canonical();
    type_in(&mut tty, &[&b"a".repeat(4000)[..], b"\n"].concat());
    type_in(&mut tty, &b"b".repeat(200));
    assert!(!tty.has_room());
    // Dropped: no room and a line is waiting. Linux would hold these bytes in
    // the driver until a read made room (a pty reads back all 200 b's).
    assert_eq!(tty.receive(b'\n'), []);
    assert_eq!(read_lines(&mut tty).len(), 1);
    type_in(&mut tty, b"\n");
    assert_eq!(read_lines(&mut tty)[0].len(), 94 + 1);
}

#[test]
fn a_full_buffer_still_obeys_signals_and_flow_control() {
    // goose acts on these where Linux would hold them in the driver.
    let mut tty = discipline_with(|t| t.c_lflag &= !(ICANON | ECHO));
    type_in(&mut tty, &b"a".repeat(4095));
    assert_eq!(tty.receive(0x13), [Event::StopOutput]);
    assert_eq!(tty.receive(0x11), [Event::StartOutput]);
    assert_eq!(tty.receive(0x03), [Event::Signal(SIGINT), Event::FlushOutput]);
    assert_eq!(tty.input_available(), 0);
}
