//! Builds the initramfs both kernels boot: Debian's busybox-static with its
//! applet links, a small /etc and /init (from xtask/rootfs/), /dev/console,
//! any extra Debian packages with their dependency closure, extra host
//! files, and optionally the Linux kernel modules for virtio and ext4.
//! The image is rebuilt only when its inputs change.

use crate::debian::{self, AptRoot, Package};
use crate::file_tree::{FileTree, Node, FIXED_MTIME};
use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

/// What goes into the image besides the defaults.
#[derive(Clone, Debug, Default)]
pub struct RootfsOptions {
    /// Debian package names, added with their dependency closure.
    pub extra_packages: Vec<String>,
    /// Host files or directories and where they go in the image
    /// (`/usr/local/bin/test`).
    pub extra_files: Vec<(PathBuf, String)>,
    /// Adds Debian's Linux modules for virtio-mmio, virtio-blk, virtio-net
    /// and ext4 under /lib/modules/<version>/, which /etc/init.d/rcS loads
    /// when that kernel runs.
    pub include_linux_modules: bool,
}

/// Images not wanted for this long are deleted.
const IMAGE_MAX_IDLE: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// Bump when the image layout changes in a way the inputs do not show.
const LAYOUT_VERSION: u32 = 2;

/// Generated files: (path in the image, permissions, contents).
const GENERATED_FILES: &[(&str, u32, &str)] = &[
    ("init", 0o755, include_str!("../rootfs/init")),
    ("etc/init.d/rcS", 0o755, include_str!("../rootfs/etc/init.d/rcS")),
    ("etc/inittab", 0o644, include_str!("../rootfs/etc/inittab")),
    ("etc/profile", 0o644, include_str!("../rootfs/etc/profile")),
    ("etc/passwd", 0o644, include_str!("../rootfs/etc/passwd")),
    ("etc/group", 0o644, include_str!("../rootfs/etc/group")),
    ("etc/hostname", 0o644, include_str!("../rootfs/etc/hostname")),
    ("etc/hosts", 0o644, include_str!("../rootfs/etc/hosts")),
];

/// Empty directories every image has, with their permissions.
const DIRECTORIES: &[(&str, u32)] = &[
    ("dev", 0o755),
    ("proc", 0o555),
    ("sys", 0o555),
    ("tmp", 0o1777),
    ("root", 0o700),
    ("mnt", 0o755),
    ("run", 0o755),
    ("var/tmp", 0o1777),
    ("usr/local/bin", 0o755),
];

/// What no program of the image needs, left out to keep the image (which
/// every corpus boot loads and unpacks) small: documentation and
/// translations, glibc's iconv modules for non-Unicode character sets
/// (6 MB; Python brings its own codecs), and Python's test suite and
/// pydoc's topic texts (in any python3.N). Everything kept is Debian's file as shipped.
const SKIPPED_PREFIXES: &[&str] = &[
    "usr/share/doc/",
    "usr/share/man/",
    "usr/share/locale/",
    "usr/share/info/",
    "usr/share/lintian/",
    "usr/lib/riscv64-linux-gnu/gconv/",
];

/// Directories of `usr/lib/python3.N/` left out.
const SKIPPED_PYTHON_DIRS: &[&str] = &["test", "pydoc_data"];

fn is_skipped(path: &str) -> bool {
    let is_skipped_python = || {
        let mut components = path.split('/');
        let (Some("usr"), Some("lib"), Some(python), Some(dir)) =
            (components.next(), components.next(), components.next(), components.next())
        else {
            return false;
        };
        python.starts_with("python3.") && SKIPPED_PYTHON_DIRS.contains(&dir)
    };
    SKIPPED_PREFIXES.iter().any(|prefix| path.starts_with(prefix) || path == prefix.trim_end_matches('/'))
        || is_skipped_python()
}

