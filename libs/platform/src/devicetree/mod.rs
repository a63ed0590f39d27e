//! Walks the flattened device tree and fills a [`BootInfo`].
//!
//! Addresses are decoded here with the parent's `#address-cells` and
//! `#size-cells` (the `fdt` crate's own helpers give up on some shapes), and
//! every missing or malformed node turns into a warning plus a safe default
//! rather than a failure, except for what goose cannot boot without (RAM).

use crate::region::normalize;
use crate::{BootInfo, Hart, MmioDevice, Plic, Region, Uart};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use fdt::node::FdtNode;
use fdt::Fdt;

/// Why the device tree could not describe a bootable machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// The blob is not a flattened device tree (bad magic, truncated header).
    NotADeviceTree,
    /// No usable `/memory` node.
    NoMemory,
}

/// The timebase QEMU's virt machine uses, taken when the tree has none.
const DEFAULT_TIMEBASE_HZ: u64 = 10_000_000;

#[derive(Clone, Copy)]
struct Cells {
    address: usize,
    size: usize,
}

/// Parses a device-tree blob into a [`BootInfo`].
pub fn parse(blob: &[u8]) -> Result<BootInfo, ParseError> {
    let fdt = Fdt::new(blob).map_err(|_| ParseError::NotADeviceTree)?;
    let mut info = BootInfo::default();
    let root = fdt.find_node("/").ok_or(ParseError::NotADeviceTree)?;
    let root_cells = child_cells(&root, Cells { address: 2, size: 1 });
    walk(&fdt, root, root_cells, &mut info, 0);

    for reservation in fdt.memory_reservations() {
        let start = reservation.address() as u64;
        info.reserved.push(Region::new(start, reservation.size() as u64));
    }
    normalize(&mut info.memory);
    normalize(&mut info.reserved);
    if info.memory.is_empty() {
        return Err(ParseError::NoMemory);
    }
    read_chosen(&fdt, &mut info);
    read_cpus(&fdt, &mut info);
    info.virtio_mmio.sort_by_key(|d| d.region.start);
    Ok(info)
}

/// The `#address-cells`/`#size-cells` a node gives its children.
fn child_cells(node: &FdtNode, inherited: Cells) -> Cells {
    Cells {
        address: u32_property(node, "#address-cells").map_or(inherited.address, |v| v as usize),
        size: u32_property(node, "#size-cells").map_or(inherited.size, |v| v as usize),
    }
}

fn u32_property(node: &FdtNode, name: &str) -> Option<u32> {
    let value = node.property(name)?.value;
    Some(u32::from_be_bytes(value.get(..4)?.try_into().ok()?))
}

fn string_property<'a>(node: &FdtNode<'_, 'a>, name: &str) -> Option<&'a str> {
    let value = node.property(name)?.value;
    let text = value.split(|&b| b == 0).next()?;
    core::str::from_utf8(text).ok()
}

