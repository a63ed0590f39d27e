//! IXON flow control: VSTOP and VSTART, IXANY, signals restarting output,
//! tcflow, and clearing IXON while stopped.

use super::*;

#[test]
fn stop_and_start_characters_are_consumed() {
    let mut tty = LineDiscipline::default();
    assert_eq!(tty.receive(0x13), [Event::StopOutput]);
    assert!(tty.is_output_stopped());
    assert_eq!(tty.receive(0x13), []);
    // Echo is still produced; the kernel holds it while stopped.
    assert_eq!(tty.receive(b'a'), [Event::Echo(b"a".to_vec())]);
    assert_eq!(tty.receive(0x11), [Event::StartOutput]);
    assert_eq!(tty.receive(0x11), []);
    type_in(&mut tty, b"\n");
    assert_eq!(read_lines(&mut tty), [b"a\n"]);
}

#[test]
fn without_ixon_stop_and_start_are_data() {
    let mut tty = discipline_with(|t| t.c_iflag &= !IXON);
    assert_eq!(type_in(&mut tty, b"\x13\x11\n"), b"^S^Q\r\n");
    assert_eq!(read_lines(&mut tty), [b"\x13\x11\n"]);
}

#[test]
fn ixany_restarts_on_any_byte() {
    let mut tty = discipline_with(|t| t.c_iflag |= IXANY);
    tty.receive(0x13);
    assert_eq!(tty.receive(b'a'), [Event::StartOutput, Event::Echo(b"a".to_vec())]);
    assert!(!tty.is_output_stopped());
}

#[test]
fn a_signal_character_restarts_output() {
    let mut tty = LineDiscipline::default();
    tty.receive(0x13);
    tty.receive(b'a');
    assert_eq!(
        tty.receive(0x03),
        [Event::Signal(SIGINT), Event::FlushOutput, Event::StartOutput, Event::Echo(b"^C".to_vec())]
    );
}

#[test]
fn clearing_ixon_restarts_output() {
    let mut tty = LineDiscipline::default();
    tty.receive(0x13);
    let mut termios = *tty.termios();
    termios.c_iflag &= !IXON;
    assert_eq!(tty.set_termios(termios), [Event::StartOutput]);
    assert!(!tty.is_output_stopped());
}

#[test]
fn tcflow_stop_holds_against_the_start_character() {
    let mut tty = LineDiscipline::default();
    assert_eq!(tty.tcflow_stop(), Some(Event::StopOutput));
    assert_eq!(tty.tcflow_stop(), None);
    assert_eq!(tty.receive(0x11), []);
    assert!(tty.is_output_stopped());
    assert_eq!(tty.tcflow_start(), Some(Event::StartOutput));
    assert_eq!(tty.tcflow_start(), None);
    assert!(!tty.is_output_stopped());
}

#[test]
fn tcflow_start_leaves_a_stop_character_stop_alone() {
    let mut tty = LineDiscipline::default();
    tty.receive(0x13);
    assert_eq!(tty.tcflow_start(), None);
    assert!(tty.is_output_stopped());
}
