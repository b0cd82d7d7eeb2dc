//! Reads a crate's `src/` and finds import loops: between files (a file stands for the module it
//! defines), and between the modules of one folder (every module imports only modules below it).
//!
//! Imports are read with `syn`, not with patterns: `use` trees (with `crate`, `super`, `self` and
//! a folder's own children), and every path written `crate::...` or `super::...` in code or in
//! macro arguments. A name is followed through re-exports (`pub use`, globs) to the file that
//! defines it, so `crate::app::State` counts as an import of `src/app/state.rs`, not of
//! `src/app/mod.rs`. A module file re-exporting its own children (`pub use child::X`) is a facade,
//! not an import.
//! Test code (`#[cfg(test)]` items and modules, `tests.rs`, `*_tests.rs`) is left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::import_syntax::{absolute, is_cfg_test, Collector, ModPath, UseLeaf};

#[derive(Debug, Default)]
struct Module {
    file: PathBuf,
    /// Items this file defines (functions, types, traits, constants, inline modules, macros).
    defines: BTreeSet<String>,
    /// Module-level `use` leaves, for following names through this module.
    uses: Vec<UseLeaf>,
    /// Every path this file reaches for, absolute, with whether it is a facade re-export.
    refs: Vec<(ModPath, bool)>,
    /// The last two segments of every path written in it (`Type::function`), and of every `use`.
    tails: BTreeSet<(String, String)>,
}

/// An import from one file to another, with the names taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub from: String,
    pub to: String,
    pub names: BTreeSet<String>,
}

/// Sibling modules of one folder that reach each other: the folder, and each module -> module
/// arrow with one file import that makes it.
pub type ModuleLoop = (String, Vec<(String, String, String)>);

#[derive(Debug, Default)]
pub struct Report {
    /// Groups of files that reach each other, each with the imports inside the group.
    pub file_loops: Vec<Vec<Import>>,
    /// Groups of sibling modules (inside one folder) that reach each other.
    pub module_loops: Vec<ModuleLoop>,
    pub files: usize,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.file_loops.is_empty() && self.module_loops.is_empty()
    }

    /// The loops in words, each file and import named.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        for group in &self.file_loops {
            let files: BTreeSet<&str> = group.iter().map(|i| i.from.as_str()).collect();
            out.push_str(&format!("import loop between {} files:\n", files.len()));
            for i in group {
                let names: Vec<&str> = i.names.iter().map(String::as_str).collect();
                out.push_str(&format!("  {} -> {} ({})\n", i.from, i.to, names.join(", ")));
            }
        }
        for (folder, arrows) in &self.module_loops {
            out.push_str(&format!("import loop between the modules of {folder}:\n"));
            for (a, b, via) in arrows {
                out.push_str(&format!("  {a} -> {b} (e.g. {via})\n"));
            }
        }
        out.push_str(&format!(
            "{} file loop(s), {} module loop(s) in {} files\n",
            self.file_loops.len(),
            self.module_loops.len(),
            self.files
        ));
        out
    }
}

pub struct Crate {
    modules: BTreeMap<ModPath, Module>,
}

impl Crate {
    /// Reads every non-test module file under `src` (lib.rs and what it declares; main.rs and
    /// src/bin are other crates and are left out).
    pub fn read(src: &Path) -> Result<Crate, String> {
        let mut modules = BTreeMap::new();
        let mut test_only: BTreeSet<ModPath> = BTreeSet::new();
        let mut files = Vec::new();
        collect_files(src, &mut files);
        files.sort();
        for file in files {
            let rel = file.strip_prefix(src).map_err(|e| e.to_string())?;
            let mut parts: Vec<String> =
                rel.with_extension("").components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            let name = parts.last().cloned().unwrap_or_default();
            if name == "main" || parts.first().is_some_and(|p| p == "bin") {
                continue;
            }
            if name == "tests" || name.ends_with("_tests") {
                continue;
            }
            if name == "mod" || name == "lib" {
                parts.pop();
            }
            let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let parsed = syn::parse_file(&text).map_err(|e| format!("{}: {e}", file.display()))?;
            // Module files declared under #[cfg(test)] are test code.
            for item in &parsed.items {
                if let syn::Item::Mod(m) = item {
                    if m.content.is_none() && is_cfg_test(&m.attrs) {
                        let mut child = parts.clone();
                        child.push(m.ident.to_string());
                        test_only.insert(child);
                    }
                }
            }
            let mut c = Collector {
                children: BTreeSet::new(),
                defines: BTreeSet::new(),
                uses: Vec::new(),
                paths: Vec::new(),
                all_paths: Vec::new(),
                depth: 0,
            };
            for item in &parsed.items {
                syn::visit::Visit::visit_item(&mut c, item);
            }
            // A file that declares module files of its own is their facade.
            let facade = !c.children.is_empty();
            let mut module = Module { file: file.clone(), defines: c.defines.clone(), ..Module::default() };
            for (leaf, top) in &c.uses {
                let Some(path) = absolute(&parts, &c.children, &c.defines, &leaf.path) else { continue };
                let own_child = path.len() > parts.len() && path.starts_with(&parts);
                if *top {
                    module.uses.push(UseLeaf { path: path.clone(), name: leaf.name.clone(), public: leaf.public });
                }
                module.refs.push((path, facade && leaf.public && own_child && *top));
            }
            for p in &c.paths {
                if let Some(path) = absolute(&parts, &c.children, &c.defines, p) {
                    module.refs.push((path, false));
                }
            }
            let leaves = c.uses.iter().map(|(l, _)| l.path.clone());
            for p in c.all_paths.iter().cloned().chain(leaves) {
                if p.len() >= 2 {
                    module.tails.insert((p[p.len() - 2].clone(), p[p.len() - 1].clone()));
                }
            }
            modules.insert(parts, module);
        }
        modules.retain(|path, _| !test_only.iter().any(|t| path.starts_with(t)));
        Ok(Crate { modules })
    }

