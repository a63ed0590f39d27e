//! Echo forms outside the editing keys: control characters as `^X`, newline
//! in and out of canonical mode, input mapping, and echo without OPOST.

use super::*;

#[test]
fn control_characters_echo_as_caret_letters() {
    let mut tty = LineDiscipline::default();
    assert_eq!(type_in(&mut tty, b"a\x00\n"), b"a^@\r\n");
    assert_eq!(read_lines(&mut tty), [b"a\x00\n"]);

    let mut tty = discipline_with(|t| t.c_lflag &= !ICANON);
    assert_eq!(type_in(&mut tty, b"\x7f\x01\x00"), b"^?^A^@");
    assert_eq!(read_some(&mut tty, 10).unwrap(), b"\x7f\x01\x00");
}

#[test]
fn tab_and_high_bytes_echo_as_themselves() {
    let mut tty = LineDiscipline::default();
    assert_eq!(type_in(&mut tty, b"\t\xff\x80\n"), b"\t\xff\x80\r\n");
    assert_eq!(read_lines(&mut tty), [b"\t\xff\x80\n"]);
}

#[test]
fn newline_echoes_raw_only_when_special() {
    // Outside canonical mode a typed ^J is plain data and echoes as ^J,
    // while CR mapped to NL by ICRNL echoes as a newline.
    let mut tty = discipline_with(|t| t.c_lflag &= !ICANON);
    assert_eq!(type_in(&mut tty, b"\n"), b"^J");
    assert_eq!(type_in(&mut tty, b"\r"), b"\r\n");
    assert_eq!(type_in(&mut tty, b"\x7f"), b"^?");
    assert_eq!(read_some(&mut tty, 10).unwrap(), b"\n\n\x7f");
}

#[test]
fn echonl_echoes_newline_without_echo() {
    let mut tty = discipline_with(|t| t.c_lflag = (t.c_lflag & !ECHO) | ECHONL);
    assert_eq!(type_in(&mut tty, b"ab\n"), b"\r\n");
    assert_eq!(read_lines(&mut tty), [b"ab\n"]);
}

#[test]
fn without_echo_nothing_echoes() {
    let mut tty = discipline_with(|t| t.c_lflag &= !ECHO);
    assert_eq!(type_in(&mut tty, b"secret\x7f\x17x\n"), b"");
    assert_eq!(read_lines(&mut tty), [b"x\n"]);
}

#[test]
fn igncr_drops_carriage_returns() {
    let mut tty = discipline_with(|t| t.c_iflag = (t.c_iflag & !ICRNL) | IGNCR);
    assert_eq!(type_in(&mut tty, b"a\rb\n"), b"ab\r\n");
    assert_eq!(read_lines(&mut tty), [b"ab\n"]);
}

#[test]
fn without_icrnl_a_carriage_return_is_data() {
    let mut tty = discipline_with(|t| t.c_iflag &= !ICRNL);
    assert_eq!(type_in(&mut tty, b"a\r\n"), b"a^M\r\n");
    assert_eq!(read_lines(&mut tty), [b"a\r\n"]);
}

#[test]
fn inlcr_maps_newline_to_carriage_return() {
    let mut tty = discipline_with(|t| t.c_iflag |= INLCR);
    assert_eq!(type_in(&mut tty, b"a\n\r"), b"a^M\r\n");
    assert_eq!(read_lines(&mut tty), [b"a\r\n"]);
}

#[test]
fn istrip_clears_the_eighth_bit() {
    let mut tty = discipline_with(|t| t.c_iflag |= ISTRIP);
    assert_eq!(type_in(&mut tty, b"\xe9\n"), b"i\r\n");
    assert_eq!(read_lines(&mut tty), [b"i\n"]);
}

#[test]
fn iuclc_folds_ascii_and_latin1_capitals() {
    let mut tty = discipline_with(|t| t.c_iflag |= IUCLC);
    assert_eq!(type_in(&mut tty, b"AbC\xc9\n"), b"abc\xe9\r\n");
    assert_eq!(read_lines(&mut tty), [b"abc\xe9\n"]);
}

#[test]
fn parmrk_doubles_0xff_in_the_data() {
    let mut tty = discipline_with(|t| t.c_iflag |= PARMRK);
    assert_eq!(type_in(&mut tty, b"\xffa\n"), b"\xffa\r\n");
    assert_eq!(read_lines(&mut tty), [b"\xff\xffa\n"]);
}

#[test]
fn echo_without_opost_is_not_translated_nor_counted() {
    // Columns do not move without OPOST, so the tab erase counts from 0.
    let mut tty = discipline_with(|t| t.c_oflag &= !OPOST);
    assert_eq!(type_in(&mut tty, b"ab\x7f\t\x7f\n"), b"ab\x08 \x08\t\x08\x08\x08\x08\x08\x08\x08\n");
    assert_eq!(read_lines(&mut tty), [b"a\n"]);
}

#[test]
fn echo_of_consecutive_bytes_comes_as_one_event() {
    let mut tty = LineDiscipline::default();
    assert_eq!(tty.receive_bytes(b"abc"), [Event::Echo(b"abc".to_vec())]);
    assert_eq!(tty.receive(b'd'), [Event::Echo(b"d".to_vec())]);
}
