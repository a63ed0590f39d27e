//! `struct termios` as TCGETS/TCSETS pass it on riscv64, its flag bits and
//! control-character slots (include/uapi/asm-generic/termbits.h and
//! termbits-common.h), and the settings Linux gives a fresh terminal.

/// Number of control characters in `c_cc` (asm-generic `NCCS`).
pub const NCCS: usize = 19;

// c_cc slots.
pub const VINTR: usize = 0;
pub const VQUIT: usize = 1;
pub const VERASE: usize = 2;
pub const VKILL: usize = 3;
pub const VEOF: usize = 4;
pub const VTIME: usize = 5;
pub const VMIN: usize = 6;
pub const VSWTC: usize = 7;
pub const VSTART: usize = 8;
pub const VSTOP: usize = 9;
pub const VSUSP: usize = 10;
pub const VEOL: usize = 11;
pub const VREPRINT: usize = 12;
pub const VDISCARD: usize = 13;
pub const VWERASE: usize = 14;
pub const VLNEXT: usize = 15;
pub const VEOL2: usize = 16;

// c_iflag bits.
pub const IGNBRK: u32 = 0o1;
pub const BRKINT: u32 = 0o2;
pub const IGNPAR: u32 = 0o4;
pub const PARMRK: u32 = 0o10;
pub const INPCK: u32 = 0o20;
pub const ISTRIP: u32 = 0o40;
pub const INLCR: u32 = 0o100;
pub const IGNCR: u32 = 0o200;
pub const ICRNL: u32 = 0o400;
pub const IUCLC: u32 = 0o1000;
pub const IXON: u32 = 0o2000;
pub const IXANY: u32 = 0o4000;
pub const IXOFF: u32 = 0o10000;
pub const IMAXBEL: u32 = 0o20000;
pub const IUTF8: u32 = 0o40000;

// c_oflag bits.
pub const OPOST: u32 = 0o1;
pub const OLCUC: u32 = 0o2;
pub const ONLCR: u32 = 0o4;
pub const OCRNL: u32 = 0o10;
pub const ONOCR: u32 = 0o20;
pub const ONLRET: u32 = 0o40;
pub const OFILL: u32 = 0o100;
pub const OFDEL: u32 = 0o200;
pub const NLDLY: u32 = 0o400;
pub const CRDLY: u32 = 0o3000;
pub const TABDLY: u32 = 0o14000;
/// `TAB3`: expand tabs to spaces on output.
pub const XTABS: u32 = 0o14000;
pub const BSDLY: u32 = 0o20000;
pub const VTDLY: u32 = 0o40000;
pub const FFDLY: u32 = 0o100000;

// c_cflag bits.
pub const CBAUD: u32 = 0o10017;
pub const B0: u32 = 0o0;
pub const B9600: u32 = 0o15;
pub const B19200: u32 = 0o16;
pub const B38400: u32 = 0o17;
pub const CSIZE: u32 = 0o60;
pub const CS5: u32 = 0o0;
pub const CS6: u32 = 0o20;
pub const CS7: u32 = 0o40;
pub const CS8: u32 = 0o60;
pub const CSTOPB: u32 = 0o100;
pub const CREAD: u32 = 0o200;
pub const PARENB: u32 = 0o400;
pub const PARODD: u32 = 0o1000;
pub const HUPCL: u32 = 0o2000;
pub const CLOCAL: u32 = 0o4000;
pub const CBAUDEX: u32 = 0o10000;
pub const BOTHER: u32 = 0o10000;
pub const B57600: u32 = 0o10001;
pub const B115200: u32 = 0o10002;
pub const B230400: u32 = 0o10003;
pub const B460800: u32 = 0o10004;
pub const B921600: u32 = 0o10007;
pub const CIBAUD: u32 = 0o2003600000;
pub const CMSPAR: u32 = 0o10000000000;
pub const CRTSCTS: u32 = 0o20000000000;

// c_lflag bits.
pub const ISIG: u32 = 0o1;
pub const ICANON: u32 = 0o2;
pub const XCASE: u32 = 0o4;
pub const ECHO: u32 = 0o10;
pub const ECHOE: u32 = 0o20;
pub const ECHOK: u32 = 0o40;
pub const ECHONL: u32 = 0o100;
pub const NOFLSH: u32 = 0o200;
pub const TOSTOP: u32 = 0o400;
pub const ECHOCTL: u32 = 0o1000;
pub const ECHOPRT: u32 = 0o2000;
pub const ECHOKE: u32 = 0o4000;
pub const FLUSHO: u32 = 0o10000;
pub const PENDIN: u32 = 0o40000;
pub const IEXTEN: u32 = 0o100000;
pub const EXTPROC: u32 = 0o200000;

/// `N_TTY`, the only line discipline goose has (`c_line`).
pub const N_TTY: u8 = 0;

