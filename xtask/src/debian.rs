//! A private apt root for Debian riscv64 packages (suite `stable`, component
//! `main`) in goose's cache directory: finds the mirror in the host's own apt
//! configuration, keeps its own lists, status and archives so the host's apt
//! is untouched, resolves dependency closures and downloads `.deb` files,
//! and works offline from what it cached.

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

/// Environment variable that names the mirror instead of the host's apt
/// configuration (a URI ending in `/debian`).
const MIRROR_VARIABLE: &str = "GOOSE_DEBIAN_MIRROR";
/// Lists older than this are refreshed (when the network allows).
const LISTS_MAX_AGE: Duration = Duration::from_secs(20 * 60 * 60);
/// After a failed refresh, cached lists are used this long without trying.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(60 * 60);
/// Used to check the archive's signature when the host has it.
const HOST_KEYRING: &str = "/usr/share/keyrings/debian-archive-keyring.gpg";

/// `$GOOSE_CACHE`, or `$HOME/.cache/goose`: downloads kept across builds.
pub fn cache_dir() -> Result<PathBuf> {
    let dir = match std::env::var_os("GOOSE_CACHE") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let home = std::env::var_os("HOME").context("neither GOOSE_CACHE nor HOME is set")?;
            PathBuf::from(home).join(".cache/goose")
        }
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

/// One binary package version, as apt resolved it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Package {
    pub name: String,
    pub version: String,
    pub architecture: String,
}

impl Package {
    /// The file name apt gives the package in its archives directory: the
    /// epoch's `:` is written `%3a`.
    pub fn file_name(&self) -> String {
        format!("{}_{}_{}.deb", self.name, self.version.replace(':', "%3a"), self.architecture)
    }
}

/// The private apt root, `<cache>/debian`.
pub struct AptRoot {
    root: PathBuf,
}

impl AptRoot {
    /// Sets the root up (idempotent) and refreshes its package lists when
    /// they are missing, older than a day, or for another mirror. Offline,
    /// lists from an earlier run are used as they are.
    pub fn open() -> Result<AptRoot> {
        ensure_host_tools(&[("apt-get", "apt"), ("dpkg-deb", "dpkg")])?;
        let root = cache_dir()?.join("debian");
        for dir in [
            "etc/apt/apt.conf.d",
            "etc/apt/preferences.d",
            "etc/apt/sources.list.d",
            "etc/apt/trusted.gpg.d",
            "state/lists/partial",
            "cache/archives/partial",
        ] {
            std::fs::create_dir_all(root.join(dir))?;
        }
        let apt = AptRoot { root };
        std::fs::write(apt.root.join("apt.conf"), apt.config())?;
        let status = apt.root.join("status");
        if !status.exists() {
            std::fs::write(&status, "")?;
        }
        let mirror = find_mirror()?;
        let sources = sources_list(&mirror, Path::new(HOST_KEYRING).exists());
        let sources_path = apt.root.join("etc/apt/sources.list");
        let sources_changed = std::fs::read_to_string(&sources_path).ok().as_deref() != Some(&sources);
        if sources_changed {
            std::fs::write(&sources_path, &sources)?;
        }
        apt.update_if_stale(sources_changed)?;
        Ok(apt)
    }

    /// Every option that points apt at this root. Given through
    /// `APT_CONFIG`, it is read before anything under the host's /etc/apt.
    fn config(&self) -> String {
        let root = self.root.display();
        format!(
            "// Written by goose's xtask: a private apt root for Debian riscv64.\n\
             Dir \"{root}/\";\n\
             Dir::Etc \"{root}/etc/apt/\";\n\
             Dir::State \"{root}/state/\";\n\
             Dir::State::status \"{root}/status\";\n\
             Dir::Cache \"{root}/cache/\";\n\
             APT::Architecture \"riscv64\";\n\
             APT::Architectures {{ \"riscv64\"; }};\n\
             APT::Install-Recommends \"false\";\n\
             APT::Sandbox::User \"root\";\n\
             Acquire::Languages \"none\";\n\
             Debug::NoLocking \"1\";\n"
        )
    }

