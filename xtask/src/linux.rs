//! Debian's riscv64 Linux kernel, the oracle goose is compared with:
//! fetched through the private apt root, its bootable Image and the
//! modules for virtio-mmio, virtio-blk, virtio-net and ext4 (decompressed,
//! in load order) cached per kernel version; and a QEMU boot check.

use crate::debian::{self, AptRoot, Package};
use crate::linux_modules::{self, ModuleIndex};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The metapackage that depends on the current kernel package.
const METAPACKAGE: &str = "linux-image-riscv64";
/// Drivers the initramfs loads on Linux (their dependencies come along).
pub const ROOT_MODULES: &[&str] = &["virtio_mmio", "virtio_blk", "virtio_net", "ext4"];

/// A cached kernel, ready for `qemu-system-riscv64 -kernel`.
#[derive(Clone, Debug)]
pub struct LinuxKernel {
    /// The flat RISC-V `Image` (with its EFI stub) QEMU's -kernel loads.
    pub image: PathBuf,
    /// The release, as `uname -r` prints it.
    pub version: String,
    /// `package=version` of the Debian package it came from.
    pub package: String,
    /// Modules in load order: dependencies first.
    pub modules: Vec<KernelModule>,
}

/// One decompressed kernel module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelModule {
    /// `ext4`, as lsmod shows it.
    pub name: String,
    /// The `.ko` on the host.
    pub path: PathBuf,
    /// Path under /lib/modules/<version>/: `kernel/fs/ext4/ext4.ko`.
    pub relative_path: String,
    /// Names of the modules it needs loaded first (modules.dep).
    pub depends: Vec<String>,
}

/// Fetches (or finds in the cache) the current stable kernel.
pub fn fetch() -> Result<LinuxKernel> {
    fetch_with(&AptRoot::open()?)
}

/// [`fetch`] with an apt root already open.
pub fn fetch_with(apt: &AptRoot) -> Result<LinuxKernel> {
    let name = apt
        .candidate(METAPACKAGE)?
        .depends
        .into_iter()
        .find(|d| d.starts_with("linux-image-") && d.ends_with("-riscv64"))
        .with_context(|| format!("{METAPACKAGE} depends on no linux-image-*-riscv64"))?;
    let package = apt.candidate(&name)?.package;
    let dir = debian::cache_dir()?.join("linux").join(format!("{}_{}", package.name, package.version));
    let manifest = dir.join("kernel.txt");
    if let Ok(text) = std::fs::read_to_string(&manifest) {
        return read_manifest(&dir, &text);
    }
    let kernel = unpack(apt, &package, &dir)?;
    std::fs::write(&manifest, write_manifest(&kernel))?;
    Ok(kernel)
}

/// Downloads and unpacks the kernel package into `dir`: Image, modules.
fn unpack(apt: &AptRoot, package: &Package, dir: &Path) -> Result<LinuxKernel> {
    debian::ensure_host_tools(&[("depmod", "kmod"), ("xz", "xz-utils"), ("gzip", "gzip")])?;
    let deb = apt.download(std::slice::from_ref(package))?.remove(0);
    let staging = dir.join("staging");
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging)?;
    eprintln!("xtask: unpacking {}", deb.display());
    run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&staging))?;

    // Debian 13 ships modules under /usr/lib; older releases under /lib.
    let base = [staging.join("usr"), staging.clone()]
        .into_iter()
        .find(|base| base.join("lib/modules").is_dir())
        .context("the kernel package has no lib/modules")?;
    let mut versions: Vec<String> = std::fs::read_dir(base.join("lib/modules"))?
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    let version = match versions.as_mut_slice() {
        [one] => std::mem::take(one),
        _ => bail!("expected one kernel version in lib/modules, found {versions:?}"),
    };

    let image = dir.join("Image");
    write_image(&staging.join("boot"), &version, &image)?;

    // The package has no modules.dep: depmod makes it (and the alias and
    // softdep tables) from the modules themselves.
    eprintln!("xtask: depmod {version}");
    run(Command::new("depmod").arg("-b").arg(&base).arg(&version))?;
    let modules_dir = base.join("lib/modules").join(&version);
    let index = ModuleIndex::read(&modules_dir)?;
    let mut modules = Vec::new();
    for name in index.load_order(ROOT_MODULES)? {
        let compressed = index.path(&name).context("module vanished from the index")?;
        let relative_path = linux_modules::uncompressed_name(compressed);
        let path = dir.join("modules").join(&relative_path);
        std::fs::create_dir_all(path.parent().context("module path has no parent")?)?;
        decompress(&modules_dir.join(compressed), &path)?;
        let depends = index.depends(&name).to_vec();
        modules.push(KernelModule { name, path, relative_path, depends });
    }
    std::fs::remove_dir_all(&staging)?;
    Ok(LinuxKernel { image, version, package: format!("{}={}", package.name, package.version), modules })
}