/// Builds (or finds, when nothing changed) the image; returns its path
/// under `<workspace>/build/`.
pub fn build(options: &RootfsOptions) -> Result<PathBuf> {
    let start = Instant::now();
    let apt = AptRoot::open()?;
    let mut names = vec!["busybox-static"];
    names.extend(options.extra_packages.iter().map(String::as_str));
    let packages = apt.resolve_closure(&names)?;
    let kernel = if options.include_linux_modules { Some(crate::linux::fetch_with(&apt)?) } else { None };

    let key = cache_key(options, &packages, kernel.as_ref())?;
    let output = crate::build_dir().join(format!("rootfs-{}.cpio", &key[..16]));
    prune_old_images(&output);
    if output.exists() {
        // The modification time says when an image was last wanted.
        std::fs::File::options().append(true).open(&output)?.set_modified(SystemTime::now())?;
        eprintln!("xtask: rootfs up to date ({:.1} s)", start.elapsed().as_secs_f64());
        return Ok(output);
    }

    let debs = apt.download(&packages)?;
    let mut tree = FileTree::new();
    for deb in &debs {
        tree.add_deb(deb, is_skipped)?;
    }
    add_busybox_links(&mut tree)?;
    for (path, permissions) in DIRECTORIES {
        tree.insert(path, Node::Directory { permissions: *permissions }, FIXED_MTIME);
    }
    // Linux opens /dev/console for init before anything is mounted.
    let console = Node::CharDevice { permissions: 0o600, major: 5, minor: 1 };
    tree.insert("dev/console", console, FIXED_MTIME);
    for (path, permissions, text) in GENERATED_FILES {
        let file = Node::File { permissions: *permissions, data: text.as_bytes().to_vec() };
        tree.insert(path, file, FIXED_MTIME);
    }
    if let Some(kernel) = &kernel {
        add_linux_modules(&mut tree, kernel)?;
    }
    for (host, dest) in &options.extra_files {
        tree.add_host_path(host, dest)?;
    }

    let archive = tree.to_cpio()?;
    let partial = output.with_extension(format!("cpio.partial-{}", std::process::id()));
    std::fs::write(&partial, &archive).with_context(|| format!("writing {}", partial.display()))?;
    std::fs::rename(&partial, &output)?;
    eprintln!(
        "xtask: rootfs {} ({} packages, {} entries, {:.1} MiB) in {:.1} s",
        output.display(),
        packages.len(),
        tree.len(),
        archive.len() as f64 / (1024.0 * 1024.0),
        start.elapsed().as_secs_f64()
    );
    Ok(output)
}

