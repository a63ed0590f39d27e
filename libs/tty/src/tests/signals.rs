//! ISIG: INTR, QUIT and SUSP raise signals, flush input unless NOFLSH, and
//! echo as `^C`, `^\`, `^Z`.

use super::*;

#[test]
fn intr_signals_flushes_and_echoes() {
    let mut tty = LineDiscipline::default();
    assert_eq!(type_in(&mut tty, b"abc"), b"abc");
    assert_eq!(tty.receive(0x03), [Event::Signal(SIGINT), Event::FlushOutput, Event::Echo(b"^C".to_vec())]);
    assert_eq!(type_in(&mut tty, b"d\n"), b"d\r\n");
    assert_eq!(read_lines(&mut tty), [b"d\n"]);
}

#[test]
fn quit_and_suspend_signal_too() {
    let mut tty = LineDiscipline::default();
    let events = tty.receive_bytes(b"a\x1cb\x1a");
    assert_eq!(
        events,
        [
            Event::Echo(b"a".to_vec()),
            Event::Signal(SIGQUIT),
            Event::FlushOutput,
            Event::Echo(b"^\\b".to_vec()),
            Event::Signal(SIGTSTP),
            Event::FlushOutput,
            Event::Echo(b"^Z".to_vec()),
        ]
    );
    assert!(read_lines(&mut tty).is_empty());
}

#[test]
fn noflsh_keeps_the_input() {
    let mut tty = discipline_with(|t| t.c_lflag |= NOFLSH);
    let events = tty.receive_bytes(b"abc\x03d\n");
    assert_eq!(
        events,
        [Event::Echo(b"abc".to_vec()), Event::Signal(SIGINT), Event::Echo(b"^Cd\r\n".to_vec())]
    );
    assert_eq!(read_lines(&mut tty), [b"abcd\n"]);
}

#[test]
fn intr_flushes_completed_lines_too() {
    let mut tty = LineDiscipline::default();
    type_in(&mut tty, b"one\ntwo");
    tty.receive(0x03);
    assert_eq!(tty.input_available(), 0);
    assert!(!tty.readable());
}

#[test]
fn signals_work_outside_canonical_mode() {
    let mut tty = discipline_with(|t| t.c_lflag &= !ICANON);
    type_in(&mut tty, b"xyz");
    assert_eq!(tty.receive(0x03)[0], Event::Signal(SIGINT));
    assert_eq!(tty.input_available(), 0);
}

#[test]
fn without_echo_a_signal_is_silent() {
    let mut tty = discipline_with(|t| t.c_lflag &= !ECHO);
    assert_eq!(tty.receive(0x03), [Event::Signal(SIGINT), Event::FlushOutput]);
}

#[test]
fn without_echoctl_the_signal_character_echoes_raw() {
    let mut tty = discipline_with(|t| t.c_lflag &= !ECHOCTL);
    assert_eq!(echo_of(&tty.receive(0x03)), b"\x03");
}

#[test]
fn without_isig_signal_characters_are_data() {
    let mut tty = discipline_with(|t| t.c_lflag &= !ISIG);
    assert_eq!(type_in(&mut tty, b"\x03\x1a\n"), b"^C^Z\r\n");
    assert_eq!(read_lines(&mut tty), [b"\x03\x1a\n"]);
}

#[test]
fn a_signal_ends_an_echoprt_erase_only_by_flushing() {
    // n_tty_receive_signal_char echoes without closing the `\...`; the flush
    // forgets it. With NOFLSH the next ordinary byte closes it.
    let mut tty = discipline_with(|t| t.c_lflag |= ECHOPRT | NOFLSH);
    assert_eq!(type_in(&mut tty, b"ab\x7f"), b"ab\\b");
    assert_eq!(echo_of(&tty.receive(0x03)), b"^C");
    assert_eq!(type_in(&mut tty, b"c"), b"/c");
}