    fn file_module(&self, path: &[String]) -> Option<(usize, &ModPath)> {
        (0..=path.len()).rev().find_map(|n| self.modules.get_key_value(&path[..n]).map(|(k, _)| (n, k)))
    }

    /// The module whose file defines what `path` names, following re-exports.
    fn resolve(&self, path: &[String], depth: usize) -> Option<ModPath> {
        let (n, module_path) = self.file_module(path)?;
        let module_path = module_path.clone();
        let rest = &path[n..];
        let Some(name) = rest.first() else { return Some(module_path) };
        if depth > 16 {
            return Some(module_path);
        }
        let module = &self.modules[&module_path];
        if module.defines.contains(name) {
            return Some(module_path);
        }
        for leaf in module.uses.iter().filter(|l| l.name.as_deref() == Some(name.as_str())) {
            let mut target = leaf.path.clone();
            target.extend(rest[1..].iter().cloned());
            if let Some(found) = self.resolve(&target, depth + 1) {
                return Some(found);
            }
        }
        for glob in module.uses.iter().filter(|l| l.name.is_none()) {
            let mut target = glob.path.clone();
            target.extend(rest.iter().cloned());
            if let Some(found) = self.resolve(&target, depth + 1) {
                if self.modules[&found].defines.contains(name) || found.len() > glob.path.len() {
                    return Some(found);
                }
            }
        }
        Some(module_path)
    }

    /// Every import between two different files.
    pub fn imports(&self) -> Vec<Import> {
        let mut edges: BTreeMap<(ModPath, ModPath), BTreeSet<String>> = BTreeMap::new();
        for (from, module) in &self.modules {
            for (path, facade) in &module.refs {
                if *facade {
                    continue;
                }
                let Some(to) = self.resolve(path, 0) else { continue };
                if &to != from {
                    let name = path.last().cloned().unwrap_or_default();
                    edges.entry((from.clone(), to)).or_default().insert(name);
                }
            }
        }
        edges
            .into_iter()
            .map(|((from, to), names)| Import { from: self.file_of(&from), to: self.file_of(&to), names })
            .collect()
    }

    /// The files (outside test code) that write `owner::function`, as a call or in a `use`.
    pub fn callers(&self, owner: &str, function: &str) -> Vec<String> {
        let wanted = (owner.to_string(), function.to_string());
        self.modules.iter().filter(|(_, m)| m.tails.contains(&wanted)).map(|(k, _)| self.file_of(k)).collect()
    }

    fn file_of(&self, module: &ModPath) -> String {
        self.modules[module].file.to_string_lossy().into_owned()
    }

    pub fn report(&self) -> Report {
        let imports = self.imports();
        let mut report = Report { files: self.modules.len(), ..Report::default() };
        // Files.
        let graph: BTreeMap<String, BTreeSet<String>> = imports.iter().fold(BTreeMap::new(), |mut g, i| {
            g.entry(i.from.clone()).or_default().insert(i.to.clone());
            g
        });
        for group in strongly_connected(&graph) {
            let inside: Vec<Import> =
                imports.iter().filter(|i| group.contains(&i.from) && group.contains(&i.to)).cloned().collect();
            report.file_loops.push(inside);
        }
        // Sibling modules of each folder.
        let by_file: BTreeMap<String, ModPath> = self.modules.keys().map(|k| (self.file_of(k), k.clone())).collect();
        let mut folders: BTreeMap<ModPath, BTreeMap<(String, String), String>> = BTreeMap::new();
        for i in &imports {
            let (a, b) = (&by_file[&i.from], &by_file[&i.to]);
            let common = a.iter().zip(b.iter()).take_while(|(x, y)| x == y).count();
            if common == a.len() || common == b.len() {
                continue; // a module and its own descendant: not siblings
            }
            let via = format!("{} -> {}", i.from, i.to);
            folders
                .entry(a[..common].to_vec())
                .or_default()
                .entry((a[common].clone(), b[common].clone()))
                .or_insert(via);
        }
        for (folder, arrows) in folders {
            let graph: BTreeMap<String, BTreeSet<String>> = arrows.keys().fold(BTreeMap::new(), |mut g, (a, b)| {
                g.entry(a.clone()).or_default().insert(b.clone());
                g
            });
            for group in strongly_connected(&graph) {
                let inside = arrows
                    .iter()
                    .filter(|((a, b), _)| group.contains(a) && group.contains(b))
                    .map(|((a, b), via)| (a.clone(), b.clone(), via.clone()))
                    .collect();
                let name =
                    if folder.is_empty() { "crate".to_string() } else { format!("crate::{}", folder.join("::")) };
                report.module_loops.push((name, inside));
            }
        }
        report
    }
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Tarjan's strongly connected components with more than one member.
fn strongly_connected(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    struct Search<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<BTreeSet<String>>,
    }
    impl<'a> Search<'a> {
        fn visit(&mut self, v: &'a str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut group = BTreeSet::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    group.insert(w.to_string());
                    if w == v {
                        break;
                    }
                }
                if group.len() > 1 {
                    self.found.push(group);
                }
            }
        }
    }
    let mut s = Search {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            s.visit(v);
        }
    }
    s.found
}
