//! Canonical editing keys: erase, word erase, kill, literal next, reprint,
//! line ends, each compared byte for byte with Linux's echo and data.

use super::*;

#[test]
fn erase_rubs_out_one_character() {
    let mut tty = LineDiscipline::default();
    assert_eq!(type_in(&mut tty, b"ab\x7fc\n"), b"ab\x08 \x08c\r\n");
    assert_eq!(read_lines(&mut tty), [b"ac\n"]);
}

#[test]
fn erase_on_an_empty_line_does_nothing() {
    let mut tty = LineDiscipline::default();
    assert_eq!(type_in(&mut tty, b"\x7f\x17\x15"), b"");
    assert!(read_lines(&mut tty).is_empty());
}

#[test]
fn erase_stops_at_a_completed_line() {
    let mut tty = LineDiscipline::default();
    assert_eq!(type_in(&mut tty, b"ab\n\x7f\x7fc\n"), b"ab\r\nc\r\n");
    assert_eq!(read_lines(&mut tty), [&b"ab\n"[..], b"c\n"]);
}

#[test]
fn erase_without_echoe_echoes_the_erase_character() {
    let mut tty = discipline_with(|t| t.c_lflag &= !ECHOE);
    assert_eq!(type_in(&mut tty, b"ab\x7f\n"), b"ab^?\r\n");
    assert_eq!(read_lines(&mut tty), [b"a\n"]);
}

#[test]
fn erasing_a_control_character_rubs_out_its_two_columns() {
    let mut tty = LineDiscipline::default();
    assert_eq!(type_in(&mut tty, b"a\x01\x7f\n"), b"a^A\x08 \x08\x08 \x08\r\n");
    assert_eq!(read_lines(&mut tty), [b"a\n"]);

    // Echoed raw without ECHOCTL, it took no column to rub out.
    let mut tty = discipline_with(|t| t.c_lflag &= !ECHOCTL);
    assert_eq!(type_in(&mut tty, b"a\x01\x7f\n"), b"a\x01\r\n");
    assert_eq!(read_lines(&mut tty), [b"a\n"]);
}

#[test]
fn erasing_a_tab_moves_back_to_where_it_started() {
    let mut tty = LineDiscipline::default();
    assert_eq!(type_in(&mut tty, b"ab\t\x7f\n"), b"ab\t\x08\x08\x08\x08\x08\x08\r\n");
    assert_eq!(read_lines(&mut tty), [b"ab\n"]);
}

#[test]
fn tab_erase_counts_from_the_prompt_column() {
    let mut tty = LineDiscipline::default();
    let mut prompt = Vec::new();
    tty.process_output(b"$ ", &mut prompt);
    assert_eq!(type_in(&mut tty, b"ab\t\x7f"), b"ab\t\x08\x08\x08\x08");

    let mut tty = LineDiscipline::default();
    tty.process_output(b"\t$ ", &mut prompt);
    assert_eq!(type_in(&mut tty, b"x\t\x7f"), b"x\t\x08\x08\x08\x08\x08");
}

#[test]
fn tab_erase_counts_from_the_previous_tab() {
    let mut tty = LineDiscipline::default();
    assert_eq!(type_in(&mut tty, b"a\tbc\t\x7f"), b"a\tbc\t\x08\x08\x08\x08\x08\x08");
    assert_eq!(type_in(&mut tty, b"\x7f\x7f\x7f"), b"\x08 \x08\x08 \x08\x08\x08\x08\x08\x08\x08\x08");
    assert_eq!(type_in(&mut tty, b"\n"), b"\r\n");
    assert_eq!(read_lines(&mut tty), [b"a\n"]);
}

#[test]
fn tab_erase_counts_control_characters_as_echoed() {
    let mut tty = LineDiscipline::default();
    assert_eq!(type_in(&mut tty, b"\x01\t\x7f\n"), b"^A\t\x08\x08\x08\x08\x08\x08\r\n");
    assert_eq!(read_lines(&mut tty), [b"\x01\n"]);
}

