//! `struct termios` and `struct winsize` as user space sees them, the
//! flag values against asm-generic/termbits.h, and Linux's defaults.

use super::*;

#[test]
fn termios_is_the_36_byte_kernel_struct() {
    assert_eq!(size_of::<Termios>(), 36);
    assert_eq!(core::mem::offset_of!(Termios, c_line), 16);
    assert_eq!(core::mem::offset_of!(Termios, c_cc), 17);
    assert_eq!(NCCS, 19);
}

#[test]
fn flag_values_match_termbits_h() {
    let iflags = [IGNBRK, BRKINT, IGNPAR, PARMRK, INPCK, ISTRIP, INLCR, IGNCR, ICRNL, IUCLC, IXON, IXANY];
    let hex = [0x001, 0x002, 0x004, 0x008, 0x010, 0x020, 0x040, 0x080, 0x100, 0x200, 0x400, 0x800];
    assert_eq!(iflags, hex);
    assert_eq!([IXOFF, IMAXBEL, IUTF8], [0x1000, 0x2000, 0x4000]);
    let oflags = [OPOST, OLCUC, ONLCR, OCRNL, ONOCR, ONLRET, OFILL, OFDEL, NLDLY, CRDLY, TABDLY];
    assert_eq!(oflags, [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x100, 0x600, 0x1800]);
    assert_eq!([BSDLY, VTDLY, FFDLY, XTABS], [0x2000, 0x4000, 0x8000, 0x1800]);
    let cflags = [CBAUD, CSIZE, CS8, CSTOPB, CREAD, PARENB, PARODD, HUPCL, CLOCAL, CBAUDEX];
    assert_eq!(cflags, [0x100f, 0x30, 0x30, 0x40, 0x80, 0x100, 0x200, 0x400, 0x800, 0x1000]);
    assert_eq!([B9600, B38400, B115200, CIBAUD], [0xd, 0xf, 0x1002, 0x100f_0000]);
    assert_eq!([CMSPAR, CRTSCTS], [0x4000_0000, 0x8000_0000]);
    let lflags = [ISIG, ICANON, XCASE, ECHO, ECHOE, ECHOK, ECHONL, NOFLSH, TOSTOP, ECHOCTL, ECHOPRT];
    assert_eq!(lflags, [0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80, 0x100, 0x200, 0x400]);
    assert_eq!([ECHOKE, FLUSHO, PENDIN, IEXTEN, EXTPROC], [0x800, 0x1000, 0x4000, 0x8000, 0x10000]);
}

#[test]
fn control_character_slots_match_termbits_h() {
    let slots = [VINTR, VQUIT, VERASE, VKILL, VEOF, VTIME, VMIN, VSWTC, VSTART, VSTOP, VSUSP];
    assert_eq!(slots, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert_eq!([VEOL, VREPRINT, VDISCARD, VWERASE, VLNEXT, VEOL2], [11, 12, 13, 14, 15, 16]);
}

#[test]
fn default_console_is_tty_std_termios() {
    // What TCGETS returns on a fresh Linux pty or VT (recorded on Linux 6.18:
    // iflag 0x500, oflag 0x5, lflag 0x8a3b; the pty's cflag has no HUPCL).
    let termios = Termios::default_console();
    assert_eq!(termios.c_iflag, 0x500);
    assert_eq!(termios.c_oflag, 0x5);
    assert_eq!(termios.c_cflag, 0x4bf);
    assert_eq!(termios.c_lflag, 0x8a3b);
    assert_eq!(termios.c_line, 0);
    let cc = [3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0, 0, 0];
    assert_eq!(termios.c_cc, cc);
}

#[test]
fn serial_console_differs_only_in_cflag() {
    let serial = Termios::serial_console();
    assert_eq!(serial.c_cflag, B115200 | CS8 | CREAD | HUPCL | CLOCAL);
    assert_eq!(Termios { c_cflag: Termios::default_console().c_cflag, ..serial }, Termios::default_console());
}

#[test]
fn cfmakeraw_flags() {
    let mut termios = Termios::default_console();
    termios.make_raw();
    assert_eq!(termios.c_iflag, 0);
    assert_eq!(termios.c_oflag, ONLCR, "cfmakeraw clears only OPOST");
    assert_eq!(termios.c_lflag, ECHOE | ECHOK | ECHOCTL | ECHOKE);
    assert_eq!(termios.c_cflag, B38400 | CS8 | CREAD | HUPCL);
    assert_eq!((termios.c_cc[VMIN], termios.c_cc[VTIME]), (1, 0));
}

#[test]
fn termios_bytes_round_trip_little_endian() {
    let termios = Termios::default_console();
    let bytes = termios.to_bytes();
    assert_eq!(&bytes[..4], &[0x00, 0x05, 0, 0]);
    assert_eq!(&bytes[12..16], &[0x3b, 0x8a, 0, 0]);
    assert_eq!(bytes[16], 0);
    assert_eq!(&bytes[17..20], &[3, 0x1c, 0x7f]);
    assert_eq!(Termios::from_bytes(&bytes), termios);
}

#[test]
fn winsize_starts_at_zero_and_reports_changes() {
    let mut tty = LineDiscipline::default();
    assert_eq!(tty.winsize(), Winsize::default());
    let size = Winsize { ws_row: 24, ws_col: 80, ws_xpixel: 0, ws_ypixel: 0 };
    assert!(tty.set_winsize(size));
    assert!(!tty.set_winsize(size), "no SIGWINCH when nothing changed");
    assert_eq!(size.to_bytes(), [24, 0, 80, 0, 0, 0, 0, 0]);
    assert_eq!(Winsize::from_bytes(&size.to_bytes()), size);
}
