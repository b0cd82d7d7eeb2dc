//! What one file of the crate says, read with `syn`: its `use` leaves, the items it defines, its
//! child modules, and every path it writes (in code and in macro arguments), test code left out.
//! tests/support/layers.rs turns these into imports between files and finds the loops.

use std::collections::BTreeSet;

pub type ModPath = Vec<String>;

/// One `use` leaf: the path as written (made absolute) and the name it binds, if any.
#[derive(Debug, Clone)]
pub struct UseLeaf {
    pub path: ModPath,
    /// None for a glob (`use x::*`).
    pub name: Option<String>,
    pub public: bool,
}

pub fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg") && {
            let tokens = a.meta.require_list().map(|l| l.tokens.to_string()).unwrap_or_default();
            tokens.split(|c: char| !c.is_alphanumeric() && c != '_').any(|w| w == "test") && !tokens.contains("not")
        }
    })
}

fn flatten_use(tree: &syn::UseTree, prefix: &mut Vec<String>, public: bool, out: &mut Vec<UseLeaf>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            flatten_use(&p.tree, prefix, public, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            let mut path = prefix.clone();
            let bound = if name == "self" { prefix.last().cloned() } else { Some(name.clone()) };
            if name != "self" {
                path.push(name);
            }
            out.push(UseLeaf { path, name: bound, public });
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix.clone();
            if r.ident != "self" {
                path.push(r.ident.to_string());
            }
            out.push(UseLeaf { path, name: Some(r.rename.to_string()), public });
        }
        syn::UseTree::Glob(_) => out.push(UseLeaf { path: prefix.clone(), name: None, public }),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| flatten_use(t, prefix, public, out)),
    }
}

/// Collects paths and `use` leaves of one file, skipping test code.
pub struct Collector {
    pub children: BTreeSet<String>,
    pub defines: BTreeSet<String>,
    /// (leaf, at module level)
    pub uses: Vec<(UseLeaf, bool)>,
    pub paths: Vec<Vec<String>>,
    /// Every path of two or more segments, whatever it starts with (for `callers`).
    pub all_paths: Vec<Vec<String>>,
    pub depth: usize,
}

impl Collector {
    fn tokens(&mut self, tokens: proc_macro2::TokenStream) {
        let flat: Vec<proc_macro2::TokenTree> = flatten_tokens(tokens);
        let mut i = 0;
        while i < flat.len() {
            if let proc_macro2::TokenTree::Ident(id) = &flat[i] {
                let word = id.to_string();
                let preceded_by_colons =
                    i >= 1 && matches!(&flat[i - 1], proc_macro2::TokenTree::Punct(p) if p.as_char() == ':');
                if (word == "crate" || word == "super") && !preceded_by_colons {
                    let mut path = vec![word];
                    let mut j = i + 1;
                    while j + 2 < flat.len()
                        && matches!(&flat[j], proc_macro2::TokenTree::Punct(p) if p.as_char() == ':')
                        && matches!(&flat[j + 1], proc_macro2::TokenTree::Punct(p) if p.as_char() == ':')
                    {
                        match &flat[j + 2] {
                            proc_macro2::TokenTree::Ident(next) => path.push(next.to_string()),
                            _ => break,
                        }
                        j += 3;
                    }
                    if path.len() > 1 {
                        self.paths.push(path);
                    }
                    i = j;
                    continue;
                }
            }
            i += 1;
        }
    }
}

fn flatten_tokens(tokens: proc_macro2::TokenStream) -> Vec<proc_macro2::TokenTree> {
    let mut out = Vec::new();
    for t in tokens {
        match t {
            proc_macro2::TokenTree::Group(g) => out.extend(flatten_tokens(g.stream())),
            other => out.push(other),
        }
    }
    out
}

impl<'ast> syn::visit::Visit<'ast> for Collector {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs: &[syn::Attribute] = match item {
            syn::Item::Fn(i) => &i.attrs,
            syn::Item::Mod(i) => &i.attrs,
            syn::Item::Use(i) => &i.attrs,
            syn::Item::Impl(i) => &i.attrs,
            syn::Item::Struct(i) => &i.attrs,
            syn::Item::Enum(i) => &i.attrs,
            syn::Item::Const(i) => &i.attrs,
            syn::Item::Static(i) => &i.attrs,
            syn::Item::Trait(i) => &i.attrs,
            syn::Item::Type(i) => &i.attrs,
            syn::Item::Macro(i) => &i.attrs,
            _ => &[],
        };
        if is_cfg_test(attrs) {
            return;
        }
        if self.depth == 0 {
            let name = match item {
                syn::Item::Fn(i) => Some(i.sig.ident.to_string()),
                syn::Item::Struct(i) => Some(i.ident.to_string()),
                syn::Item::Enum(i) => Some(i.ident.to_string()),
                syn::Item::Const(i) => Some(i.ident.to_string()),
                syn::Item::Static(i) => Some(i.ident.to_string()),
                syn::Item::Trait(i) => Some(i.ident.to_string()),
                syn::Item::Type(i) => Some(i.ident.to_string()),
                syn::Item::Union(i) => Some(i.ident.to_string()),
                syn::Item::Macro(i) => i.ident.as_ref().map(ToString::to_string),
                syn::Item::Mod(i) if i.content.is_some() => Some(i.ident.to_string()),
                _ => None,
            };
            self.defines.extend(name);
            if let syn::Item::Mod(m) = item {
                if m.content.is_none() {
                    self.children.insert(m.ident.to_string());
                }
            }
        }
        match item {
            syn::Item::Use(u) => {
                let public = !matches!(u.vis, syn::Visibility::Inherited);
                let mut leaves = Vec::new();
                flatten_use(&u.tree, &mut Vec::new(), public, &mut leaves);
                let top = self.depth == 0;
                self.uses.extend(leaves.into_iter().map(|l| (l, top)));
            }
            syn::Item::Mod(m) => {
                self.depth += 1;
                syn::visit::visit_item_mod(self, m);
                self.depth -= 1;
            }
            syn::Item::Fn(f) => {
                self.depth += 1;
                syn::visit::visit_item_fn(self, f);
                self.depth -= 1;
            }
            other => syn::visit::visit_item(self, other),
        }
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !is_cfg_test(&f.attrs) {
            syn::visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.leading_colon.is_none() {
            let segs: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
            if segs.len() > 1 && matches!(segs[0].as_str(), "crate" | "super" | "self") {
                self.paths.push(segs.clone());
            }
            if segs.len() > 1 {
                self.all_paths.push(segs);
            }
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.tokens(mac.tokens.clone());
        syn::visit::visit_macro(self, mac);
    }
}

/// Makes a written path absolute from module `here`; None for an external crate or std.
pub fn absolute(
    here: &ModPath,
    children: &BTreeSet<String>,
    defines: &BTreeSet<String>,
    path: &[String],
) -> Option<ModPath> {
    let first = path.first()?;
    match first.as_str() {
        "crate" => Some(path[1..].to_vec()),
        "self" => Some(here.iter().cloned().chain(path[1..].iter().cloned()).collect()),
        "super" => {
            let mut base = here.clone();
            let mut rest = path;
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
            Some(base.into_iter().chain(rest.iter().cloned()).collect())
        }
        // A bare path in a `use` names a child module or an item of this module (2018 paths).
        name if children.contains(name) || defines.contains(name) => {
            Some(here.iter().cloned().chain(path.iter().cloned()).collect())
        }
        _ => None,
    }
}
