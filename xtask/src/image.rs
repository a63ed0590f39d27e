//! Turns the linked kernel ELF into a flat `Image` (what `-kernel` loads at
//! 0x80200000, starting with the RISC-V Linux header from boot.S) and
//! writes the symbol table the panic handler reads into its `.ksyms`
//! section.

use anyhow::{bail, Context, Result};
use object::{Object, ObjectSection, ObjectSegment, ObjectSymbol, SymbolKind};
use std::path::Path;

const SYMBOL_MAGIC: &[u8; 4] = b"GSYM";

pub fn write_image(elf_path: &Path, image_path: &Path) -> Result<()> {
    let data = std::fs::read(elf_path).with_context(|| format!("reading {}", elf_path.display()))?;
    let elf = object::File::parse(&*data).context("parsing the kernel ELF")?;
    let base = elf
        .symbols()
        .find(|s| s.name() == Ok("__kernel_start"))
        .map(|s| s.address())
        .context("no __kernel_start symbol")?;
    let mut image = Vec::new();
    for segment in elf.segments() {
        let bytes = segment.data()?;
        if bytes.is_empty() {
            continue;
        }
        let offset = (segment.address() - base) as usize;
        if image.len() < offset + bytes.len() {
            image.resize(offset + bytes.len(), 0);
        }
        image[offset..offset + bytes.len()].copy_from_slice(bytes);
    }
    let ksyms = elf.section_by_name(".ksyms").context("no .ksyms section")?;
    let table = symbol_table(&elf, base)?;
    if table.len() as u64 > ksyms.size() {
        bail!("symbol table ({} bytes) does not fit .ksyms ({} bytes)", table.len(), ksyms.size());
    }
    let at = (ksyms.address() - base) as usize;
    image[at..at + table.len()].copy_from_slice(&table);
    std::fs::write(image_path, &image).with_context(|| format!("writing {}", image_path.display()))?;
    Ok(())
}

/// Function symbols sorted by address, with demangled names (without the
/// hash suffix), in the layout hal/src/backtrace.rs reads.
fn symbol_table(elf: &object::File, base: u64) -> Result<Vec<u8>> {
    let text_section = elf.section_by_name(".text").map(|s| s.index());
    let mut functions: Vec<(u32, u32, String)> = elf
        .symbols()
        .filter(|s| {
            // Assembly entry points carry no type, only their section.
            let in_text = s.section_index().is_some() && s.section_index() == text_section;
            let code = s.kind() == SymbolKind::Text || (in_text && s.kind() == SymbolKind::Unknown);
            code && s.address() >= base && !s.name().is_ok_and(|n| n.starts_with(".L") || n.starts_with('$'))
        })
        .filter_map(|s| {
            let name = s.name().ok()?;
            let offset = u32::try_from(s.address() - base).ok()?;
            Some((offset, s.size() as u32, format!("{:#}", rustc_demangle::demangle(name))))
        })
        .collect();
    functions.sort();
    functions.dedup_by_key(|f| f.0);
    // Assembly labels have no size: they run to the next symbol.
    for i in 0..functions.len() {
        if functions[i].1 == 0 {
            let next = functions.get(i + 1).map_or(functions[i].0 + 4, |f| f.0);
            functions[i].1 = next - functions[i].0;
        }
    }
    let header = 8 + functions.len() * 16;
    let mut names = Vec::new();
    let mut table = Vec::with_capacity(header);
    table.extend_from_slice(SYMBOL_MAGIC);
    table.extend_from_slice(&(functions.len() as u32).to_le_bytes());
    for (offset, size, name) in &functions {
        let name_offset = (header + names.len()) as u32;
        table.extend_from_slice(&offset.to_le_bytes());
        table.extend_from_slice(&size.to_le_bytes());
        table.extend_from_slice(&name_offset.to_le_bytes());
        table.extend_from_slice(&(name.len() as u32).to_le_bytes());
        names.extend_from_slice(name.as_bytes());
    }
    table.extend_from_slice(&names);
    Ok(table)
}
