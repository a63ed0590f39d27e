//! The in-memory file tree of a root file system image: filled from Debian
//! packages (their data tar through `dpkg-deb --fsys-tarfile`), host files
//! and generated ones, folded onto Debian's merged /usr, and written out as
//! a newc cpio archive.

use anyhow::{bail, Context, Result};
use cpio::{Metadata, Writer};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

/// Modification time of generated entries (2024-01-01), so that images are
/// reproducible.
pub const FIXED_MTIME: u32 = 1_704_067_200;

/// Top-level directories that merged-/usr Debian has as symlinks into /usr.
const MERGED_DIRS: [&str; 4] = ["bin", "sbin", "lib", "lib64"];

/// What a path holds.
#[derive(Clone, Debug)]
pub enum Node {
    Directory { permissions: u32 },
    File { permissions: u32, data: Vec<u8> },
    Symlink { target: String },
    CharDevice { permissions: u32, major: u32, minor: u32 },
}

/// Paths (relative, no leading `/`) in sorted order, so that a directory
/// comes before what it holds.
#[derive(Default)]
pub struct FileTree {
    nodes: BTreeMap<String, (Node, u32)>,
}

impl FileTree {
    pub fn new() -> Self {
        let mut tree = FileTree::default();
        for dir in ["usr/bin", "usr/sbin", "usr/lib"] {
            tree.insert(dir, Node::Directory { permissions: 0o755 }, FIXED_MTIME);
        }
        tree
    }