/// Removes images for other option sets that no build wanted for a week.
fn prune_old_images(keep: &Path) {
    let Ok(entries) = std::fs::read_dir(crate::build_dir()) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let age = entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
        let is_stale = age.is_some_and(|age| age > IMAGE_MAX_IDLE);
        if name.starts_with("rootfs-") && name.contains(".cpio") && path != keep && is_stale {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// A hash of everything the image is made of.
fn cache_key(
    options: &RootfsOptions,
    packages: &[Package],
    kernel: Option<&crate::linux::LinuxKernel>,
) -> Result<String> {
    let mut hasher = Sha256::new();
    hasher.update(format!("layout {LAYOUT_VERSION}\n"));
    for package in packages {
        hasher.update(format!("package {} {} {}\n", package.name, package.version, package.architecture));
    }
    for (path, permissions, text) in GENERATED_FILES {
        hasher.update(format!("generated {path} {permissions:o} {}\n", text.len()));
        hasher.update(text);
    }
    if let Some(kernel) = kernel {
        hasher.update(format!("linux {} {}\n", kernel.package, kernel.version));
        for module in &kernel.modules {
            hasher.update(format!("module {}\n", module.relative_path));
        }
    }
    for (host, dest) in &options.extra_files {
        hasher.update(format!("extra {dest}\n"));
        hash_host_path(&mut hasher, host)?;
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

fn hash_host_path(hasher: &mut Sha256, host: &Path) -> Result<()> {
    let meta = std::fs::symlink_metadata(host).with_context(|| format!("reading {}", host.display()))?;
    if meta.is_dir() {
        let mut children: Vec<_> = std::fs::read_dir(host)?.collect::<Result<_, _>>()?;
        children.sort_by_key(|c| c.file_name());
        for child in children {
            hasher.update(format!("entry {:?}\n", child.file_name()));
            hash_host_path(hasher, &child.path())?;
        }
    } else if meta.file_type().is_symlink() {
        hasher.update(format!("symlink {:?}\n", std::fs::read_link(host)?));
    } else {
        let mode = std::os::unix::fs::PermissionsExt::mode(&meta.permissions());
        hasher.update(format!("file {mode:o} {}\n", meta.len()));
        hasher.update(std::fs::read(host)?);
    }
    Ok(())
}

/// Debian's busybox-static ships no applet links. The binary itself knows
/// where each applet belongs (`busybox --list-full`), so it is asked, under
/// qemu-riscv64. Paths a package already fills (a real `bash`, say) win.
fn add_busybox_links(tree: &mut FileTree) -> Result<()> {
    let Some(Node::File { data, .. }) = tree.get("usr/bin/busybox") else {
        bail!("busybox-static did not provide /usr/bin/busybox");
    };
    debian::ensure_host_tools(&[("qemu-riscv64", "qemu-user")])?;
    let binary = crate::build_dir().join(format!("busybox-{}.riscv64", std::process::id()));
    std::fs::write(&binary, data)?;
    // qemu-riscv64 refuses (silently, status 1) a file without the x bit.
    std::fs::set_permissions(&binary, std::os::unix::fs::PermissionsExt::from_mode(0o755))?;
    let output = Command::new("qemu-riscv64").arg(&binary).arg("--list-full").output();
    let _ = std::fs::remove_file(&binary);
    let output = output.context("running busybox under qemu-riscv64")?;
    if !output.status.success() {
        bail!("busybox --list-full failed ({}): {}", output.status, String::from_utf8_lossy(&output.stderr));
    }
    let list = String::from_utf8(output.stdout).context("busybox --list-full printed non-UTF-8")?;
    for applet in list.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let target = Node::Symlink { target: "/usr/bin/busybox".into() };
        if tree.get(applet).is_none() {
            tree.insert(applet, target, FIXED_MTIME);
        }
    }
    Ok(())
}

/// The decompressed modules under usr/lib/modules/<version>/, their load
/// order in `load-order` (read by rcS), and a modules.dep for them, so that
/// busybox modprobe works too.
fn add_linux_modules(tree: &mut FileTree, kernel: &crate::linux::LinuxKernel) -> Result<()> {
    let base = format!("usr/lib/modules/{}", kernel.version);
    let mut order = String::new();
    let mut depends = String::new();
    for module in &kernel.modules {
        let data =
            std::fs::read(&module.path).with_context(|| format!("reading {}", module.path.display()))?;
        tree.insert(
            &format!("{base}/{}", module.relative_path),
            Node::File { permissions: 0o644, data },
            FIXED_MTIME,
        );
        order.push_str(&format!("{}\n", module.relative_path));
        depends.push_str(&format!("{}:", module.relative_path));
        for dependency in &module.depends {
            let found = kernel.modules.iter().find(|m| &m.name == dependency);
            let found =
                found.with_context(|| format!("{} needs {dependency}, not in the list", module.name))?;
            depends.push_str(&format!(" {}", found.relative_path));
        }
        depends.push('\n');
    }
    tree.insert(
        &format!("{base}/load-order"),
        Node::File { permissions: 0o644, data: order.into_bytes() },
        FIXED_MTIME,
    );
    tree.insert(
        &format!("{base}/modules.dep"),
        Node::File { permissions: 0o644, data: depends.into_bytes() },
        FIXED_MTIME,
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_what_no_program_needs() {
        assert!(is_skipped("usr/share/doc/bash/copyright"));
        assert!(is_skipped("usr/share/doc"));
        assert!(is_skipped("usr/lib/riscv64-linux-gnu/gconv/IBM1390.so"));
        assert!(is_skipped("usr/lib/python3.13/test/__init__.py"));
        assert!(is_skipped("usr/lib/python3.14/pydoc_data"));
        assert!(!is_skipped("usr/lib/python3.13/threading.py"));
        assert!(!is_skipped("usr/lib/python3/dist-packages/test/x.py"));
        assert!(!is_skipped("usr/lib/riscv64-linux-gnu/libc.so.6"));
    }
}