/// Reads a big-endian number of `cells` 32-bit cells; more than two do not
/// fit an address here.
fn read_cells(bytes: &[u8], cells: usize) -> Option<u64> {
    if cells > 2 || bytes.len() < cells * 4 {
        return None;
    }
    Some(bytes[..cells * 4].chunks(4).fold(0u64, |acc, chunk| {
        (acc << 32) | u64::from(u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
    }))
}

/// Decodes a node's `reg` into regions, given its parent's cell sizes.
fn reg_regions(node: &FdtNode, cells: Cells) -> Option<Vec<Region>> {
    let value = node.property("reg")?.value;
    let entry = (cells.address + cells.size) * 4;
    if entry == 0 || value.len() % entry != 0 || cells.address > 2 || cells.size > 2 {
        return None;
    }
    value
        .chunks(entry)
        .map(|chunk| {
            let start = read_cells(chunk, cells.address)?;
            let size = read_cells(&chunk[cells.address * 4..], cells.size)?;
            Some(Region::new(start, size))
        })
        .collect()
}

fn first_reg(node: &FdtNode, cells: Cells, info: &mut BootInfo) -> Option<Region> {
    let region = reg_regions(node, cells).and_then(|r| r.first().copied());
    if region.is_none() {
        info.warnings.push(format!("device tree: node {} has no usable reg, ignored", node.name));
    }
    region
}

fn is_compatible(node: &FdtNode, names: &[&str]) -> bool {
    node.compatible().is_some_and(|c| c.all().any(|have| names.contains(&have)))
}

fn is_enabled(node: &FdtNode) -> bool {
    matches!(string_property(node, "status"), None | Some("okay") | Some("ok"))
}

fn mmio_device(node: &FdtNode, cells: Cells, info: &mut BootInfo) -> Option<MmioDevice> {
    let region = first_reg(node, cells, info)?;
    Some(MmioDevice { region, irq: u32_property(node, "interrupts") })
}

/// Depth-first walk recording the nodes goose knows; `cells` are the parent's.
fn walk(fdt: &Fdt, node: FdtNode, cells: Cells, info: &mut BootInfo, depth: usize) {
    // A corrupt tree could nest without end; real ones are a few levels deep.
    if depth > 16 {
        info.warnings.push(String::from("device tree: nesting deeper than 16 levels ignored"));
        return;
    }
    if depth > 0 && is_enabled(&node) {
        record(fdt, &node, cells, info);
    }
    let children_cells = child_cells(&node, Cells { address: 2, size: 1 });
    for child in node.children() {
        walk(fdt, child, children_cells, info, depth + 1);
    }
}

fn record(fdt: &Fdt, node: &FdtNode, cells: Cells, info: &mut BootInfo) {
    let name = node.name.split('@').next().unwrap_or("");
    if string_property(node, "device_type") == Some("memory") {
        match reg_regions(node, cells) {
            Some(regions) => info.memory.extend(regions),
            None => info.warnings.push(format!("device tree: memory node {} has a bad reg", node.name)),
        }
        return;
    }
    if name == "reserved-memory" {
        let child = child_cells(node, cells);
        for reserved in node.children() {
            if let Some(regions) = reg_regions(&reserved, child) {
                info.reserved.extend(regions);
            }
        }
        return;
    }
    if is_compatible(node, &["ns16550a", "ns16550"]) && info.uart.is_none() {
        if let Some(device) = mmio_device(node, cells, info) {
            let reg_shift = u32_property(node, "reg-shift").unwrap_or(0);
            info.uart = Some(Uart { device, reg_shift });
        }
    } else if is_compatible(node, &["riscv,plic0", "sifive,plic-1.0.0"]) {
        if let Some(region) = first_reg(node, cells, info) {
            let source_count = u32_property(node, "riscv,ndev").unwrap_or(0);
            let supervisor_contexts = plic_contexts(fdt, node);
            info.plic = Some(Plic { region, source_count, supervisor_contexts });
        }
    } else if is_compatible(node, &["riscv,clint0", "sifive,clint0"]) {
        info.clint = first_reg(node, cells, info);
    } else if is_compatible(node, &["google,goldfish-rtc"]) {
        info.rtc = mmio_device(node, cells, info);
    } else if is_compatible(node, &["sifive,test0", "sifive,test1"]) {
        info.test_device = first_reg(node, cells, info);
    } else if is_compatible(node, &["virtio,mmio"]) {
        if let Some(device) = mmio_device(node, cells, info) {
            info.virtio_mmio.push(device);
        }
    }
}

/// Maps PLIC contexts to harts: the n-th `(phandle, irq)` pair of
/// `interrupts-extended` is context n, and irq 9 is the supervisor external
/// interrupt of the hart whose local controller has that phandle.
fn plic_contexts(fdt: &Fdt, plic: &FdtNode) -> Vec<(usize, usize)> {
    const SUPERVISOR_EXTERNAL: u32 = 9;
    let Some(property) = plic.property("interrupts-extended") else {
        return Vec::new();
    };
    let mut contexts = Vec::new();
    for (index, pair) in property.value.chunks_exact(8).enumerate() {
        let phandle = u32::from_be_bytes([pair[0], pair[1], pair[2], pair[3]]);
        let irq = u32::from_be_bytes([pair[4], pair[5], pair[6], pair[7]]);
        if irq != SUPERVISOR_EXTERNAL {
            continue;
        }
        if let Some(hart) = hart_of_intc(fdt, phandle) {
            contexts.push((hart, index));
        }
    }
    contexts
}

fn hart_of_intc(fdt: &Fdt, phandle: u32) -> Option<usize> {
    let cpus = fdt.find_node("/cpus")?;
    cpus.children().find_map(|cpu| {
        cpu.children().find(|c| u32_property(c, "phandle") == Some(phandle))?;
        u32_property(&cpu, "reg").map(|id| id as usize)
    })
}

fn read_cpus(fdt: &Fdt, info: &mut BootInfo) {
    let Some(cpus) = fdt.find_node("/cpus") else {
        info.warnings.push(String::from("device tree: no /cpus node, assuming hart 0 alone"));
        info.harts.push(Hart { id: 0, intc_phandle: None, has_sstc: false });
        info.timebase_hz = DEFAULT_TIMEBASE_HZ;
        return;
    };
    let mut timebase = u32_property(&cpus, "timebase-frequency").map(u64::from);
    for cpu in cpus.children() {
        if string_property(&cpu, "device_type") != Some("cpu") || !is_enabled(&cpu) {
            continue;
        }
        let Some(id) = u32_property(&cpu, "reg") else {
            info.warnings.push(format!("device tree: {} has no reg, ignored", cpu.name));
            continue;
        };
        timebase = timebase.or(u32_property(&cpu, "timebase-frequency").map(u64::from));
        let intc_phandle = cpu
            .children()
            .find(|c| is_compatible(c, &["riscv,cpu-intc"]))
            .and_then(|c| u32_property(&c, "phandle"));
        let has_sstc = string_property(&cpu, "riscv,isa").is_some_and(isa_has_sstc)
            || cpu
                .property("riscv,isa-extensions")
                .is_some_and(|p| p.value.split(|&b| b == 0).any(|ext| ext == b"sstc"));
        info.harts.push(Hart { id: id as usize, intc_phandle, has_sstc });
    }
    if info.harts.is_empty() {
        info.warnings.push(String::from("device tree: no usable cpu, assuming hart 0 alone"));
        info.harts.push(Hart { id: 0, intc_phandle: None, has_sstc: false });
    }
    info.timebase_hz = match timebase {
        Some(hz) if hz > 0 => hz,
        _ => {
            info.warnings.push(String::from("device tree: no timebase-frequency, assuming 10 MHz"));
            DEFAULT_TIMEBASE_HZ
        }
    };
}

/// Whether a `riscv,isa` string such as `rv64imafdc_zicsr_sstc` names Sstc.
fn isa_has_sstc(isa: &str) -> bool {
    isa.split('_').skip(1).any(|ext| ext.eq_ignore_ascii_case("sstc"))
}

fn read_chosen(fdt: &Fdt, info: &mut BootInfo) {
    let Some(chosen) = fdt.find_node("/chosen") else {
        return;
    };
    if let Some(args) = string_property(&chosen, "bootargs") {
        info.bootargs = String::from(args);
    }
    let number = |name: &str| {
        let value = chosen.property(name)?.value;
        read_cells(value, value.len() / 4)
    };
    match (number("linux,initrd-start"), number("linux,initrd-end")) {
        (Some(start), Some(end)) if end > start => {
            let initrd = Region::new(start, end - start);
            if info.memory.iter().any(|ram| ram.contains_region(&initrd)) {
                info.initrd = Some(initrd);
            } else {
                info.warnings
                    .push(format!("device tree: initrd {start:#x}..{end:#x} is outside RAM, ignored"));
            }
        }
        (None, None) => {}
        _ => info.warnings.push(String::from("device tree: malformed initrd range, ignored")),
    }
}

#[cfg(test)]
mod tests;