    /// What `path` holds (`bin/sh` finds `usr/bin/sh`).
    pub fn get(&self, path: &str) -> Option<&Node> {
        self.nodes.get(&merged_usr(path.trim_matches('/'))).map(|(node, _)| node)
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Adds `node` at `path` (replacing what was there, except that a
    /// directory never replaces anything), creating missing parents.
    pub fn insert(&mut self, path: &str, node: Node, mtime: u32) {
        let path = merged_usr(path.trim_matches('/'));
        if path.is_empty() {
            return;
        }
        let mut parent = String::new();
        for component in path.split('/').take(path.split('/').count() - 1) {
            if !parent.is_empty() {
                parent.push('/');
            }
            parent.push_str(component);
            self.nodes.entry(parent.clone()).or_insert((Node::Directory { permissions: 0o755 }, FIXED_MTIME));
        }
        if matches!(node, Node::Directory { .. }) && self.nodes.contains_key(&path) {
            return;
        }
        self.nodes.insert(path, (node, mtime));
    }

    /// Adds the files of a `.deb`. Hard links become copies.
    pub fn add_deb(&mut self, deb: &Path, skip: impl Fn(&str) -> bool) -> Result<()> {
        let mut child = Command::new("dpkg-deb")
            .arg("--fsys-tarfile")
            .arg(deb)
            .stdout(Stdio::piped())
            .spawn()
            .context("running dpkg-deb")?;
        let stdout = child.stdout.take().context("dpkg-deb has no stdout")?;
        let result = self.add_tar(stdout, &skip);
        let status = child.wait()?;
        result.with_context(|| format!("reading {}", deb.display()))?;
        if !status.success() {
            bail!("dpkg-deb --fsys-tarfile {} failed", deb.display());
        }
        Ok(())
    }

    fn add_tar(&mut self, tar: impl Read, skip: &impl Fn(&str) -> bool) -> Result<()> {
        let mut archive = tar::Archive::new(tar);
        for entry in archive.entries()? {
            let mut entry = entry?;
            let raw_path = String::from_utf8(entry.path_bytes().into_owned()).context("non-UTF-8 path")?;
            let path = clean_path(&raw_path)?;
            // The merged-/usr symlinks themselves are the tree's to make.
            if path.is_empty() || MERGED_DIRS.contains(&path.as_str()) || skip(&path) {
                continue;
            }
            let header = entry.header();
            let permissions = header.mode()? & 0o7777;
            let mtime = u32::try_from(header.mtime()?).unwrap_or(FIXED_MTIME);
            let node = match header.entry_type() {
                tar::EntryType::Directory => Node::Directory { permissions: 0o755 },
                tar::EntryType::Regular | tar::EntryType::Continuous => {
                    let mut data = Vec::with_capacity(header.size()? as usize);
                    entry.read_to_end(&mut data)?;
                    Node::File { permissions, data }
                }
                tar::EntryType::Symlink => {
                    let target = entry.link_name_bytes().context("symlink without target")?;
                    let target = String::from_utf8(target.into_owned()).context("non-UTF-8 symlink")?;
                    Node::Symlink { target: symlink_target(&path, &target) }
                }
                tar::EntryType::Link => {
                    let target = entry.link_name_bytes().context("hard link without target")?;
                    let target = merged_usr(&clean_path(&String::from_utf8_lossy(&target))?);
                    match self.get(&target) {
                        Some(node @ Node::File { .. }) => node.clone(),
                        _ => bail!("hard link {path} to {target}, which is not a file seen before"),
                    }
                }
                other => bail!("{path}: unsupported tar entry type {other:?}"),
            };
            self.insert(&path, node, mtime);
        }
        Ok(())
    }

    /// Adds a host file, or a directory with everything under it, at `dest`.
    pub fn add_host_path(&mut self, host: &Path, dest: &str) -> Result<()> {
        let meta = std::fs::symlink_metadata(host).with_context(|| format!("reading {}", host.display()))?;
        let permissions = std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o7777;
        if meta.is_dir() {
            self.insert(dest, Node::Directory { permissions: 0o755 }, FIXED_MTIME);
            let mut children: Vec<_> = std::fs::read_dir(host)?.collect::<Result<_, _>>()?;
            children.sort_by_key(|c| c.file_name());
            for child in children {
                let name = child.file_name().into_string().map_err(|n| anyhow::anyhow!("bad name {n:?}"))?;
                self.add_host_path(&child.path(), &format!("{dest}/{name}"))?;
            }
        } else if meta.file_type().is_symlink() {
            let target = std::fs::read_link(host)?.to_str().context("non-UTF-8 symlink")?.to_string();
            self.insert(dest, Node::Symlink { target }, FIXED_MTIME);
        } else {
            let data = std::fs::read(host).with_context(|| format!("reading {}", host.display()))?;
            self.insert(dest, Node::File { permissions, data }, FIXED_MTIME);
        }
        Ok(())
    }

    /// The newc archive, with the merged-/usr symlinks at the top.
    pub fn to_cpio(&self) -> Result<Vec<u8>> {
        let mut nodes: Vec<(&str, &Node, u32)> =
            self.nodes.iter().map(|(path, (node, mtime))| (path.as_str(), node, *mtime)).collect();
        let links: Vec<(String, Node)> = MERGED_DIRS
            .iter()
            .filter(|dir| self.nodes.contains_key(&format!("usr/{dir}")))
            .map(|dir| (dir.to_string(), Node::Symlink { target: format!("usr/{dir}") }))
            .collect();
        nodes.extend(links.iter().map(|(path, node)| (path.as_str(), node, FIXED_MTIME)));
        nodes.sort_by_key(|(path, _, _)| *path);
        let mut writer = Writer::new();
        for (path, node, mtime) in nodes {
            let result = match node {
                Node::Directory { permissions } => {
                    writer.directory(path, Metadata::root(*permissions, mtime))
                }
                Node::File { permissions, data } => {
                    writer.file(path, Metadata::root(*permissions, mtime), data)
                }
                Node::Symlink { target } => writer.symlink(path, Metadata::root(0o777, mtime), target),
                Node::CharDevice { permissions, major, minor } => {
                    writer.char_device(path, Metadata::root(*permissions, mtime), *major, *minor)
                }
            };
            result.map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
        }
        Ok(writer.finish())
    }
}

/// `./usr/bin/` → `usr/bin`; refuses `..` components.
fn clean_path(path: &str) -> Result<String> {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    if parts.contains(&"..") {
        bail!("path {path:?} leaves the root");
    }
    Ok(parts.join("/"))
}

/// Where a path lands on merged /usr: `bin/sh` → `usr/bin/sh`.
fn merged_usr(path: &str) -> String {
    for dir in MERGED_DIRS {
        if let Some(rest) = path.strip_prefix(dir).and_then(|r| r.strip_prefix('/')) {
            return format!("usr/{dir}/{rest}");
        }
    }
    path.to_string()
}

/// A symlink's target, made absolute when the link moves to /usr and the
/// target is relative, since it would then resolve somewhere else.
fn symlink_target(path: &str, target: &str) -> String {
    if target.starts_with('/') || merged_usr(path) == path {
        return target.to_string();
    }
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop();
    for component in target.split('/') {
        match component {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            name => parts.push(name),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_onto_merged_usr() {
        assert_eq!(merged_usr("bin/sh"), "usr/bin/sh");
        assert_eq!(merged_usr("lib/ld-linux-riscv64-lp64d.so.1"), "usr/lib/ld-linux-riscv64-lp64d.so.1");
        assert_eq!(merged_usr("binaries/x"), "binaries/x");
        assert_eq!(merged_usr("usr/bin/sh"), "usr/bin/sh");
        assert_eq!(symlink_target("lib/x.so", "../usr/lib/y.so"), "/usr/lib/y.so");
        assert_eq!(symlink_target("usr/lib/x.so", "y.so"), "y.so");
        assert_eq!(clean_path("./usr/bin/").unwrap(), "usr/bin");
        assert!(clean_path("./../etc").is_err());
    }

    #[test]
    fn parents_come_first_and_links_are_added() {
        let mut tree = FileTree::new();
        tree.insert("/bin/x", Node::File { permissions: 0o755, data: b"x".to_vec() }, 0);
        tree.insert("etc/a/b", Node::File { permissions: 0o644, data: Vec::new() }, 0);
        tree.insert("etc", Node::Directory { permissions: 0o700 }, 0);
        let archive = tree.to_cpio().unwrap();
        let names: Vec<String> =
            cpio::Reader::new(&archive).map(|e| e.unwrap().name_str().unwrap().to_string()).collect();
        assert_eq!(
            names,
            [
                "bin",
                "etc",
                "etc/a",
                "etc/a/b",
                "lib",
                "sbin",
                "usr",
                "usr/bin",
                "usr/bin/x",
                "usr/lib",
                "usr/sbin"
            ]
        );
    }
}
