//! The names AF_UNIX sockets are reachable by (net/unix/af_unix.c):
//! socket inodes in the file system, found by path and then looked up in
//! a table keyed by the inode, and abstract names in a table of their
//! own, keyed by socket type and name as Linux hashes them (a stream
//! socket does not find a datagram socket's abstract name). Entries go
//! when their socket closes; a path's inode stays until it is unlinked.

use super::unix_address::UnixName;
use super::unix_socket::{SocketType, UnixSocket};
use crate::error::Result;
use crate::fs::path::{resolve, resolve_parent, Start};
use crate::fs::tmpfs::{Content, Inode};
use crate::return_errno;
use abi::mode::{S_IFMT, S_IFSOCK};
use alloc::collections::BTreeMap;
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use hal::sync::SpinLock;

/// A socket bound to a path: its inode (to tell a reused number apart)
/// and the socket.
type PathEntry = (Weak<Inode>, Weak<UnixSocket>);
/// An abstract name's key: the socket type and the name.
type AbstractKey = (i32, Vec<u8>);

/// Sockets bound to a path, by inode number.
static BY_INODE: SpinLock<BTreeMap<u64, PathEntry>> = SpinLock::new(BTreeMap::new());
/// Sockets bound to an abstract name.
static ABSTRACT: SpinLock<BTreeMap<AbstractKey, Weak<UnixSocket>>> = SpinLock::new(BTreeMap::new());

/// How many names autobind may pick from: five hex digits.
const AUTOMATIC_NAMES: u32 = 0x10_0000;

/// The calling process's root and working directory.
fn with_start<T>(walk: impl FnOnce(&Start) -> Result<T>) -> Result<T> {
    let Some(process) = crate::process::current() else { return_errno!(ENOENT) };
    let fs = process.fs.lock().clone();
    walk(&Start { root: &fs.root, directory: &fs.cwd })
}

/// Where a path bind would put its inode: the directory and the last
/// name, EADDRINUSE if something is there already (unix_bind_bsd: the
/// mknod fails with EEXIST), ENOENT or ENOTDIR from the walk.
pub fn prepare_path(path: &[u8]) -> Result<(Arc<Inode>, Vec<u8>)> {
    let (directory, name, _) = with_start(|start| resolve_parent(start, path))?;
    if name == b"." || name == b".." || directory.lookup(&name).is_ok() {
        return_errno!(EADDRINUSE);
    }
    Ok((directory, name))
}

/// Creates the socket inode (mode 0777 less the umask, as mknod) and
/// makes `socket` reachable through it.
pub fn bind_path(directory: &Arc<Inode>, name: &[u8], socket: &Arc<UnixSocket>) -> Result<Arc<Inode>> {
    let umask = crate::process::current().map_or(0o022, |p| p.fs.lock().umask);
    let inode = Inode::new(S_IFSOCK | (0o777 & !umask), Content::Special, 0);
    if let Some(process) = crate::process::current() {
        let credentials = *process.credentials.lock();
        let mut attributes = inode.attributes.lock();
        attributes.uid = credentials.euid;
        attributes.gid = credentials.egid;
    }
    directory.insert(name, inode.clone()).map_err(|error| {
        if error.errno == abi::Errno::EEXIST {
            abi::Errno::EADDRINUSE.into()
        } else {
            error
        }
    })?;
    BY_INODE.lock().insert(inode.number, (Arc::downgrade(&inode), Arc::downgrade(socket)));
    Ok(inode)
}

/// Binds `name` for sockets of `kind`: EADDRINUSE if a live socket has it.
pub fn bind_abstract(kind: SocketType, name: &[u8], socket: &Arc<UnixSocket>) -> Result<()> {
    let mut table = ABSTRACT.lock();
    let key = (kind as i32, name.to_vec());
    if table.get(&key).and_then(Weak::upgrade).is_some_and(|s| s.is_alive()) {
        return_errno!(EADDRINUSE);
    }
    table.insert(key, Arc::downgrade(socket));
    Ok(())
}

/// Autobind (unix_autobind): a free abstract name of five lowercase hex
/// digits, starting from a random one.
pub fn bind_automatic(kind: SocketType, socket: &Arc<UnixSocket>) -> Result<Vec<u8>> {
    let mut seed = [0u8; 4];
    crate::random::fill(&mut seed);
    let start = u32::from_ne_bytes(seed) % AUTOMATIC_NAMES;
    for offset in 0..AUTOMATIC_NAMES {
        let number = (start + offset) % AUTOMATIC_NAMES;
        let name = alloc::format!("{number:05x}").into_bytes();
        if bind_abstract(kind, &name, socket).is_ok() {
            return Ok(name);
        }
    }
    return_errno!(ENOSPC)
}

/// The socket a name reaches (unix_find_other): for a path, ENOENT or
/// ENOTDIR from the walk and ECONNREFUSED for anything but a bound
/// socket's inode; for an abstract name, ECONNREFUSED unless a socket of
/// `kind` has it. The caller checks a path socket's type (EPROTOTYPE).
pub fn find(name: &UnixName, kind: SocketType) -> Result<Arc<UnixSocket>> {
    let found = match name {
        UnixName::Path(path) => {
            let inode = with_start(|start| resolve(start, path, true))?;
            if inode.mode() & S_IFMT != S_IFSOCK {
                return_errno!(ECONNREFUSED);
            }
            BY_INODE
                .lock()
                .get(&inode.number)
                .filter(|(bound, _)| bound.upgrade().is_some_and(|b| Arc::ptr_eq(&b, &inode)))
                .and_then(|(_, socket)| socket.upgrade())
        }
        UnixName::Abstract(name) => ABSTRACT.lock().get(&(kind as i32, name.clone())).and_then(Weak::upgrade),
    };
    match found {
        Some(socket) if socket.is_alive() => Ok(socket),
        _ => return_errno!(ECONNREFUSED),
    }
}

/// The socket that owned `name` closed: the name is free again (the
/// inode of a path stays in its directory, refusing connections). An
/// entry another socket has taken since is left alone.
pub fn unbind(socket: &UnixSocket, name: &UnixName, inode: Option<&Arc<Inode>>) {
    let is_owner = |entry: &Weak<UnixSocket>| core::ptr::eq(entry.as_ptr(), socket);
    match name {
        UnixName::Path(_) => {
            if let Some(inode) = inode {
                let mut table = BY_INODE.lock();
                if table.get(&inode.number).is_some_and(|(_, entry)| is_owner(entry)) {
                    table.remove(&inode.number);
                }
            }
        }
        UnixName::Abstract(name) => {
            let mut table = ABSTRACT.lock();
            let key = (socket.kind as i32, name.clone());
            if table.get(&key).is_some_and(is_owner) {
                table.remove(&key);
            }
        }
    }
}
