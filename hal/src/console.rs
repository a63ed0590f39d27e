//! The kernel console: the firmware's console until the UART is set up,
//! then the UART directly. Output from several harts is serialized line by
//! line.

use crate::arch::sbi;
use crate::sync::SpinLock;
use crate::uart::Ns16550;
use core::fmt;
use spin::Once;

static UART: Once<Ns16550> = Once::new();
static LOCK: SpinLock<()> = SpinLock::new(());

/// Switches console output to the UART.
pub fn use_uart(uart: Ns16550) {
    UART.call_once(|| uart);
}

/// The UART, once the console uses it.
pub fn uart() -> Option<&'static Ns16550> {
    UART.get()
}

fn put(byte: u8) {
    match UART.get() {
        Some(uart) => uart.write_byte(byte),
        None => sbi::console_putchar(byte),
    }
}

/// Writes bytes as they are (the tty layer has already processed them).
pub fn write_bytes(bytes: &[u8]) {
    let _guard = LOCK.lock();
    bytes.iter().copied().for_each(put);
}

/// Kernel messages: `\n` becomes `\r\n`.
pub fn write_str(text: &str) {
    let _guard = LOCK.lock();
    write_text(text);
}

fn write_text(text: &str) {
    for byte in text.bytes() {
        if byte == b'\n' {
            put(b'\r');
        }
        put(byte);
    }
}

struct Writer;

impl fmt::Write for Writer {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        write_text(text);
        Ok(())
    }
}

/// Formats one message under the console lock, so it is not interleaved
/// with other harts' output.
pub fn write_fmt(args: fmt::Arguments) {
    let _guard = LOCK.lock();
    let _ = fmt::Write::write_fmt(&mut Writer, args);
}

/// For the panic path: writes even if another hart died holding the lock.
pub fn write_fmt_unlocked(args: fmt::Arguments) {
    let guard = LOCK.try_lock();
    let _ = fmt::Write::write_fmt(&mut Writer, args);
    drop(guard);
}
