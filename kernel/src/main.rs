//! goose: a Linux-compatible kernel for 64-bit RISC-V.
//!
//! This crate is the kernel proper and holds no `unsafe` code: everything
//! that touches the machine goes through the `hal` crate.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

extern crate alloc;

mod drivers;
mod error;
mod fs;
mod init;
mod irq;
mod logger;
mod mm;
mod net;
mod panic;
mod process;
mod random;
mod sched;
mod selftest;
mod signal;
mod smp;
mod sync;
mod syscall;
mod time;
mod tty;

use cmdline::CommandLine;
use hal::BootInfo;
use spin::Once;

hal::entry_points!(primary: primary_main, secondary: secondary_main);

/// The command line, parsed once at boot.
static COMMAND_LINE: Once<CommandLine> = Once::new();

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

fn primary_main(info: BootInfo) -> ! {
    let line = COMMAND_LINE.call_once(|| CommandLine::parse(&info.bootargs));
    logger::init(line.log_level.unwrap_or(cmdline::LogLevel::Info));
    log::info!("goose {VERSION} (riscv64) booting on hart {}", hal::cpu::hart_id());
    log::info!("command line: {}", info.bootargs);
    for warning in info.warnings.iter().chain(&line.warnings) {
        log::warn!("{warning}");
    }
    report_memory(&info);
    init_devices(&info);
    if let Some(rtc) = info.rtc {
        hal::rtc::init(rtc.region.start as usize);
    }
    time::init();
    mm::vdso::init();
    net::init(line.ip.as_deref());
    sched::init(info.harts.len());
    irq::init();
    smp::start_secondaries(&info);
    log::info!("scheduler running on {} harts", hal::cpu::online_harts().count());
    sched::spawn("init", move || init_main(line)).expect("no memory for init");
    sched::idle_loop()
}

fn secondary_main(hart_index: usize) -> ! {
    hal::plic::init_hart();
    irq::init_hart();
    log::debug!("hart {} online as cpu {hart_index}", hal::cpu::hart_id());
    sched::idle_loop()
}

fn report_memory(info: &BootInfo) {
    let ram: u64 = info.memory.iter().map(|r| r.size).sum();
    for region in &info.memory {
        log::info!("memory: {:#x}..{:#x} ({} MiB)", region.start, region.end(), region.size >> 20);
    }
    log::info!(
        "memory: {} MiB RAM, {} MiB free after the kernel; {} harts; timebase {} Hz",
        ram >> 20,
        (hal::memory::frame::free_pages() * 4096) >> 20,
        info.harts.len(),
        info.timebase_hz
    );
    if let Some(initrd) = info.initrd {
        log::info!("initrd: {:#x}..{:#x} ({} KiB)", initrd.start, initrd.end(), initrd.size >> 10);
    }
}

fn init_devices(info: &BootInfo) {
    let hart_ids: alloc::vec::Vec<usize> = info.harts.iter().map(|h| h.id).collect();
    if let Some(plic) = &info.plic {
        hal::plic::init(plic, &smp::boot_order(&hart_ids));
        hal::plic::init_hart();
    } else {
        log::warn!("no PLIC in the device tree: no device interrupts");
    }
    hal::virtio::init(&info.virtio_mmio);
    match info.uart {
        Some(uart) => {
            let device = hal::uart::Ns16550::new(uart.device.region.start as usize, uart.reg_shift);
            device.init();
            hal::console::use_uart(device);
            if let Some(irq) = uart.device.irq {
                hal::plic::enable(irq, 0);
                irq::set_uart_irq(irq);
            }
            log::info!("console: ns16550a at {:#x}", uart.device.region.start);
        }
        None => log::warn!("no UART in the device tree: console stays on the firmware"),
    }
}

/// The first kernel thread: runs the self tests the command line asks
/// for, unpacks the initramfs and starts the first user program.
fn init_main(line: &'static CommandLine) {
    if let Some(test) = &line.test {
        selftest::run(test);
    }
    if let Err(error) = fs::init() {
        log::error!("initramfs: {error:?}");
    }
    init::start(line);
}
