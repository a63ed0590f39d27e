//! Rust's std::fs on the kernel: files and directories, reads, writes,
//! seeks, appends, permissions, rename, copy, hard and symbolic links,
//! directory walks, removal and the errors of each. No threads (see
//! rust_std_threads). Built statically for riscv64gc-unknown-linux-gnu by
//! the xtask; every line it prints is deterministic.

use std::fs;
use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};

fn files() -> std::io::Result<()> {
    fs::create_dir_all("work/a/b/c")?;
    fs::write("work/a/hello.txt", b"hello, world\n")?;
    println!("read_to_string: {:?}", fs::read_to_string("work/a/hello.txt")?);

    let mut file =
        fs::OpenOptions::new().read(true).write(true).create(true).truncate(true).open("work/data.bin")?;
    file.write_all(&(0..=255u8).collect::<Vec<u8>>())?;
    file.seek(SeekFrom::Start(250))?;
    let mut tail = Vec::new();
    file.read_to_end(&mut tail)?;
    println!("seek and read: {tail:?}");
    file.set_len(100)?;
    let meta = file.metadata()?;
    println!("set_len: {} bytes, is_file {}, is_dir {}", meta.len(), meta.is_file(), meta.is_dir());
    drop(file);

    let mut appender = fs::OpenOptions::new().append(true).open("work/a/hello.txt")?;
    appender.write_all(b"appended\n")?;
    drop(appender);
    println!("append: {:?}", fs::read_to_string("work/a/hello.txt")?);

    fs::set_permissions("work/a/hello.txt", fs::Permissions::from_mode(0o640))?;
    let meta = fs::metadata("work/a/hello.txt")?;
    println!(
        "permissions: {:o}, nlink {}, size {}",
        meta.permissions().mode() & 0o7777,
        meta.nlink(),
        meta.size()
    );

    fs::rename("work/a/hello.txt", "work/a/b/moved.txt")?;
    println!(
        "rename: old exists {}, new exists {}",
        fs::exists("work/a/hello.txt")?,
        fs::exists("work/a/b/moved.txt")?
    );
    fs::copy("work/a/b/moved.txt", "work/a/b/c/copy.txt")?;
    fs::hard_link("work/a/b/c/copy.txt", "work/a/b/c/link.txt")?;
    std::os::unix::fs::symlink("../moved.txt", "work/a/b/c/sym.txt")?;
    println!("hard link count {}", fs::metadata("work/a/b/c/copy.txt")?.nlink());
    println!(
        "symlink: target {:?}, is_symlink {}",
        fs::read_link("work/a/b/c/sym.txt")?,
        fs::symlink_metadata("work/a/b/c/sym.txt")?.file_type().is_symlink()
    );
    println!("through symlink: {:?}", fs::read_to_string("work/a/b/c/sym.txt")?);

    let mut names: Vec<(String, bool)> = Vec::new();
    for entry in walk("work".as_ref())? {
        names.push(entry);
    }
    names.sort();
    for (name, is_dir) in &names {
        println!("tree: {name}{}", if *is_dir { "/" } else { "" });
    }

    println!("remove_dir of a full directory: {:?}", fs::remove_dir("work/a").map_err(|e| e.kind()));
    println!("open missing: {:?}", fs::File::open("work/missing").map_err(|e| e.kind()));
    println!("create_dir existing: {:?}", fs::create_dir("work/a").map_err(|e| e.kind()));
    fs::remove_file("work/a/b/c/link.txt")?;
    println!("after remove_file, link count {}", fs::metadata("work/a/b/c/copy.txt")?.nlink());
    fs::remove_dir_all("work")?;
    println!("remove_dir_all: exists {}", fs::exists("work")?);
    assert_eq!(fs::metadata("work").unwrap_err().kind(), ErrorKind::NotFound);

    Ok(())
}

/// Every path under `root`, relative to it, and whether it is a directory.
fn walk(root: &std::path::Path) -> std::io::Result<Vec<(String, bool)>> {
    let mut found = Vec::new();
    for entry in fs::read_dir(root)? {
        let entry = entry?;
        let is_dir = entry.file_type()?.is_dir();
        found.push((entry.path().display().to_string(), is_dir));
        if is_dir {
            found.extend(walk(&entry.path())?);
        }
    }
    Ok(found)
}

fn main() {
    if let Err(error) = files() {
        println!("files: {error}");
        std::process::exit(1);
    }
}
