//! Reads depmod's tables (modules.dep, modules.softdep, modules.alias,
//! modules.builtin) and orders a set of Linux modules so that each comes
//! after everything it needs, as `modprobe` would load them.

use anyhow::{bail, Context, Result};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// depmod's view of one kernel's modules, keyed by module name.
#[derive(Debug, Default)]
pub struct ModuleIndex {
    /// Name → path (relative to lib/modules/<version>/) and the names of
    /// its dependencies as modules.dep lists them.
    modules: HashMap<String, (String, Vec<String>)>,
    /// Name → modules to load before it (`softdep NAME pre: ...`), as
    /// names or aliases.
    soft_pre: HashMap<String, Vec<String>>,
    aliases: HashMap<String, String>,
    builtin: HashSet<String>,
}

/// `kernel/fs/ext4/ext4.ko.xz` → `ext4`; Linux treats `-` and `_` in module
/// names alike and shows `_`.
pub fn module_name(path: &str) -> String {
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.split(".ko").next().unwrap_or(file);
    stem.replace('-', "_")
}

/// `kernel/fs/ext4/ext4.ko.xz` → `kernel/fs/ext4/ext4.ko`.
pub fn uncompressed_name(path: &str) -> String {
    match path.rfind(".ko") {
        Some(at) => format!("{}.ko", &path[..at]),
        None => path.to_string(),
    }
}

impl ModuleIndex {
    /// Reads the tables depmod wrote into `dir` (lib/modules/<version>).
    pub fn read(dir: &Path) -> Result<ModuleIndex> {
        let read = |name: &str| {
            std::fs::read_to_string(dir.join(name))
                .with_context(|| format!("reading {name} (did depmod run?)"))
        };
        let mut index = ModuleIndex::default();
        index.parse_dep(&read("modules.dep")?);
        index.parse_softdep(&read("modules.softdep")?);
        index.parse_alias(&read("modules.alias")?);
        index.builtin = read("modules.builtin")?.lines().map(module_name).collect();
        Ok(index)
    }

    fn parse_dep(&mut self, text: &str) {
        for line in text.lines() {
            let Some((path, depends)) = line.split_once(':') else { continue };
            let depends = depends.split_whitespace().map(module_name).collect();
            self.modules.insert(module_name(path), (path.trim().to_string(), depends));
        }
    }

    fn parse_softdep(&mut self, text: &str) {
        for line in text.lines() {
            let mut words = line.split_whitespace();
            let (Some("softdep"), Some(name)) = (words.next(), words.next()) else { continue };
            let mut is_pre = false;
            for word in words {
                match word {
                    "pre:" => is_pre = true,
                    "post:" => is_pre = false,
                    other if is_pre => {
                        self.soft_pre.entry(name.replace('-', "_")).or_default().push(other.into())
                    }
                    _ => {}
                }
            }
        }
    }

    fn parse_alias(&mut self, text: &str) {
        for line in text.lines() {
            let mut words = line.split_whitespace();
            if let (Some("alias"), Some(alias), Some(module)) = (words.next(), words.next(), words.next()) {
                self.aliases.entry(alias.to_string()).or_insert_with(|| module.replace('-', "_"));
            }
        }
    }

    /// The module file of `name`, relative to lib/modules/<version>/.
    pub fn path(&self, name: &str) -> Option<&str> {
        self.modules.get(name).map(|(path, _)| path.as_str())
    }

    /// What modules.dep says `name` needs.
    pub fn depends(&self, name: &str) -> &[String] {
        self.modules.get(name).map_or(&[], |(_, depends)| depends.as_slice())
    }

    /// A module name or alias as a loadable module's name; `None` for one
    /// built into the kernel (nothing to load).
    fn resolve(&self, name_or_alias: &str) -> Result<Option<String>> {
        let name = name_or_alias.replace('-', "_");
        if self.modules.contains_key(&name) {
            return Ok(Some(name));
        }
        if self.builtin.contains(&name) {
            return Ok(None);
        }
        match self.aliases.get(name_or_alias) {
            Some(module) if self.modules.contains_key(module) => Ok(Some(module.clone())),
            Some(module) if self.builtin.contains(module) => Ok(None),
            _ => bail!("no module or alias {name_or_alias}"),
        }
    }

    /// `roots` and everything they need, each after its needs: soft
    /// dependencies first, then hard ones (modules.dep lists them so that
    /// the last is loaded first, as modprobe does), then the module.
    pub fn load_order(&self, roots: &[&str]) -> Result<Vec<String>> {
        let mut order = Vec::new();
        let mut seen = HashSet::new();
        for root in roots {
            let name = self.resolve(root)?.with_context(|| format!("{root} is built in, not a module"))?;
            self.visit(&name, &mut seen, &mut order)?;
        }
        Ok(order)
    }

    fn visit(&self, name: &str, seen: &mut HashSet<String>, order: &mut Vec<String>) -> Result<()> {
        if !seen.insert(name.to_string()) {
            return Ok(());
        }
        for soft in self.soft_pre.get(name).into_iter().flatten() {
            if let Some(module) = self.resolve(soft)? {
                self.visit(&module, seen, order)?;
            }
        }
        for dependency in self.depends(name).iter().rev() {
            self.visit(dependency, seen, order)?;
        }
        order.push(name.to_string());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ModuleIndex {
        let mut index = ModuleIndex::default();
        index.parse_dep(
            "kernel/fs/ext4/ext4.ko.xz: kernel/lib/crc16.ko.xz kernel/fs/mbcache.ko.xz kernel/fs/jbd2/jbd2.ko.xz\n\
             kernel/lib/crc16.ko.xz:\nkernel/fs/mbcache.ko.xz:\nkernel/fs/jbd2/jbd2.ko.xz:\n\
             kernel/crypto/crc32c_generic.ko.xz:\n\
             kernel/drivers/net/virtio_net.ko.xz: kernel/drivers/net/net_failover.ko.xz kernel/net/core/failover.ko.xz\n\
             kernel/drivers/net/net_failover.ko.xz: kernel/net/core/failover.ko.xz\n\
             kernel/net/core/failover.ko.xz:\n",
        );
        index.parse_softdep(
            "# comment\nsoftdep ext4 pre: crypto-crc32c\nsoftdep jbd2 pre: crypto-crc32c post: x\n",
        );
        index.parse_alias("alias crypto-crc32c crc32c_generic\nalias crc32c crc32c_generic\n");
        index.builtin.insert("virtio_ring".into());
        index
    }

    #[test]
    fn dependencies_come_first() {
        let order = sample().load_order(&["virtio_net", "ext4"]).unwrap();
        assert_eq!(
            order,
            ["failover", "net_failover", "virtio_net", "crc32c_generic", "jbd2", "mbcache", "crc16", "ext4"]
        );
    }

    #[test]
    fn names_and_errors() {
        assert_eq!(module_name("kernel/drivers/net/virtio-net.ko.xz"), "virtio_net");
        assert_eq!(uncompressed_name("kernel/fs/ext4/ext4.ko.zst"), "kernel/fs/ext4/ext4.ko");
        let index = sample();
        assert!(index.load_order(&["virtio_ring"]).is_err(), "built in");
        assert!(index.load_order(&["nonexistent"]).is_err());
        assert_eq!(index.path("ext4"), Some("kernel/fs/ext4/ext4.ko.xz"));
    }
}