#[test]
fn tab_erase_after_a_newline_starts_from_column_zero() {
    let mut tty = LineDiscipline::default();
    assert_eq!(type_in(&mut tty, b"ab\nx\t\x7f"), b"ab\r\nx\t\x08\x08\x08\x08\x08\x08\x08");
}

#[test]
fn word_erase_takes_trailing_blanks_and_one_word() {
    let mut tty = LineDiscipline::default();
    let echo = type_in(&mut tty, b"foo bar  \x17x\n");
    assert_eq!(echo, [&b"foo bar  "[..], &b"\x08 \x08".repeat(5), b"x\r\n"].concat());
    assert_eq!(read_lines(&mut tty), [b"foo x\n"]);
}

#[test]
fn word_erase_stops_at_punctuation() {
    let mut tty = LineDiscipline::default();
    let echo = type_in(&mut tty, b"foo-bar\x17\n");
    assert_eq!(echo, [&b"foo-bar"[..], &b"\x08 \x08".repeat(3), b"\r\n"].concat());
    assert_eq!(read_lines(&mut tty), [b"foo-\n"]);
}

#[test]
fn kill_rubs_out_the_line_with_echoke() {
    let mut tty = LineDiscipline::default();
    let echo = type_in(&mut tty, b"hello\x15world\n");
    assert_eq!(echo, [&b"hello"[..], &b"\x08 \x08".repeat(5), b"world\r\n"].concat());
    assert_eq!(read_lines(&mut tty), [b"world\n"]);
}

#[test]
fn kill_without_echoke_echoes_the_kill_character_and_a_newline() {
    let mut tty = discipline_with(|t| t.c_lflag &= !ECHOKE);
    assert_eq!(type_in(&mut tty, b"hello\x15"), b"hello^U\r\n");
    assert_eq!(type_in(&mut tty, b"x\n"), b"x\r\n");
    assert_eq!(read_lines(&mut tty), [b"x\n"]);

    let mut tty = discipline_with(|t| t.c_lflag &= !(ECHOKE | ECHOK));
    assert_eq!(type_in(&mut tty, b"hello\x15"), b"hello^U");
    assert!(read_lines(&mut tty).is_empty());
}

#[test]
fn kill_without_echo_is_silent() {
    let mut tty = discipline_with(|t| t.c_lflag &= !ECHO);
    assert_eq!(type_in(&mut tty, b"hello\x15x\n"), b"");
    assert_eq!(read_lines(&mut tty), [b"x\n"]);
}

#[test]
fn iutf8_erase_takes_a_whole_character() {
    let mut tty = discipline_with(|t| t.c_iflag |= IUTF8);
    let echo = type_in(&mut tty, "é€\x7f\x7f".as_bytes());
    assert_eq!(echo, ["é€".as_bytes(), b"\x08 \x08\x08 \x08"].concat());
    assert_eq!(type_in(&mut tty, b"x\n"), b"x\r\n");
    assert_eq!(read_lines(&mut tty), [b"x\n"]);
}

#[test]
fn without_iutf8_erase_takes_one_byte() {
    let mut tty = LineDiscipline::default();
    assert_eq!(type_in(&mut tty, "é\x7f".as_bytes()), b"\xc3\xa9\x08 \x08");
    type_in(&mut tty, b"x\n");
    assert_eq!(read_lines(&mut tty), [b"\xc3x\n"]);
}

#[test]
fn iutf8_erase_never_splits_a_stray_continuation() {
    let mut tty = discipline_with(|t| t.c_iflag |= IUTF8);
    assert_eq!(type_in(&mut tty, b"\xa9\x7f\n"), b"\xa9\r\n");
    assert_eq!(read_lines(&mut tty), [b"\xa9\n"]);
}

#[test]
fn iutf8_word_erase_treats_accented_letters_as_word() {
    let mut tty = discipline_with(|t| t.c_iflag |= IUTF8);
    let echo = type_in(&mut tty, "héllo wörld\x17\n".as_bytes());
    assert_eq!(echo, ["héllo wörld".as_bytes(), &b"\x08 \x08".repeat(5), b"\r\n"].concat());
    assert_eq!(read_lines(&mut tty), ["héllo \n".as_bytes()]);
}