    /// `program` (apt-get or apt-cache) configured for this root.
    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command.env("APT_CONFIG", self.root.join("apt.conf")).env("DEBIAN_FRONTEND", "noninteractive");
        command
    }

    fn has_lists(&self) -> bool {
        std::fs::read_dir(self.root.join("state/lists"))
            .map(|entries| entries.flatten().any(|e| e.file_name().to_string_lossy().contains("_Packages")))
            .unwrap_or(false)
    }

    fn update_if_stale(&self, sources_changed: bool) -> Result<()> {
        let stamp = self.root.join("state/update-stamp");
        let failed_stamp = self.root.join("state/update-failed-stamp");
        let has_lists = self.has_lists();
        let is_fresh = |stamp: &Path, max_age: Duration| {
            std::fs::metadata(stamp)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|time| SystemTime::now().duration_since(time).ok())
                .is_some_and(|age| age < max_age)
        };
        // Offline, each try costs seconds of DNS time-outs: one an hour.
        if has_lists
            && !sources_changed
            && (is_fresh(&stamp, LISTS_MAX_AGE) || is_fresh(&failed_stamp, RETRY_AFTER_FAILURE))
        {
            return Ok(());
        }
        eprintln!("xtask: apt-get update (Debian riscv64, private root {})", self.root.display());
        // Error-Mode=any turns a failed download into a non-zero exit.
        let output = self
            .command("apt-get")
            .args(["update", "-q", "-o", "APT::Update::Error-Mode=any"])
            .output()
            .context("running apt-get update")?;
        if output.status.success() {
            std::fs::write(&stamp, "")?;
            // Answers from the old lists are stale now.
            let _ = std::fs::remove_dir_all(self.root.join("state/queries"));
            return Ok(());
        }
        let errors = String::from_utf8_lossy(&output.stderr);
        if has_lists && !sources_changed {
            std::fs::write(&failed_stamp, "")?;
            eprintln!("xtask: apt-get update failed, using the cached package lists:\n{}", errors.trim());
            return Ok(());
        }
        bail!("apt-get update failed and no package lists are cached:\n{errors}")
    }

    /// The packages `apt-get install` would bring onto an empty system for
    /// `packages` (recommends left out), read from a simulated install.
    /// Apt's resolver handles virtual packages and alternatives.
    pub fn resolve_closure(&self, packages: &[&str]) -> Result<Vec<Package>> {
        let mut args = vec!["install", "--simulate", "-q"];
        args.extend(packages);
        let output = self.query("apt-get", &args)?;
        let mut closure = parse_simulation(&output);
        closure.sort();
        Ok(closure)
    }

    /// The output of an apt query, which depends on nothing but the
    /// arguments and the package lists: kept on disk until the lists
    /// change, since apt takes about a second to load them.
    fn query(&self, program: &str, args: &[&str]) -> Result<String> {
        let mut hasher = Sha256::new();
        hasher.update(format!("{program} {args:?}\n{}", self.lists_fingerprint()?));
        let key: String = hasher.finalize()[..12].iter().map(|b| format!("{b:02x}")).collect();
        let memo = self.root.join("state/queries").join(key);
        if let Ok(text) = std::fs::read_to_string(&memo) {
            return Ok(text);
        }
        let output =
            self.command(program).args(args).output().with_context(|| format!("running {program}"))?;
        let text =
            String::from_utf8(output.stdout).with_context(|| format!("{program} printed non-UTF-8"))?;
        if !output.status.success() {
            bail!("{program} {} failed:\n{text}{}", args.join(" "), String::from_utf8_lossy(&output.stderr));
        }
        std::fs::create_dir_all(memo.parent().context("no parent")?)?;
        let partial = memo.with_extension(format!("partial-{}", std::process::id()));
        std::fs::write(&partial, &text)?;
        std::fs::rename(&partial, &memo)?;
        Ok(text)
    }

    /// Names, sizes and times of the package lists: changes with every
    /// update that brings new lists.
    fn lists_fingerprint(&self) -> Result<String> {
        let mut lists: Vec<String> = std::fs::read_dir(self.root.join("state/lists"))?
            .flatten()
            .filter_map(|entry| {
                let meta = entry.metadata().ok().filter(|m| m.is_file())?;
                let modified = meta.modified().ok()?.duration_since(SystemTime::UNIX_EPOCH).ok()?;
                Some(format!("{:?} {} {}", entry.file_name(), meta.len(), modified.as_nanos()))
            })
            .collect();
        lists.sort();
        Ok(lists.join("\n"))
    }

    /// Downloads `packages` (no more: their closure is the caller's) into
    /// the archives cache unless already there; returns the `.deb` paths.
    pub fn download(&self, packages: &[Package]) -> Result<Vec<PathBuf>> {
        let archives = self.root.join("cache/archives");
        let missing: Vec<String> = packages
            .iter()
            .filter(|p| !archives.join(p.file_name()).exists())
            .map(|p| format!("{}={}", p.name, p.version))
            .collect();
        if !missing.is_empty() {
            eprintln!("xtask: downloading {} Debian package(s)", missing.len());
            // `apt-get download` writes into the current directory: a
            // scratch one, so an interrupted download never sits in the
            // archives under its final name.
            let scratch = self.root.join("cache/download");
            let _ = std::fs::remove_dir_all(&scratch);
            std::fs::create_dir_all(&scratch)?;
            let status = self
                .command("apt-get")
                .current_dir(&scratch)
                .args(["download", "-q"])
                .args(&missing)
                .status()
                .context("running apt-get download")?;
            if !status.success() {
                bail!("apt-get download {} failed", missing.join(" "));
            }
            for entry in std::fs::read_dir(&scratch)? {
                let path = entry?.path();
                std::fs::rename(&path, archives.join(path.file_name().context("no file name")?))?;
            }
        }
        packages
            .iter()
            .map(|p| {
                let path = archives.join(p.file_name());
                if path.exists() {
                    Ok(path)
                } else {
                    bail!("apt-get did not leave {}", path.display())
                }
            })
            .collect()
    }

    /// The version apt would pick for `name`, and what it depends on.
    pub fn candidate(&self, name: &str) -> Result<Candidate> {
        let text = self.query("apt-cache", &["show", "--no-all-versions", name])?;
        let field = |key: &str| text.lines().find_map(|line| line.strip_prefix(key).map(str::trim));
        let (Some(version), Some(architecture)) = (field("Version:"), field("Architecture:")) else {
            bail!("apt-cache show {name} gave no Version or Architecture");
        };
        let depends = field("Depends:")
            .unwrap_or("")
            .split([',', '|'])
            .filter_map(|alternative| alternative.split_whitespace().next())
            .map(str::to_string)
            .collect();
        let package =
            Package { name: name.into(), version: version.into(), architecture: architecture.into() };
        Ok(Candidate { package, depends })
    }
}

