//! The ns16550a UART QEMU's virt machine has: bytes out by polling the
//! transmitter, bytes in by interrupt (the kernel's tty drains the receiver
//! from its interrupt handler).

use crate::arch::layout::phys_to_virt;

const RBR_THR: usize = 0; // receive buffer / transmit holding
const IER: usize = 1; // interrupt enable
const FCR: usize = 2; // FIFO control
const LCR: usize = 3; // line control
const MCR: usize = 4; // modem control
const LSR: usize = 5; // line status

const IER_RECEIVED_DATA: u8 = 1;
const LSR_DATA_READY: u8 = 1;
const LSR_TRANSMIT_EMPTY: u8 = 1 << 5;

pub struct Ns16550 {
    base: usize,
    shift: u32,
}

impl Ns16550 {
    /// The UART at physical `base` with registers `1 << shift` bytes apart.
    pub fn new(base: usize, shift: u32) -> Self {
        Ns16550 { base: phys_to_virt(base), shift }
    }

    fn register(&self, index: usize) -> *mut u8 {
        (self.base + (index << self.shift)) as *mut u8
    }

    fn read(&self, index: usize) -> u8 {
        // SAFETY: the register lies in the UART's MMIO region from the
        // device tree, mapped by the direct map.
        unsafe { self.register(index).read_volatile() }
    }

    fn write(&self, index: usize, value: u8) {
        // SAFETY: as in read.
        unsafe { self.register(index).write_volatile(value) }
    }

    /// 8N1, FIFOs on, receive interrupts on. The firmware has set the baud
    /// rate (and QEMU ignores it).
    pub fn init(&self) {
        self.write(IER, 0);
        self.write(LCR, 0x03);
        self.write(FCR, 0x07);
        self.write(MCR, 0x0b); // DTR, RTS, OUT2 (the interrupt line)
        self.write(IER, IER_RECEIVED_DATA);
    }

    pub fn write_byte(&self, byte: u8) {
        while self.read(LSR) & LSR_TRANSMIT_EMPTY == 0 {
            core::hint::spin_loop();
        }
        self.write(RBR_THR, byte);
    }

    /// A received byte, if one is waiting.
    pub fn read_byte(&self) -> Option<u8> {
        (self.read(LSR) & LSR_DATA_READY != 0).then(|| self.read(RBR_THR))
    }
}
