//! virtio over MMIO: the `virtio-drivers` crate's `Hal` (DMA memory from
//! the page allocator, addresses through the direct map) and the
//! transports of the `virtio,mmio` slots the device tree lists, each
//! handed out at most once so its registers have one owner.

use crate::arch::layout::{phys_to_virt, virt_to_phys, DIRECT_MAP_BASE, DIRECT_MAP_SIZE, KERNEL_BASE};
use crate::memory::frame::{self, PAGE_SIZE};
use crate::sync::SpinLock;
use alloc::vec::Vec;
use core::ptr::NonNull;
use platform::MmioDevice;
use virtio_drivers::transport::mmio::{MmioTransport, VirtIOHeader};
use virtio_drivers::transport::{DeviceType, Transport};
use virtio_drivers::{BufferDirection, PhysAddr};

/// The `Hal` goose's virtio drivers run on.
pub struct VirtioHal;

// SAFETY: dma_alloc returns zeroed, page-aligned, physically contiguous
// pages owned by nobody else until dma_dealloc; the direct map makes the
// virtual address valid for them. share translates addresses the device
// can use for the whole buffer (see `physical_address`).
unsafe impl virtio_drivers::Hal for VirtioHal {
    fn dma_alloc(pages: usize, _direction: BufferDirection) -> (PhysAddr, NonNull<u8>) {
        let Some(pa) = frame::alloc_contiguous(pages) else {
            // virtio-drivers reads a zero physical address as failure.
            return (0, NonNull::dangling());
        };
        let va = phys_to_virt(pa) as *mut u8;
        // SAFETY: the pages were just allocated, so nothing else uses them,
        // and the direct map covers all of RAM.
        unsafe { core::ptr::write_bytes(va, 0, pages * PAGE_SIZE) };
        // `va` is in the direct map, never null.
        (pa as PhysAddr, NonNull::new(va).unwrap_or(NonNull::dangling()))
    }

    unsafe fn dma_dealloc(paddr: PhysAddr, _vaddr: NonNull<u8>, pages: usize) -> i32 {
        frame::free_contiguous(paddr as usize, pages);
        0
    }

    unsafe fn mmio_phys_to_virt(paddr: PhysAddr, _size: usize) -> NonNull<u8> {
        // Only the PCI transport asks; the direct map covers device memory
        // below the end of RAM.
        NonNull::new(phys_to_virt(paddr as usize) as *mut u8).unwrap_or(NonNull::dangling())
    }

    unsafe fn share(buffer: NonNull<[u8]>, _direction: BufferDirection) -> PhysAddr {
        // No IOMMU and coherent DMA: the device reads and writes the buffer
        // where it is.
        physical_address(buffer.as_ptr() as *mut u8 as usize) as PhysAddr
    }

    unsafe fn unshare(_paddr: PhysAddr, _buffer: NonNull<[u8]>, _direction: BufferDirection) {}
}

/// The physical address of a kernel buffer. Kernel data lives in the
/// direct map (heap, kernel stacks, frames) or in the kernel image (the
/// boot heap arena, statics); both are physically contiguous, so a buffer
/// inside one of them is contiguous too.
fn physical_address(va: usize) -> usize {
    if va >= KERNEL_BASE {
        crate::memory::kernel_image_phys(va)
    } else {
        debug_assert!((DIRECT_MAP_BASE..DIRECT_MAP_BASE + DIRECT_MAP_SIZE).contains(&va));
        virt_to_phys(va)
    }
}

/// A virtio-mmio slot from the device tree, before its transport is taken.
struct Slot {
    device: MmioDevice,
    is_taken: bool,
}

static SLOTS: SpinLock<Vec<Slot>> = SpinLock::new(Vec::new());

/// Records the `virtio,mmio` slots of the device tree.
pub fn init(devices: &[MmioDevice]) {
    let mut slots = SLOTS.lock();
    slots.clear();
    slots.extend(devices.iter().map(|&device| Slot { device, is_taken: false }));
}

/// A virtio device found in a slot: its type, its interrupt line and its
/// transport (which owns the slot's registers).
pub struct Found {
    pub device_type: DeviceType,
    pub irq: Option<u32>,
    pub base: u64,
    pub transport: MmioTransport<'static>,
}

/// Takes the transport of the first free slot that holds a device of type
/// `wanted` (empty slots report device id 0 and are skipped).
pub fn take(wanted: DeviceType) -> Option<Found> {
    let mut slots = SLOTS.lock();
    for slot in slots.iter_mut().filter(|slot| !slot.is_taken) {
        let region = slot.device.region;
        let Some(header) = NonNull::new(phys_to_virt(region.start as usize) as *mut VirtIOHeader) else {
            continue;
        };
        // SAFETY: the region is a virtio-mmio slot from the device tree,
        // inside the direct map and aligned (slots are 0x200 apart); it
        // is not taken, so no other transport reaches these registers,
        // and a transport that is returned marks the slot taken for good
        // ('static: the mapping never goes away).
        let transport = match unsafe { MmioTransport::new(header, region.size as usize) } {
            Ok(transport) => transport,
            // An empty slot (device id 0) or a bad magic value.
            Err(_) => continue,
        };
        if transport.device_type() != wanted {
            continue;
        }
        slot.is_taken = true;
        return Some(Found { device_type: wanted, irq: slot.device.irq, base: region.start, transport });
    }
    None
}