/// A package's candidate version and its `Depends:`, alternatives
/// flattened (`a | b` gives both) and versions left out.
pub struct Candidate {
    pub package: Package,
    pub depends: Vec<String>,
}

/// `Inst NAME (VERSION ARCHIVE [ARCH])` lines of `apt-get --simulate`.
fn parse_simulation(output: &str) -> Vec<Package> {
    output
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("Inst ")?;
            let (name, rest) = rest.split_once(" (")?;
            let version = rest.split_whitespace().next()?;
            let architecture = rest.split_once('[')?.1.split_once(']')?.0;
            Some(Package { name: name.into(), version: version.into(), architecture: architecture.into() })
        })
        .collect()
}

/// The private sources.list for `mirror`.
fn sources_list(mirror: &str, has_host_keyring: bool) -> String {
    let signed_by = if has_host_keyring { format!(" signed-by={HOST_KEYRING}") } else { String::new() };
    format!(
        "# Written by goose's xtask.\n\
         # trusted=yes: the host's keyring (from an older Debian release) may not\n\
         # hold the keys that sign the current stable release; apt checks the\n\
         # signature with it where it can and accepts the lists where it cannot.\n\
         deb [arch=riscv64 trusted=yes{signed_by}] {mirror} stable main\n"
    )
}

/// `$GOOSE_DEBIAN_MIRROR`, or the first Debian archive URI in the host's
/// apt sources, in the order apt reads them.
pub fn find_mirror() -> Result<String> {
    if let Ok(mirror) = std::env::var(MIRROR_VARIABLE) {
        return Ok(mirror.trim_end_matches('/').to_string());
    }
    let mut files = vec![PathBuf::from("/etc/apt/sources.list")];
    if let Ok(entries) = std::fs::read_dir("/etc/apt/sources.list.d") {
        let mut parts: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        parts.sort();
        files.extend(parts);
    }
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else { continue };
        let uris = match file.extension().and_then(|e| e.to_str()) {
            Some("sources") => deb822_uris(&text),
            _ if file.ends_with("sources.list") || file.extension().is_some_and(|e| e == "list") => {
                one_line_uris(&text)
            }
            _ => continue,
        };
        if let Some(uri) = uris.into_iter().find(|uri| is_debian_archive(uri)) {
            return Ok(uri.trim_end_matches('/').to_string());
        }
    }
    bail!("no Debian archive (a URI ending in /debian) in the host's apt sources; set {MIRROR_VARIABLE}")
}