/// Finds /boot/vmlinu[xz]-<version> and writes it as a raw Image.
fn write_image(boot: &Path, version: &str, image: &Path) -> Result<()> {
    let source = ["vmlinuz", "vmlinux"]
        .iter()
        .map(|stem| boot.join(format!("{stem}-{version}")))
        .find(|path| path.exists())
        .with_context(|| format!("no vmlinuz-{version} or vmlinux-{version} in the package's /boot"))?;
    let mut bytes = std::fs::read(&source)?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let output = Command::new("gzip").arg("-dc").arg(&source).output().context("running gzip")?;
        if !output.status.success() {
            bail!("gzip -dc {} failed", source.display());
        }
        bytes = output.stdout;
    }
    if image_format(&bytes).is_none() {
        bail!("{} is not a RISC-V Image (is it an ELF vmlinux?)", source.display());
    }
    std::fs::write(image, &bytes)?;
    Ok(())
}

/// Describes a RISC-V Linux `Image` (Documentation/arch/riscv/boot-image-
/// header.rst: "RSC\x05" at 0x38; an EFI stub makes it start with "MZ").
pub fn image_format(bytes: &[u8]) -> Option<&'static str> {
    if bytes.get(0x38..0x3c) != Some(b"RSC\x05") {
        return None;
    }
    Some(if bytes.starts_with(b"MZ") { "RISC-V Image with EFI stub (PE32+)" } else { "RISC-V Image" })
}

fn decompress(source: &Path, target: &Path) -> Result<()> {
    let program = match source.extension().and_then(|e| e.to_str()) {
        Some("xz") => "xz",
        Some("gz") => "gzip",
        Some("zst") => "zstd",
        _ => {
            std::fs::copy(source, target)?;
            return Ok(());
        }
    };
    let output = Command::new(program).arg("-dc").arg(source).output().context("decompressing a module")?;
    if !output.status.success() {
        bail!("{program} -dc {} failed", source.display());
    }
    std::fs::write(target, output.stdout)?;
    Ok(())
}

fn run(command: &mut Command) -> Result<()> {
    let status = command.status().with_context(|| format!("running {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed with {status}");
    }
    Ok(())
}

/// The cache manifest: `version V`, `package P`, then one
/// `module NAME RELATIVE_PATH DEPENDENCY...` line per module in load order.
fn write_manifest(kernel: &LinuxKernel) -> String {
    let mut text = format!("version {}\npackage {}\n", kernel.version, kernel.package);
    for module in &kernel.modules {
        text.push_str(&format!("module {} {}", module.name, module.relative_path));
        for dependency in &module.depends {
            text.push_str(&format!(" {dependency}"));
        }
        text.push('\n');
    }
    text
}

fn read_manifest(dir: &Path, text: &str) -> Result<LinuxKernel> {
    let mut kernel = LinuxKernel {
        image: dir.join("Image"),
        version: String::new(),
        package: String::new(),
        modules: Vec::new(),
    };
    for line in text.lines() {
        let mut words = line.split_whitespace();
        match (words.next(), words.next(), words.next()) {
            (Some("version"), Some(version), None) => kernel.version = version.to_string(),
            (Some("package"), Some(package), None) => kernel.package = package.to_string(),
            (Some("module"), Some(name), Some(relative_path)) => kernel.modules.push(KernelModule {
                name: name.to_string(),
                path: dir.join("modules").join(relative_path),
                relative_path: relative_path.to_string(),
                depends: words.map(str::to_string).collect(),
            }),
            _ => bail!("bad line in {}: {line:?}", dir.join("kernel.txt").display()),
        }
    }
    if kernel.version.is_empty() || !kernel.image.exists() || kernel.modules.iter().any(|m| !m.path.exists())
    {
        bail!("the kernel cache {} is incomplete; delete it", dir.display());
    }
    Ok(kernel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_round_trip() {
        let dir = std::env::temp_dir().join(format!("goose-manifest-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("modules/kernel/fs")).unwrap();
        std::fs::write(dir.join("Image"), b"").unwrap();
        std::fs::write(dir.join("modules/kernel/fs/a.ko"), b"").unwrap();
        let kernel = LinuxKernel {
            image: dir.join("Image"),
            version: "6.1.0-test".into(),
            package: "linux-image-test=1".into(),
            modules: vec![KernelModule {
                name: "a".into(),
                path: dir.join("modules/kernel/fs/a.ko"),
                relative_path: "kernel/fs/a.ko".into(),
                depends: vec!["b".into(), "c".into()],
            }],
        };
        let back = read_manifest(&dir, &write_manifest(&kernel)).unwrap();
        assert_eq!(
            (back.version, back.package, back.modules),
            (kernel.version, kernel.package, kernel.modules)
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn recognises_images() {
        let mut image = vec![0u8; 64];
        assert_eq!(image_format(&image), None);
        image[0x38..0x3c].copy_from_slice(b"RSC\x05");
        assert_eq!(image_format(&image), Some("RISC-V Image"));
        image[..2].copy_from_slice(b"MZ");
        assert_eq!(image_format(&image), Some("RISC-V Image with EFI stub (PE32+)"));
    }
}
