//! Path resolution (path_resolution(7)): components from the root or the
//! current directory, `.` and `..`, symlinks followed at most 40 times in
//! all (ELOOP), ENOTDIR for a non-directory in the middle, ENAMETOOLONG for
//! a component over 255 bytes.

use super::tmpfs::Inode;
use crate::error::Result;
use crate::return_errno;
use alloc::sync::Arc;
use alloc::vec::Vec;

const MAX_SYMLINKS: usize = 40;
const NAME_MAX: usize = 255;

/// Where a walk starts and what `/` means.
pub struct Start<'a> {
    pub root: &'a Arc<Inode>,
    pub directory: &'a Arc<Inode>,
}

fn parent_of(inode: &Arc<Inode>, root: &Arc<Inode>) -> Arc<Inode> {
    if Arc::ptr_eq(inode, root) {
        return root.clone();
    }
    inode.parent.lock().upgrade().unwrap_or_else(|| root.clone())
}

/// Splits into components, dropping empty ones; also says whether the path
/// ends with a slash.
fn components(path: &[u8]) -> Result<(Vec<&[u8]>, bool)> {
    let parts: Vec<&[u8]> = path.split(|&b| b == b'/').filter(|p| !p.is_empty()).collect();
    if parts.iter().any(|p| p.len() > NAME_MAX) {
        return_errno!(ENAMETOOLONG);
    }
    Ok((parts, path.ends_with(b"/")))
}

/// Resolves `path`; the last component's symlink is followed if
/// `follow_last`.
pub fn resolve(start: &Start, path: &[u8], follow_last: bool) -> Result<Arc<Inode>> {
    if path.is_empty() {
        return_errno!(ENOENT);
    }
    let mut budget = MAX_SYMLINKS;
    walk(start.root, start.directory, path, follow_last, &mut budget)
}

fn walk(
    root: &Arc<Inode>,
    from: &Arc<Inode>,
    path: &[u8],
    follow_last: bool,
    budget: &mut usize,
) -> Result<Arc<Inode>> {
    let (parts, trailing_slash) = components(path)?;
    let mut current = if path.starts_with(b"/") { root.clone() } else { from.clone() };
    let count = parts.len();
    for (index, name) in parts.into_iter().enumerate() {
        let is_last = index + 1 == count;
        if !current.is_directory() {
            return_errno!(ENOTDIR);
        }
        let next = match name {
            b"." => current.clone(),
            b".." => parent_of(&current, root),
            _ => super::mounts::cross(current.lookup(name)?),
        };
        if let Some(target) = next.symlink_target() {
            if !is_last || follow_last || trailing_slash {
                if *budget == 0 {
                    return_errno!(ELOOP);
                }
                *budget -= 1;
                current = match next.magic_target() {
                    Some(opened) => opened,
                    None => walk(root, &current, &target, true, budget)?,
                };
                continue;
            }
        }
        current = next;
    }
    if trailing_slash && !current.is_directory() {
        return_errno!(ENOTDIR);
    }
    Ok(current)
}

/// Resolves all but the last component: the directory and the last name
/// (for creating, removing and renaming). A path ending in `/` keeps its
/// last name; `.`/`..` as the last name are returned as is.
pub fn resolve_parent(start: &Start, path: &[u8]) -> Result<(Arc<Inode>, Vec<u8>, bool)> {
    if path.is_empty() {
        return_errno!(ENOENT);
    }
    let (parts, trailing_slash) = components(path)?;
    let Some((last, leading)) = parts.split_last() else {
        // "/" itself: its "name" is the root.
        return Ok((start.root.clone(), b".".to_vec(), true));
    };
    let mut budget = MAX_SYMLINKS;
    let mut directory = if path.starts_with(b"/") { start.root.clone() } else { start.directory.clone() };
    for name in leading {
        let joined: Vec<u8> = name.to_vec();
        directory = walk(start.root, &directory, &joined, true, &mut budget)?;
    }
    if !directory.is_directory() {
        return_errno!(ENOTDIR);
    }
    Ok((directory, last.to_vec(), trailing_slash))
}

/// The absolute path of a directory (getcwd), by walking up its parents.
pub fn absolute(root: &Arc<Inode>, directory: &Arc<Inode>) -> Vec<u8> {
    let mut names: Vec<Vec<u8>> = Vec::new();
    let mut current = directory.clone();
    while !Arc::ptr_eq(&current, root) {
        let Some(parent) = current.parent.lock().upgrade() else { break };
        let name = parent.list().ok().and_then(|entries| {
            entries
                .into_iter()
                .find(|(_, i)| super::mounts::cross(i.clone()).number == current.number)
                .map(|(n, _)| n)
        });
        match name {
            Some(name) => names.push(name),
            None => break,
        }
        current = parent;
    }
    let mut path = Vec::new();
    for name in names.iter().rev() {
        path.push(b'/');
        path.extend_from_slice(name);
    }
    if path.is_empty() {
        path.push(b'/');
    }
    path
}

/// The path of a file with every symlink resolved (realpath), as
/// /proc/self/exe reports it.
pub fn canonical(start: &Start, path: &[u8]) -> Result<Vec<u8>> {
    let mut path = path.to_vec();
    for _ in 0..MAX_SYMLINKS {
        let (directory, name, _) = resolve_parent(start, &path)?;
        let mut directory_path = absolute(start.root, &directory);
        let entry = super::mounts::cross(directory.lookup(&name)?);
        if let Some(target) = entry.symlink_target() {
            path = if target.starts_with(b"/") {
                target
            } else {
                if directory_path != b"/" {
                    directory_path.push(b'/');
                }
                directory_path.extend_from_slice(&target);
                directory_path
            };
            continue;
        }
        if directory_path != b"/" {
            directory_path.push(b'/');
        }
        directory_path.extend_from_slice(&name);
        return Ok(directory_path);
    }
    return_errno!(ELOOP)
}