/// `c_cc` as Linux initialises it (INIT_C_CC in include/linux/termios_internal.h):
/// ^C ^\ DEL ^U ^D, TIME 0, MIN 1, SWTC 0, ^Q ^S ^Z, EOL 0, ^R ^O ^W ^V, EOL2 0.
pub const INIT_C_CC: [u8; NCCS] =
    [0x03, 0x1c, 0x7f, 0x15, 0x04, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0, 0, 0];

/// The kernel's `struct termios` (asm-generic/termbits.h), 36 bytes. Unlike
/// `struct termios2` and glibc's `struct termios` it has no speed fields: the
/// speed lives in the `CBAUD` bits of `c_cflag`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Termios {
    pub c_iflag: u32,
    pub c_oflag: u32,
    pub c_cflag: u32,
    pub c_lflag: u32,
    pub c_line: u8,
    pub c_cc: [u8; NCCS],
}

/// Size of [`Termios`] as user space sees it.
pub const TERMIOS_SIZE: usize = 36;
const _: () = assert!(size_of::<Termios>() == TERMIOS_SIZE);

impl Termios {
    /// Linux's `tty_std_termios` (drivers/tty/tty_io.c): what a terminal
    /// starts with before its driver changes anything. 38400 baud 8N1,
    /// canonical input with echo, signals and the usual control characters.
    ///
    /// Linux's serial core then overrides `c_cflag` for its ports
    /// (`B9600 | CS8 | CREAD | HUPCL | CLOCAL`, and for the console the speed
    /// from `console=ttyS0,115200`); see [`Termios::serial_console`]. goose's
    /// UART has no speed to set, so this default keeps the plain
    /// `tty_std_termios` value.
    pub const fn default_console() -> Termios {
        Termios {
            c_iflag: ICRNL | IXON,
            c_oflag: OPOST | ONLCR,
            c_cflag: B38400 | CS8 | CREAD | HUPCL,
            c_lflag: ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
            c_line: N_TTY,
            c_cc: INIT_C_CC,
        }
    }

    /// What `stty -a` shows on Linux's 8250 console booted with
    /// `console=ttyS0,115200`: [`Termios::default_console`] with the control
    /// flags `uart_set_options` sets (`B115200 | CS8 | CREAD | HUPCL | CLOCAL`).
    pub const fn serial_console() -> Termios {
        let mut termios = Termios::default_console();
        termios.c_cflag = B115200 | CS8 | CREAD | HUPCL | CLOCAL;
        termios
    }

    /// Raw mode exactly as glibc's `cfmakeraw(3)` sets it: no input or output
    /// processing, no echo, no signals, 8-bit characters, MIN 1 and TIME 0.
    pub fn make_raw(&mut self) {
        self.c_iflag &= !(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
        self.c_oflag &= !OPOST;
        self.c_lflag &= !(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
        self.c_cflag &= !(CSIZE | PARENB);
        self.c_cflag |= CS8;
        self.c_cc[VMIN] = 1;
        self.c_cc[VTIME] = 0;
    }

    /// The bytes user space reads with TCGETS (riscv64 is little-endian).
    pub fn to_bytes(&self) -> [u8; TERMIOS_SIZE] {
        let mut bytes = [0; TERMIOS_SIZE];
        for (index, flag) in [self.c_iflag, self.c_oflag, self.c_cflag, self.c_lflag].iter().enumerate() {
            bytes[index * 4..index * 4 + 4].copy_from_slice(&flag.to_le_bytes());
        }
        bytes[16] = self.c_line;
        bytes[17..].copy_from_slice(&self.c_cc);
        bytes
    }

    /// The structure user space passes to TCSETS.
    pub fn from_bytes(bytes: &[u8; TERMIOS_SIZE]) -> Termios {
        let flag = |index: usize| {
            let mut word = [0; 4];
            word.copy_from_slice(&bytes[index * 4..index * 4 + 4]);
            u32::from_le_bytes(word)
        };
        let mut c_cc = [0; NCCS];
        c_cc.copy_from_slice(&bytes[17..]);
        Termios {
            c_iflag: flag(0),
            c_oflag: flag(1),
            c_cflag: flag(2),
            c_lflag: flag(3),
            c_line: bytes[16],
            c_cc,
        }
    }

    pub(crate) fn has_iflag(&self, flag: u32) -> bool {
        self.c_iflag & flag != 0
    }

    pub(crate) fn has_oflag(&self, flag: u32) -> bool {
        self.c_oflag & flag != 0
    }

    pub(crate) fn has_lflag(&self, flag: u32) -> bool {
        self.c_lflag & flag != 0
    }

    /// Whether `byte` is the control character in `slot`. A slot holding 0
    /// is disabled (Linux's `__DISABLED_CHAR`) and matches nothing.
    pub(crate) fn is_char(&self, slot: usize, byte: u8) -> bool {
        self.c_cc[slot] != 0 && self.c_cc[slot] == byte
    }
}
