//! The Rust side of boot: what every hart does between boot.S and the
//! kernel's main functions.

use crate::arch::csr::{self, sstatus_bits};
use crate::arch::layout::phys_to_virt;
use crate::arch::trap;
use crate::cpu::{self, PerHart};
use crate::memory;
use platform::{BootInfo, Region};

core::arch::global_asm!(include_str!("arch/riscv64/boot.S"));

extern "Rust" {
    /// The kernel's main function (defined by [`entry_points!`]).
    fn __goose_primary_main(info: BootInfo) -> !;
    /// What each secondary hart runs once it is up.
    fn __goose_secondary_main(hart_index: usize) -> !;
}

/// Names the kernel's entry points for the hal.
#[macro_export]
macro_rules! entry_points {
    (primary: $primary:path, secondary: $secondary:path $(,)?) => {
        #[allow(unsafe_code)]
        #[no_mangle]
        fn __goose_primary_main(info: $crate::BootInfo) -> ! {
            $primary(info)
        }
        #[allow(unsafe_code)]
        #[no_mangle]
        fn __goose_secondary_main(hart_index: usize) -> ! {
            $secondary(hart_index)
        }
    };
}

/// The largest device tree goose accepts (QEMU's are 1 MiB at most).
const MAX_DEVICE_TREE: usize = 2 << 20;

/// Common start of every hart: traps, the FPU off for kernel code, user
/// pages reachable by the user-copy routines, the `time` CSR readable
/// from user mode (the vDSO).
fn init_hart() {
    trap::init();
    csr::set_fp_state(sstatus_bits::FS_OFF);
    csr::allow_user_access();
    csr::allow_user_time_reads();
}

#[no_mangle]
extern "C" fn hal_primary_entry(hart_id: usize, device_tree_pa: usize, kernel_pa: usize) -> ! {
    cpu::install(0, hart_id, false);
    init_hart();
    memory::heap::init();
    let tree = device_tree(device_tree_pa);
    let info = match platform::parse(tree) {
        Ok(info) => info,
        Err(error) => panic!("device tree at {device_tree_pa:#x} unusable: {error:?}"),
    };
    let has_sstc = info.harts.iter().find(|h| h.id == hart_id).is_some_and(|h| h.has_sstc);
    cpu::install(0, hart_id, has_sstc);
    cpu::set_online(0);
    crate::timer::set_frequency(info.timebase_hz);
    let tree_region = Region::new(device_tree_pa as u64, tree.len() as u64);
    memory::init(&info, kernel_pa, tree_region);
    if let Some(device) = info.test_device {
        crate::power::set_test_device(device.start as usize);
    }
    // SAFETY: the kernel defines this function through entry_points!, with
    // this signature.
    unsafe { __goose_primary_main(info) }
}

/// The device tree blob the firmware passed, as a slice of its declared
/// size (checked against a sane maximum).
fn device_tree(pa: usize) -> &'static [u8] {
    const MAGIC: u32 = 0xd00d_feed;
    if pa == 0 || !pa.is_multiple_of(8) || pa >= crate::arch::layout::DIRECT_MAP_SIZE {
        panic!("no device tree: firmware passed {pa:#x}");
    }
    let header = phys_to_virt(pa) as *const u32;
    // SAFETY: the direct map covers the address (checked above), and the
    // firmware placed the tree's header there.
    let (magic, size) = unsafe { (u32::from_be(header.read()), u32::from_be(header.add(1).read())) };
    if magic != MAGIC {
        panic!("no device tree at {pa:#x}: magic {magic:#x}");
    }
    let size = (size as usize).clamp(8, MAX_DEVICE_TREE);
    // SAFETY: the firmware's tree occupies `size` bytes from `pa`; it is
    // kept out of the page allocator (memory::init), so nothing writes it.
    unsafe { core::slice::from_raw_parts(header as *const u8, size) }
}

/// Brings up hart `hart_id` as dense index `index`.
pub fn start_secondary(index: usize, hart_id: usize, has_sstc: bool) -> Result<(), &'static str> {
    extern "C" {
        fn _secondary_start();
    }
    if index >= cpu::MAX_HARTS {
        return Err("more harts than goose supports");
    }
    let pages = crate::task::KERNEL_STACK_SIZE / memory::frame::PAGE_SIZE;
    let stack = memory::frame::alloc_contiguous(pages).ok_or("no memory for the hart's stack")?;
    let stack_top = phys_to_virt(stack) + crate::task::KERNEL_STACK_SIZE;
    let block: &PerHart = cpu::prepare(index, hart_id, stack_top);
    block.has_sstc.set(has_sstc);
    let entry = memory::kernel_image_phys(_secondary_start as *const () as usize);
    let opaque = block as *const PerHart as usize;
    // A start can be lost (the hart lottery in boot.S parks a hart the
    // firmware sent to the wrong entry): if the hart is back in the
    // stopped state without having come online, start it again.
    for _ in 0..3 {
        if crate::arch::sbi::hart_start(hart_id, entry, opaque).is_err() {
            break;
        }
        let deadline = crate::timer::now() + crate::timer::frequency();
        while crate::timer::now() < deadline {
            if cpu::is_online(index) {
                return Ok(());
            }
            if crate::timer::now() > deadline - crate::timer::frequency() / 2
                && crate::arch::sbi::hart_is_stopped(hart_id)
            {
                break;
            }
            core::hint::spin_loop();
        }
    }
    memory::frame::free_contiguous(stack, pages);
    Err("the hart did not come online")
}

#[no_mangle]
extern "C" fn hal_secondary_entry(hart_id: usize, block: &'static PerHart) -> ! {
    let index = block.index();
    cpu::install(index, hart_id, block.has_sstc.get());
    memory::activate_kernel_table();
    init_hart();
    cpu::set_online(index);
    // SAFETY: defined by the kernel through entry_points!.
    unsafe { __goose_secondary_main(index) }
}