/// An http(s) URI whose path ends in `/debian` (so not debian-security).
fn is_debian_archive(uri: &str) -> bool {
    (uri.starts_with("http://") || uri.starts_with("https://"))
        && uri.trim_end_matches('/').ends_with("/debian")
}

/// URIs of `deb` lines in the one-line format: `deb [options] URI suite ...`.
fn one_line_uris(text: &str) -> Vec<String> {
    let mut uris = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let Some(rest) = line.strip_prefix("deb ").or_else(|| line.strip_prefix("deb\t")) else { continue };
        let rest = rest.trim_start();
        let rest = match rest.strip_prefix('[') {
            Some(options) => options.split_once(']').map_or("", |(_, after)| after),
            None => rest,
        };
        if let Some(uri) = rest.split_whitespace().next() {
            uris.push(uri.to_string());
        }
    }
    uris
}

/// URIs of enabled `Types: deb` stanzas in the deb822 format.
fn deb822_uris(text: &str) -> Vec<String> {
    let mut uris = Vec::new();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim_start().starts_with('#')).collect();
    for stanza in lines.split(|line| line.trim().is_empty()) {
        let field = |name: &str| {
            stanza.iter().find_map(|line| {
                let (key, value) = line.split_once(':')?;
                key.trim().eq_ignore_ascii_case(name).then(|| value.trim().to_string())
            })
        };
        let is_deb = field("Types").is_some_and(|t| t.split_whitespace().any(|t| t == "deb"));
        let is_enabled = field("Enabled").is_none_or(|e| !e.eq_ignore_ascii_case("no"));
        if is_deb && is_enabled {
            uris.extend(field("URIs").unwrap_or_default().split_whitespace().map(str::to_string));
        }
    }
    uris
}

/// Installs host packages whose commands are missing (`(command,
/// package)` pairs) with the host's apt.
pub fn ensure_host_tools(tools: &[(&str, &str)]) -> Result<()> {
    let missing: Vec<&str> = tools.iter().filter(|(cmd, _)| !on_path(cmd)).map(|(_, pkg)| *pkg).collect();
    if missing.is_empty() {
        return Ok(());
    }
    crate::setup::apt_install(&missing)
}

fn on_path(command: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(command).is_file()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_uris_in_both_formats() {
        let one_line = "# deb http://commented.invalid/debian x main\n\
                        deb-src http://src.invalid/debian stable main\n\
                        deb [arch=amd64 signed-by=/k.gpg] http://mirror.invalid/debian/ stable main\n";
        assert_eq!(one_line_uris(one_line), ["http://mirror.invalid/debian/"]);
        let deb822 = "Types: deb\nURIs: http://off.invalid/debian\nSuites: x\nEnabled: no\n\n\
                      Types: deb deb-src\n# a comment\nURIs: http://mirror.invalid/debian-security \
                      http://mirror.invalid/debian\nSuites: stable\n";
        let uris = deb822_uris(deb822);
        assert_eq!(uris, ["http://mirror.invalid/debian-security", "http://mirror.invalid/debian"]);
        let archive: Vec<&String> = uris.iter().filter(|u| is_debian_archive(u)).collect();
        assert_eq!(archive, ["http://mirror.invalid/debian"]);
        assert!(!is_debian_archive("file:/srv/debian"));
    }

    #[test]
    fn reads_simulated_installs() {
        let output = "Reading package lists...\n\
                      Inst libc6 (2.41-12 Debian:13.1/stable [riscv64]) []\n\
                      Inst busybox-static (1:1.37.0-6+b9 Debian:13.1/stable [riscv64])\n\
                      Inst tzdata (2025b-4 Debian:13.1/stable [all])\n\
                      Conf libc6 (2.41-12 Debian:13.1/stable [riscv64])\n";
        let packages = parse_simulation(output);
        assert_eq!(packages.len(), 3);
        assert_eq!(packages[1].file_name(), "busybox-static_1%3a1.37.0-6+b9_riscv64.deb");
        assert_eq!(packages[2].architecture, "all");
    }
}
