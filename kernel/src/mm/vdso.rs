//! The vDSO in every address space, as Linux riscv64 maps it: [vvar]
//! (two read-only pages, the first holding the clock data the kernel
//! keeps current) directly followed by [vdso] (the code, read-execute),
//! placed by exec in the mmap area and announced with AT_SYSINFO_EHDR.
//! The image is built once at boot by `libs/vdso`; one physical page of
//! code and one of data are shared by every process.
//!
//! Signal handlers return through the vDSO's `__vdso_rt_sigreturn`, as
//! on Linux (`ra` is set to it when a handler frame is pushed).

use super::vm::{AreaKind, Protection, Vm, PAGE_SIZE};
use crate::error::Result;
use core::sync::atomic::{fence, Ordering};
use hal::memory::page::Page;
use hal::sync::SpinLock;
use spin::Once;
use vdso::data_page as data;

struct Shared {
    code: Page,
    data: Page,
    /// Bytes of [vdso] (whole pages).
    code_size: usize,
    sigreturn_offset: usize,
}

static SHARED: Once<Shared> = Once::new();
/// The data page's sequence count; the lock serializes its writers.
static SEQUENCE: SpinLock<u64> = SpinLock::new(0);

/// Builds the image and fills the data page. Called once at boot, after
/// the clock is set (time::init) and before the first exec.
pub fn init() {
    let shared = SHARED.call_once(|| {
        let image = vdso::build();
        // The image is a few KiB (its tests check one page); a failure
        // here is a bug at boot, not something user space can cause.
        assert!(image.bytes.len() <= PAGE_SIZE, "vDSO image larger than a page");
        let code = Page::alloc_zeroed().expect("no memory for the vDSO");
        code.write(0, &image.bytes);
        let data = Page::alloc_zeroed().expect("no memory for the vDSO data page");
        Shared { code, data, code_size: PAGE_SIZE, sigreturn_offset: image.sigreturn_offset() }
    });
    log::debug!("vDSO: {} bytes of code, rt_sigreturn at +{:#x}", shared.code_size, shared.sigreturn_offset);
    publish_time();
}

/// Writes the clock data the vDSO reads: call whenever the wall-clock
/// offset changes (settimeofday, clock_settime).
pub fn publish_time() {
    let Some(shared) = SHARED.get() else { return };
    let frequency = hal::timer::frequency();
    // Too fast a timebase for the vDSO's exact 64-bit conversion: 0
    // sends every call to the system call.
    let frequency = if frequency <= data::MAX_TIMEBASE_HZ { frequency } else { 0 };
    let offset_ns = crate::time::realtime_offset_ns();
    let mut sequence = SEQUENCE.lock();
    *sequence += 1;
    shared.data.store_u64(data::SEQUENCE, *sequence, Ordering::Relaxed);
    // Readers that see the new fields must see the odd count first.
    fence(Ordering::SeqCst);
    let page = &shared.data;
    page.store_u64(data::TIMEBASE_HZ, frequency, Ordering::Relaxed);
    page.store_u64(data::REALTIME_OFFSET_SEC, offset_ns / 1_000_000_000, Ordering::Relaxed);
    page.store_u64(data::REALTIME_OFFSET_NSEC, offset_ns % 1_000_000_000, Ordering::Relaxed);
    page.store_u64(data::COARSE_RESOLUTION_NS, 1_000_000_000 / crate::irq::TICK_HZ, Ordering::Relaxed);
    page.store_u64(data::NS_PER_TICK, data::ns_per_tick(frequency), Ordering::Relaxed);
    page.store_u64(data::DIVIDE_BY_1E9, data::DIVIDE_BY_1E9_MULTIPLIER, Ordering::Relaxed);
    *sequence += 1;
    shared.data.store_u64(data::SEQUENCE, *sequence, Ordering::Release);
}

/// Maps [vvar] and [vdso] into `vm` at the top of the free mmap area
/// (below the dynamic linker, as Linux places them); returns the address
/// of [vdso], the ELF header AT_SYSINFO_EHDR points at.
pub fn map(vm: &mut Vm) -> Result<usize> {
    let Some(shared) = SHARED.get() else { return Ok(0) };
    let size = data::VVAR_SIZE + shared.code_size;
    let start = vm.find_free(size).ok_or(abi::Errno::ENOMEM)?;
    let code_start = start + data::VVAR_SIZE;
    let read_only = Protection { read: true, write: false, execute: false };
    vm.map(start, code_start, read_only, false, AreaKind::Vvar);
    let read_execute = Protection { read: true, write: false, execute: true };
    vm.map(code_start, code_start + shared.code_size, read_execute, false, AreaKind::Vdso);
    // Private, never writable: an mprotect(PROT_WRITE) by the process
    // makes the next write copy the page, so the shared ones never change.
    vm.map_file_page(start, shared.data.clone())?;
    vm.map_file_page(code_start, shared.code.clone())?;
    vm.vdso_base = Some(code_start);
    Ok(code_start)
}

/// Where a signal handler returns to in an address space whose [vdso]
/// is at `base`.
pub fn sigreturn_address(base: usize) -> usize {
    base + SHARED.get().map_or(0, |shared| shared.sigreturn_offset)
}