#[test]
fn literal_next_quotes_a_signal_character() {
    let mut tty = LineDiscipline::default();
    assert_eq!(type_in(&mut tty, b"\x16\x03\n"), b"^\x08^C\r\n");
    assert_eq!(read_lines(&mut tty), [b"\x03\n"]);
}

#[test]
fn literal_next_quotes_newline_and_erase() {
    let mut tty = LineDiscipline::default();
    assert_eq!(type_in(&mut tty, b"\x16\n\n"), b"^\x08^J\r\n");
    assert_eq!(read_lines(&mut tty), [b"\n\n"]);

    let mut tty = LineDiscipline::default();
    assert_eq!(type_in(&mut tty, b"a\x16\x7f\n"), b"a^\x08^?\r\n");
    assert_eq!(read_lines(&mut tty), [b"a\x7f\n"]);
}

#[test]
fn literal_next_is_forgotten_when_icanon_toggles() {
    let mut tty = LineDiscipline::default();
    type_in(&mut tty, b"ab\x16");
    let mut raw = *tty.termios();
    raw.c_lflag &= !ICANON;
    tty.set_termios(raw);
    raw.c_lflag |= ICANON;
    tty.set_termios(raw);
    let events = tty.receive(0x03);
    assert_eq!(events[0], Event::Signal(SIGINT));
    assert_eq!(echo_of(&events), b"^C");
}

#[test]
fn reprint_echoes_the_line_again() {
    let mut tty = LineDiscipline::default();
    assert_eq!(type_in(&mut tty, b"abc\x12"), b"abc^R\r\nabc");
    assert_eq!(type_in(&mut tty, b"\x01\x12"), b"^A^R\r\nabc^A");
    assert_eq!(type_in(&mut tty, b"\n"), b"\r\n");
    assert_eq!(read_lines(&mut tty), [b"abc\x01\n"]);
}

#[test]
fn without_iexten_the_extended_keys_are_plain_data() {
    let mut tty = discipline_with(|t| t.c_lflag &= !IEXTEN);
    assert_eq!(type_in(&mut tty, b"ab\x17\x16\x12\n"), b"ab^W^V^R\r\n");
    assert_eq!(read_lines(&mut tty), [b"ab\x17\x16\x12\n"]);
}

#[test]
fn eol_and_eol2_end_a_line_and_are_read() {
    for slot in [VEOL, VEOL2] {
        let mut tty = discipline_with(|t| t.c_cc[slot] = b';');
        assert_eq!(type_in(&mut tty, b"ab;cd\n"), b"ab;cd\r\n");
        assert_eq!(read_lines(&mut tty), [&b"ab;"[..], b"cd\n"]);
    }
}

#[test]
fn a_disabled_slot_matches_nothing() {
    let mut tty = discipline_with(|t| t.c_cc[VEOF] = 0);
    assert_eq!(type_in(&mut tty, b"a\x00\x04\n"), b"a^@^D\r\n");
    assert_eq!(read_lines(&mut tty), [b"a\x00\x04\n"]);
}

#[test]
fn echoprt_prints_what_it_erases() {
    for echoe in [0, ECHOE] {
        let mut tty = discipline_with(|t| t.c_lflag = (t.c_lflag & !ECHOE) | ECHOPRT | echoe);
        assert_eq!(type_in(&mut tty, b"abc\x7f\x7fd\n"), b"abc\\cb/d\r\n");
        assert_eq!(read_lines(&mut tty), [b"ad\n"]);
    }
}

#[test]
fn echoprt_closes_when_the_line_is_empty() {
    let mut tty = discipline_with(|t| t.c_lflag |= ECHOPRT);
    assert_eq!(type_in(&mut tty, b"ab\x15"), b"ab\\ba/");
}

#[test]
fn echoprt_stays_open_across_a_newline() {
    let mut tty = discipline_with(|t| t.c_lflag |= ECHOPRT);
    assert_eq!(type_in(&mut tty, b"ab\x7f\n"), b"ab\\b\r\n");
    assert_eq!(type_in(&mut tty, b"c"), b"/c");
}
