//! Architecture rules, checked against the sources under `src/` at test time (std only).
//!
//! 1. Layering: a top-level module may use only modules of strictly lower rank in [`RANKS`].
//!    `src/lib.rs`, `src/main.rs` and `src/cli/**` (the binary) are exempt: they are the top.
//! 2. No cycles in the file-level import graph of `src/`, nor among top-level modules.
//! 3. Nothing outside the binary (`src/main.rs`, `src/cli/**`) mentions `mockex::` or `tokio`, nor
//!    the TUI crates (`ratatui::`, `crossterm::`: `microarb top` is the binary's).
//!
//! Edges come from code only: comments (doc comments included) and string/char literals are
//! blanked first. A path is resolved to the deepest file that exists, and a path that stops at a
//! module root is followed through that module's `pub use` re-exports to the defining file. `mod`
//! declarations and `pub use` re-exports of a module's own descendants are declarations, not
//! edges. The checker's own tests are at the bottom of this file.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

/// The layering rule; mirrors docs/architecture.md (edit both together). A top-level module may
/// use only modules of strictly lower rank, so modules of equal rank never import each other.
/// A module listed here that does not exist (yet) is fine; a module that exists in `src/` but is
/// missing here is a failure.
const RANKS: &[(&str, u32)] = &[
    ("model", 0),
    ("base", 1),
    ("net", 2),
    ("config", 2),
    ("runtime", 3),
    ("cache", 3),
    ("telemetry", 4),
    ("record", 5),
    // The stages: they never import each other.
    ("ingest", 6),
    ("strategy", 6),
    ("exec", 6),
    ("pipeline", 7),
];

/// The library crate's name, as the binary's files spell it.
const LIB_CRATE: &str = "microarb";
/// Module-path roots of the two crates that live in `src/`.
const LIB: &str = "<lib>";
const BIN: &str = "<bin>";

// ------------------------------------------------------------------------------------------------
// Blanking comments and literals.

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// `src` with comments and the contents of string/char literals replaced by spaces (newlines
/// kept), byte for byte, so offsets and line numbers still match `src`. The quotes of string
/// literals stay, so a `#[path = "..."]` value can be read back from `src` at the same offsets.
fn blank(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = b.to_vec();
    let n = b.len();
    let wipe = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to.min(n)] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    let mut i = 0;
    while i < n {
        let c = b[i];
        if !matches!(c, b'/' | b'"' | b'\'' | b'r' | b'b' | b'c') {
            i += 1;
            continue;
        }
        let at_boundary = i == 0 || !is_ident_byte(b[i - 1]);
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            let end = b[i..].iter().position(|&x| x == b'\n').map_or(n, |p| i + p);
            wipe(&mut out, i, end);
            i = end;
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let (mut j, mut depth) = (i + 2, 1);
            while j < n && depth > 0 {
                if b[j] == b'/' && b.get(j + 1) == Some(&b'*') {
                    depth += 1;
                    j += 2;
                } else if b[j] == b'*' && b.get(j + 1) == Some(&b'/') {
                    depth -= 1;
                    j += 2;
                } else {
                    j += 1;
                }
            }
            wipe(&mut out, i, j);
            i = j;
        } else if at_boundary && matches!(c, b'r' | b'b' | b'c') && raw_string_at(b, i).is_some() {
            let (open, close, end) = raw_string_at(b, i).unwrap_or_default();
            wipe(&mut out, i, open);
            wipe(&mut out, open + 1, close);
            wipe(&mut out, close + 1, end);
            i = end;
        } else if at_boundary && matches!(c, b'b' | b'c') && b.get(i + 1) == Some(&b'"') {
            out[i] = b' ';
            i += 1; // the string itself is handled on the next turn
        } else if at_boundary && c == b'b' && b.get(i + 1) == Some(&b'\'') {
            let end = char_literal_end(b, i + 1).unwrap_or(i + 2);
            wipe(&mut out, i, end);
            i = end;
        } else if c == b'"' {
            let mut j = i + 1;
            while j < n && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            wipe(&mut out, i + 1, j);
            i = j + 1;
        } else if c == b'\'' {
            match char_literal_end(b, i) {
                Some(end) => {
                    wipe(&mut out, i, end);
                    i = end;
                }
                None => i += 1, // a lifetime or a label: `'a`, `'static`, `'outer:`
            }
        } else {
            i += 1;
        }
    }
    String::from_utf8(out).expect("blanking keeps UTF-8 valid")
}

/// A raw string (`r"..."`, `r#"..."#`, `br".."`, `cr".."`) starting at `i`: the offsets of its
/// opening quote, its closing quote and its end.
fn raw_string_at(b: &[u8], i: usize) -> Option<(usize, usize, usize)> {
    let mut j = i;
    if b[j] == b'b' || b[j] == b'c' {
        j += 1;
    }
    if b.get(j) != Some(&b'r') {
        return None;
    }
    j += 1;
    let hashes = b[j..].iter().take_while(|&&x| x == b'#').count();
    j += hashes;
    if b.get(j) != Some(&b'"') {
        return None; // `r#ident` is a raw identifier, not a string
    }
    let open = j;
    let mut k = open + 1;
    while k < b.len() {
        if b[k] == b'"'
            && b[k + 1..]
                .iter()
                .take(hashes)
                .filter(|&&x| x == b'#')
                .count()
                == hashes
        {
            return Some((open, k, k + 1 + hashes));
        }
        k += 1;
    }
    Some((open, b.len(), b.len()))
}

/// The end of the char literal whose opening quote is at `i`, or `None` for a lifetime.
fn char_literal_end(b: &[u8], i: usize) -> Option<usize> {
    let next = *b.get(i + 1)?;
    if next == b'\\' {
        let mut j = i + 3; // past the backslash and the escaped byte
        while j < b.len() && b[j] != b'\'' && b[j] != b'\n' {
            j += 1;
        }
        return (b.get(j) == Some(&b'\'')).then_some(j + 1);
    }
    let len = match next {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    };
    (next != b'\'' && b.get(i + 1 + len) == Some(&b'\'')).then_some(i + 2 + len)
}

// ------------------------------------------------------------------------------------------------
// Tokens.

#[derive(Debug, Clone, PartialEq)]
enum Tok<'a> {
    Ident(&'a str),
    /// `::`
    Sep,
    Punct(u8),
    /// A string literal: the byte range of its contents in the original source.
    Str(usize, usize),
}

#[derive(Debug, Clone)]
struct Token<'a> {
    tok: Tok<'a>,
    line: u32,
}

fn tokenize(code: &str) -> Vec<Token<'_>> {
    let b = code.as_bytes();
    let (mut toks, mut i, mut line) = (Vec::new(), 0, 1u32);
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            line += 1;
            i += 1;
        } else if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'"' {
            let end = b[i + 1..]
                .iter()
                .position(|&x| x == b'"')
                .map_or(b.len(), |p| i + 1 + p);
            line += b[i..end].iter().filter(|&&x| x == b'\n').count() as u32;
            toks.push(Token {
                tok: Tok::Str(i + 1, end),
                line,
            });
            i = end + 1;
        } else if c == b'\'' {
            // Only lifetimes and labels are left after blanking: skip the name.
            i += 1;
            while i < b.len() && is_ident_byte(b[i]) {
                i += 1;
            }
        } else if c.is_ascii_digit() {
            while i < b.len() && is_ident_byte(b[i]) {
                i += 1;
            }
        } else if is_ident_byte(c) {
            let mut start = i;
            if c == b'r'
                && b.get(i + 1) == Some(&b'#')
                && b.get(i + 2).is_some_and(|&x| is_ident_byte(x))
            {
                start = i + 2; // raw identifier `r#name`
            }
            i = start;
            while i < b.len() && is_ident_byte(b[i]) {
                i += 1;
            }
            toks.push(Token {
                tok: Tok::Ident(&code[start..i]),
                line,
            });
        } else if c == b':' && b.get(i + 1) == Some(&b':') {
            toks.push(Token {
                tok: Tok::Sep,
                line,
            });
            i += 2;
        } else {
            toks.push(Token {
                tok: Tok::Punct(c),
                line,
            });
            i += 1;
        }
    }
    toks
}

fn ident<'a>(t: Option<&Token<'a>>) -> Option<&'a str> {
    match t {
        Some(Token {
            tok: Tok::Ident(s), ..
        }) => Some(s),
        _ => None,
    }
}

fn is_punct(t: Option<&Token>, p: u8) -> bool {
    matches!(t, Some(Token { tok: Tok::Punct(c), .. }) if *c == p)
}

fn is_sep(t: Option<&Token>) -> bool {
    matches!(t, Some(Token { tok: Tok::Sep, .. }))
}

// ------------------------------------------------------------------------------------------------
// Scanning one file.

/// A `use` leaf: `raw` as written (relative to `nest`, the inline modules around it).
#[derive(Debug, Clone)]
struct UseLeaf {
    nest: Vec<String>,
    raw: Vec<String>,
    glob: bool,
    alias: String,
    is_pub: bool,
    line: u32,
}

#[derive(Debug, Clone)]
struct PathRef {
    nest: Vec<String>,
    raw: Vec<String>,
    line: u32,
}

#[derive(Debug, Default)]
struct Scan {
    /// `mod name;` declarations: inline nesting, name, `#[path]` value.
    mod_decls: Vec<(Vec<String>, String, Option<String>)>,
    /// Inline `mod name { .. }` blocks, as nesting paths.
    inline_mods: Vec<Vec<String>>,
    defs: Vec<(Vec<String>, String)>,
    uses: Vec<UseLeaf>,
    paths: Vec<PathRef>,
    /// Rule 3: (line, what).
    mentions: Vec<(u32, String)>,
}

const DEF_KEYWORDS: &[&str] = &[
    "fn", "struct", "enum", "trait", "type", "const", "static", "union",
];

fn scan(src: &str) -> Scan {
    let code = blank(src);
    let toks = tokenize(&code);
    let mut out = Scan::default();
    for (k, t) in toks.iter().enumerate() {
        match ident(Some(t)) {
            Some("tokio") => out.mentions.push((t.line, "tokio".into())),
            Some(tui @ ("ratatui" | "crossterm")) if is_sep(toks.get(k + 1)) => {
                out.mentions.push((t.line, format!("{tui}::")))
            }
            Some("mockex") if is_sep(toks.get(k + 1)) || (k > 0 && is_sep(toks.get(k - 1))) => {
                out.mentions.push((t.line, "mockex::".into()))
            }
            Some("mockex")
                if k >= 2
                    && ident(toks.get(k - 1)) == Some("crate")
                    && ident(toks.get(k - 2)) == Some("extern") =>
            {
                out.mentions.push((t.line, "extern crate mockex".into()))
            }
            _ => {}
        }
    }
    let mut nest: Vec<(String, usize)> = Vec::new(); // inline module, brace depth of its body
    let nest_names =
        |nest: &[(String, usize)]| nest.iter().map(|n| n.0.clone()).collect::<Vec<_>>();
    let (mut depth, mut pending_path, mut k) = (0usize, None::<String>, 0usize);
    while k < toks.len() {
        let t = &toks[k];
        match &t.tok {
            Tok::Punct(b'{') => depth += 1,
            Tok::Punct(b'}') => {
                if nest.last().is_some_and(|n| n.1 == depth) {
                    nest.pop();
                }
                depth = depth.saturating_sub(1);
            }
            Tok::Punct(b';') => pending_path = None,
            Tok::Punct(b'#') => {
                let a = if is_punct(toks.get(k + 1), b'!') {
                    k + 2
                } else {
                    k + 1
                };
                if is_punct(toks.get(a), b'[')
                    && ident(toks.get(a + 1)) == Some("path")
                    && is_punct(toks.get(a + 2), b'=')
                {
                    if let Some(Token {
                        tok: Tok::Str(s, e),
                        ..
                    }) = toks.get(a + 3)
                    {
                        pending_path = Some(src[*s..*e].to_string());
                    }
                }
            }
            Tok::Ident(w) if *w == "mod" => {
                if let Some(name) = ident(toks.get(k + 1)) {
                    let name = name.to_string();
                    if is_punct(toks.get(k + 2), b';') {
                        out.mod_decls
                            .push((nest_names(&nest), name, pending_path.take()));
                        k += 3;
                        continue;
                    }
                    if is_punct(toks.get(k + 2), b'{') {
                        depth += 1;
                        nest.push((name, depth));
                        out.inline_mods.push(nest_names(&nest));
                        pending_path = None;
                        k += 3;
                        continue;
                    }
                }
            }
            Tok::Ident(w) if *w == "use" && !is_punct(toks.get(k + 1), b'<') => {
                let is_pub = visibility_before(&toks, k);
                let mut leaves = Vec::new();
                let mut i = k + 1;
                parse_use_tree(&toks, &mut i, Vec::new(), &mut leaves);
                for (raw, glob, alias, line) in leaves {
                    out.uses.push(UseLeaf {
                        nest: nest_names(&nest),
                        raw,
                        glob,
                        alias,
                        is_pub,
                        line,
                    });
                }
                while i < toks.len() && !is_punct(toks.get(i), b';') {
                    i += 1;
                }
                k = i + 1;
                continue;
            }
            Tok::Ident(w) if DEF_KEYWORDS.contains(w) || *w == "macro_rules" => {
                let at = if *w == "macro_rules" { k + 2 } else { k + 1 };
                let body_depth = nest.last().map_or(0, |n| n.1);
                if let Some(name) = ident(toks.get(at)) {
                    if depth == body_depth {
                        out.defs.push((nest_names(&nest), name.to_string()));
                    }
                }
            }
            Tok::Ident(first) if is_sep(toks.get(k + 1)) && !(k > 0 && is_sep(toks.get(k - 1))) => {
                // `pub(in crate::a)` names a scope, not a dependency.
                let in_vis = k >= 2
                    && ident(toks.get(k - 1)) == Some("in")
                    && is_punct(toks.get(k - 2), b'(');
                let mut raw = vec![first.to_string()];
                let mut j = k + 1;
                while is_sep(toks.get(j)) {
                    match ident(toks.get(j + 1)) {
                        Some(s) => raw.push(s.to_string()),
                        None => break,
                    }
                    j += 2;
                }
                if !in_vis {
                    out.paths.push(PathRef {
                        nest: nest_names(&nest),
                        raw,
                        line: t.line,
                    });
                }
                k = j;
                continue;
            }
            _ => {}
        }
        k += 1;
    }
    out
}

/// Whether the `use` at `k` is `pub`, `pub(crate)`, `pub(super)` or `pub(in ..)`.
fn visibility_before(toks: &[Token], k: usize) -> bool {
    if k == 0 {
        return false;
    }
    if ident(toks.get(k - 1)) == Some("pub") {
        return true;
    }
    if is_punct(toks.get(k - 1), b')') {
        let mut j = k - 1;
        while j > 0 && !is_punct(toks.get(j), b'(') {
            j -= 1;
        }
        return j > 0 && ident(toks.get(j - 1)) == Some("pub");
    }
    false
}

type Leaf = (Vec<String>, bool, String, u32);

/// Parses one use tree at `*i` under `prefix`, pushing (path, glob, alias, line) leaves.
fn parse_use_tree(toks: &[Token], i: &mut usize, prefix: Vec<String>, out: &mut Vec<Leaf>) {
    let mut segs = prefix;
    let mut line = toks.get(*i).map_or(0, |t| t.line);
    if is_sep(toks.get(*i)) {
        segs.push("::".into()); // `use ::ext::..`: an external crate
        *i += 1;
    }
    loop {
        let t = toks.get(*i);
        if is_punct(t, b'{') {
            *i += 1;
            while *i < toks.len() && !is_punct(toks.get(*i), b'}') {
                let before = *i;
                parse_use_tree(toks, i, segs.clone(), out);
                if is_punct(toks.get(*i), b',') {
                    *i += 1;
                }
                if *i == before {
                    *i += 1; // never stall on something unexpected
                }
            }
            *i += 1;
            return;
        }
        if is_punct(t, b'*') {
            *i += 1;
            out.push((segs, true, String::new(), line));
            return;
        }
        match ident(t) {
            Some(s) => {
                segs.push(s.to_string());
                line = t.map_or(line, |t| t.line);
                *i += 1;
            }
            None => return,
        }
        if is_sep(toks.get(*i)) {
            *i += 1;
            continue;
        }
        break;
    }
    let mut alias = segs.last().cloned().unwrap_or_default();
    if ident(toks.get(*i)) == Some("as") {
        alias = ident(toks.get(*i + 1)).unwrap_or("_").to_string();
        *i += 2;
    }
    if segs.last().is_some_and(|s| s == "self") {
        segs.pop();
        if alias == "self" {
            alias = segs.last().cloned().unwrap_or_default();
        }
    }
    out.push((segs, false, alias, line));
}

// ------------------------------------------------------------------------------------------------
// The module tree and path resolution.

#[derive(Debug, Default)]
struct Module {
    file: usize,
    children: BTreeSet<String>,
    defs: HashSet<String>,
    imports: HashMap<String, Vec<String>>,
    globs: Vec<Vec<String>>,
}

#[derive(Debug)]
struct File {
    path: String,
    module: Vec<String>,
    scan: Scan,
}

struct Tree {
    files: Vec<File>,
    modules: HashMap<Vec<String>, Module>,
    /// [`Tree::lookup`]'s answers, by (module, name).
    memo: RefCell<HashMap<(ModPath, String), Option<ModPath>>>,
}

/// An absolute module path: the crate root ([`LIB`] or [`BIN`]), then module names.
type ModPath = Vec<String>;

/// A path to resolve: (module it is in, path as written, line, glob-or-inline (so naming a module
/// counts), written `pub`).
type Ref = (ModPath, Vec<String>, u32, bool, bool);

/// A path's absolute form and what it names; `None` outside this tree.
type Resolved = Option<(ModPath, Target)>;

#[derive(Clone)]
enum Target {
    Module(Vec<String>),
    Item(usize),
}

const DEPTH: u32 = 24;

fn parent_dir(path: &str) -> &str {
    path.rfind('/').map_or("", |p| &path[..p])
}

fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

impl Tree {
    /// Builds the module trees of `src/lib.rs` and `src/main.rs` from `sources` (paths relative
    /// to the package root, `/`-separated). Files no `mod` reaches get a module path from their
    /// place in `src/`.
    fn build(sources: &BTreeMap<String, String>) -> Tree {
        let mut tree = Tree {
            files: Vec::new(),
            modules: HashMap::new(),
            memo: RefCell::default(),
        };
        let mut queue: VecDeque<(String, Vec<String>, bool)> = VecDeque::new();
        for (root, name) in [("src/lib.rs", LIB), ("src/main.rs", BIN)] {
            if sources.contains_key(root) {
                queue.push_back((root.to_string(), vec![name.to_string()], true));
            }
        }
        let mut seen: HashSet<String> = queue.iter().map(|q| q.0.clone()).collect();
        let mut orphans = sources
            .keys()
            .filter(|p| p.ends_with(".rs"))
            .cloned()
            .collect::<Vec<_>>();
        loop {
            while let Some((path, module, mod_rs)) = queue.pop_front() {
                let idx = tree.files.len();
                let scan = scan(&sources[&path]);
                let dir = parent_dir(&path).to_string();
                let own_dir = if mod_rs {
                    dir.clone()
                } else {
                    join(
                        &dir,
                        path.rsplit('/')
                            .next()
                            .unwrap_or("")
                            .trim_end_matches(".rs"),
                    )
                };
                for (nest, name, attr) in &scan.mod_decls {
                    let base = join(&own_dir, &nest.join("/"));
                    let (child, child_mod_rs) = match attr {
                        Some(p) if nest.is_empty() => (join(&dir, p), true),
                        Some(p) => (join(&base, p), true),
                        None => {
                            let flat = join(&base, &format!("{name}.rs"));
                            if sources.contains_key(&flat) {
                                (flat, false)
                            } else {
                                (join(&base, &format!("{name}/mod.rs")), true)
                            }
                        }
                    };
                    let mut child_mod = module.clone();
                    child_mod.extend(nest.iter().cloned());
                    child_mod.push(name.clone());
                    if sources.contains_key(&child) && seen.insert(child.clone()) {
                        queue.push_back((child, child_mod, child_mod_rs));
                    }
                }
                tree.files.push(File { path, module, scan });
                tree.register(idx);
            }
            // Files that no `mod` declaration reaches still count: place them by path.
            orphans.retain(|p| !seen.contains(p));
            let Some(path) = orphans.first().cloned() else {
                break;
            };
            seen.insert(path.clone());
            let rel = path.trim_start_matches("src/").trim_end_matches(".rs");
            let mut module = vec![LIB.to_string()];
            module.extend(rel.split('/').map(String::from).filter(|s| s != "mod"));
            let mod_rs = path.ends_with("/mod.rs");
            queue.push_back((path, module, mod_rs));
        }
        tree
    }

    /// Adds file `idx`'s modules, children, definitions and imports to the module table.
    fn register(&mut self, idx: usize) {
        let file = &self.files[idx];
        let module = file.module.clone();
        let at = |nest: &[String]| {
            let mut m = module.clone();
            m.extend(nest.iter().cloned());
            m
        };
        let mut entries: Vec<(Vec<String>, Option<String>)> = vec![(module.clone(), None)];
        for m in &file.scan.inline_mods {
            entries.push((at(&m[..m.len() - 1]), m.last().cloned()));
            entries.push((at(m), None));
        }
        for (nest, name, _) in &file.scan.mod_decls {
            entries.push((at(nest), Some(name.clone())));
        }
        if module.len() > 1 {
            entries.push((module[..module.len() - 1].to_vec(), module.last().cloned()));
        }
        let defs: Vec<_> = file
            .scan
            .defs
            .iter()
            .map(|(n, d)| (at(n), d.clone()))
            .collect();
        let uses: Vec<_> = file
            .scan
            .uses
            .iter()
            .map(|u| (at(&u.nest), u.clone()))
            .collect();
        for (m, child) in entries {
            let e = self.modules.entry(m.clone()).or_default();
            if m.starts_with(&module) {
                e.file = idx; // a module's own file (or the file holding the inline module)
            }
            if let Some(c) = child {
                e.children.insert(c);
            }
        }
        for (m, d) in defs {
            self.modules.entry(m).or_default().defs.insert(d);
        }
        for (m, u) in uses {
            let e = self.modules.entry(m).or_default();
            if u.glob {
                e.globs.push(u.raw);
            } else {
                e.imports.entry(u.alias).or_insert(u.raw);
            }
        }
    }

    /// `raw` (as written in module `at`) as an absolute module path, or `None` for a path outside
    /// this tree (`std::`, other crates).
    fn normalize(&self, raw: &[String], at: &[String], depth: u32) -> Option<Vec<String>> {
        let first = raw.first()?;
        let crate_root = at.first()?.clone();
        let (mut abs, rest) = match first.as_str() {
            "crate" => (vec![crate_root], &raw[1..]),
            "self" => (at.to_vec(), &raw[1..]),
            "super" => {
                let ups = raw.iter().take_while(|s| *s == "super").count();
                if ups >= at.len() {
                    return None;
                }
                (at[..at.len() - ups].to_vec(), &raw[ups..])
            }
            LIB_CRATE => (vec![LIB.to_string()], &raw[1..]),
            "::" | "Self" => return None,
            name => (self.lookup(at, name, depth)?, &raw[1..]),
        };
        abs.extend(rest.iter().cloned());
        Some(abs)
    }

    /// The absolute path a name means inside module `m`: a child module, an item defined there,
    /// an import, or a name one of its glob imports brings in.
    fn lookup(&self, m: &[String], name: &str, depth: u32) -> Option<Vec<String>> {
        if depth > DEPTH {
            return None;
        }
        let key = (m.to_vec(), name.to_string());
        if let Some(hit) = self.memo.borrow().get(&key) {
            return hit.clone();
        }
        let found = self.lookup_uncached(m, name, depth);
        self.memo.borrow_mut().insert(key, found.clone());
        found
    }

    fn lookup_uncached(&self, m: &[String], name: &str, depth: u32) -> Option<Vec<String>> {
        // Breadth-first through glob imports, each module once (test modules' `use super::*`
        // and a parent's `pub use child::*` would otherwise chase each other).
        let mut queue = VecDeque::from([m.to_vec()]);
        let mut seen: HashSet<Vec<String>> = HashSet::new();
        while let Some(at) = queue.pop_front() {
            let Some(module) = self.modules.get(&at) else {
                continue;
            };
            if module.children.contains(name) || module.defs.contains(name) {
                let mut p = at;
                p.push(name.to_string());
                return Some(p);
            }
            if let Some(raw) = module.imports.get(name) {
                return self.normalize(raw, &at, depth + 1);
            }
            for g in &module.globs {
                if let Some(g) = self.normalize(g, &at, depth + 1) {
                    if seen.insert(g.clone()) {
                        queue.push_back(g);
                    }
                }
            }
        }
        None
    }

    /// What an absolute path names: the deepest module it walks through, then the file that
    /// defines the item it names (following imports and re-exports).
    fn resolve(&self, abs: &[String], depth: u32) -> Option<Target> {
        if depth > DEPTH || abs.is_empty() {
            return None;
        }
        let mut cur = vec![abs[0].clone()];
        self.modules.get(&cur)?;
        for (i, name) in abs.iter().enumerate().skip(1) {
            let module = self.modules.get(&cur)?;
            if module.children.contains(name)
                && self
                    .modules
                    .contains_key(&[&cur[..], std::slice::from_ref(name)].concat())
            {
                cur.push(name.clone());
                continue;
            }
            if module.defs.contains(name) {
                return Some(Target::Item(module.file));
            }
            let found = self.lookup(&cur, name, depth + 1);
            return match found {
                Some(mut p) => {
                    p.extend(abs[i + 1..].iter().cloned());
                    self.resolve(&p, depth + 1)
                }
                None if module.imports.contains_key(name) => None, // imported from outside
                None => Some(Target::Item(module.file)), // unknown: assume it is defined here
            };
        }
        Some(Target::Module(cur))
    }

    fn file_of(&self, t: &Target) -> Option<usize> {
        match t {
            Target::Item(f) => Some(*f),
            Target::Module(m) => self.modules.get(m).map(|m| m.file),
        }
    }

    fn display(&self, abs: &[String], from: usize) -> String {
        let root = match abs[0].as_str() {
            LIB if self.files[from].module[0] == BIN => LIB_CRATE,
            _ => "crate",
        };
        std::iter::once(root)
            .chain(abs[1..].iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join("::")
    }

    /// Every file-to-file edge, in file order; one per (from, to, path), with the lines it recurs on.
    fn edges(&self) -> Vec<Edge> {
        let mut edges: BTreeMap<(usize, usize, String), BTreeSet<u32>> = BTreeMap::new();
        // The same path recurs in a module (`VenueKind::Binance` ...): resolve it once.
        let mut cache: HashMap<(ModPath, Vec<String>), Resolved> = HashMap::new();
        let mut resolve = |m: &ModPath, raw: &[String]| {
            cache
                .entry((m.clone(), raw.to_vec()))
                .or_insert_with(|| {
                    let abs = self.normalize(raw, m, 0)?;
                    let target = self.resolve(&abs, 0)?;
                    Some((abs, target))
                })
                .clone()
        };
        for (from, file) in self.files.iter().enumerate() {
            let at = |nest: &[String]| [&file.module[..], nest].concat();
            let mut refs: Vec<Ref> = Vec::new();
            let mut globs = HashSet::new();
            for u in &file.scan.uses {
                refs.push((at(&u.nest), u.raw.clone(), u.line, u.glob, u.is_pub));
                if u.glob {
                    globs.insert((at(&u.nest), u.raw.clone()));
                }
            }
            for p in &file.scan.paths {
                let m = at(&p.nest);
                // `Thing::new` after `use a::Thing;` is the `use` line's edge again.
                let via_import = self
                    .modules
                    .get(&m)
                    .and_then(|md| md.imports.get(&p.raw[0]))
                    .is_some_and(|raw| matches!(resolve(&m, raw), Some((_, Target::Item(_)))));
                if !via_import {
                    refs.push((m, p.raw.clone(), p.line, true, false));
                }
            }
            for (m, raw, line, glob, is_pub) in refs {
                let Some((abs, target)) = resolve(&m, &raw) else {
                    continue;
                };
                // `use a::b;` of a module only names it; the paths through it are the edges.
                if matches!(target, Target::Module(_)) && !glob {
                    continue;
                }
                let Some(to) = self.file_of(&target) else {
                    continue;
                };
                let to_module = &self.files[to].module;
                // A `pub use` of a module's own descendant is a re-export declaration.
                if is_pub
                    && to_module.len() > file.module.len()
                    && to_module.starts_with(&file.module)
                {
                    continue;
                }
                if to != from {
                    let mut via = self.display(&abs, from);
                    if glob && globs.contains(&(m, raw)) {
                        via.push_str("::*");
                    }
                    edges.entry((from, to, via)).or_default().insert(line);
                }
            }
        }
        let mut out: Vec<Edge> = edges
            .into_iter()
            .map(|((from, to, via), lines)| {
                let mut lines = lines.into_iter();
                let line = lines.next().unwrap_or(0);
                Edge {
                    from,
                    line,
                    to,
                    via,
                    also: lines.collect(),
                }
            })
            .collect();
        out.sort();
        out
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Edge {
    from: usize,
    line: u32,
    to: usize,
    via: String,
    /// Further lines in `from` with the same path to the same file.
    also: Vec<u32>,
}

// ------------------------------------------------------------------------------------------------
// The rules.

#[derive(Debug, Default)]
struct Report {
    /// Top-level modules missing from [`RANKS`].
    missing: Vec<String>,
    /// Rank violations: (from module, to module, edge as text).
    rank: Vec<(String, String, String)>,
    /// File cycles: (the cycle as `a -> b -> a`, every edge inside its strongly connected set).
    file_cycles: Vec<(String, Vec<String>)>,
    /// Module cycles, likewise.
    module_cycles: Vec<(String, Vec<String>)>,
    /// Rule 3: `file:line: what`.
    mentions: Vec<String>,
}

fn rank_of(m: &str) -> Option<u32> {
    RANKS.iter().find(|r| r.0 == m).map(|r| r.1)
}

fn exempt(path: &str) -> bool {
    path == "src/lib.rs"
        || path == "src/main.rs"
        || path.starts_with("src/cli/")
        || path == "src/cli.rs"
}

/// The top-level module of a library file (`None` for `lib.rs` and the binary's files).
fn top_module(file: &File) -> Option<&str> {
    (file.module[0] == LIB)
        .then(|| file.module.get(1).map(String::as_str))
        .flatten()
}

fn check(sources: &BTreeMap<String, String>) -> Report {
    let tree = Tree::build(sources);
    let edges = tree.edges();
    let files = &tree.files;
    let show = |e: &Edge| {
        let also = e
            .also
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let also = match e.also.len() {
            0 => also,
            1 => format!("; also line {also}"),
            _ => format!("; also lines {also}"),
        };
        format!(
            "{}:{} -> {} ({}{also})",
            files[e.from].path, e.line, files[e.to].path, e.via
        )
    };
    let mut report = Report::default();

    // Rule 1.
    let mut tops: BTreeSet<String> = tree
        .modules
        .get(&vec![LIB.to_string()])
        .map(|m| m.children.iter().cloned().collect())
        .unwrap_or_default();
    for path in sources.keys() {
        if let Some(rest) = path.strip_prefix("src/") {
            let name = rest.split('/').next().unwrap_or("").trim_end_matches(".rs");
            if (rest.contains('/') || rest.ends_with(".rs")) && !exempt(path) {
                tops.insert(name.to_string());
            }
        }
    }
    tops.retain(|t| t != "cli" && t != "lib" && t != "main");
    report.missing = tops
        .iter()
        .filter(|t| rank_of(t).is_none())
        .cloned()
        .collect();
    for e in &edges {
        if exempt(&files[e.from].path) {
            continue;
        }
        let (Some(a), Some(b)) = (top_module(&files[e.from]), top_module(&files[e.to])) else {
            continue;
        };
        if a == b {
            continue;
        }
        if let (Some(ra), Some(rb)) = (rank_of(a), rank_of(b)) {
            if ra <= rb {
                report
                    .rank
                    .push((format!("{a} ({ra})"), format!("{b} ({rb})"), show(e)));
            }
        }
    }

    // Rule 2: file cycles.
    let file_adj = |n: usize| edges.iter().filter(move |e| e.from == n).map(|e| e.to);
    for scc in sccs(files.len(), &file_adj) {
        let members: HashSet<usize> = scc.iter().copied().collect();
        let cycle = shortest_cycle(scc[0], &members, &file_adj);
        let text = cycle
            .iter()
            .map(|&f| files[f].path.as_str())
            .collect::<Vec<_>>()
            .join(" -> ");
        let inner = edges
            .iter()
            .filter(|e| members.contains(&e.from) && members.contains(&e.to))
            .map(show)
            .collect();
        report.file_cycles.push((text, inner));
    }

    // Rule 2: module cycles among top-level modules.
    let names: Vec<String> = files
        .iter()
        .filter_map(|f| top_module(f).map(String::from))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let index = |f: &File| top_module(f).and_then(|t| names.iter().position(|n| n == t));
    let mod_edges: Vec<(usize, usize, &Edge)> = edges
        .iter()
        .filter_map(|e| Some((index(&files[e.from])?, index(&files[e.to])?, e)))
        .filter(|(a, b, _)| a != b)
        .collect();
    let mod_adj = |n: usize| mod_edges.iter().filter(move |m| m.0 == n).map(|m| m.1);
    for scc in sccs(names.len(), &mod_adj) {
        let members: HashSet<usize> = scc.iter().copied().collect();
        let cycle = shortest_cycle(scc[0], &members, &mod_adj);
        let text = cycle
            .iter()
            .map(|&m| names[m].as_str())
            .collect::<Vec<_>>()
            .join(" -> ");
        let inner = mod_edges
            .iter()
            .filter(|m| members.contains(&m.0) && members.contains(&m.1))
            .map(|m| format!("{} -> {}: {}", names[m.0], names[m.1], show(m.2)))
            .collect();
        report.module_cycles.push((text, inner));
    }

    // Rule 3.
    for f in files {
        if !exempt(&f.path) {
            for (line, what) in &f.scan.mentions {
                report.mentions.push(format!("{}:{line}: {what}", f.path));
            }
        }
    }
    report
}

/// Strongly connected sets of more than one node (Tarjan), each sorted, in node order.
fn sccs<I: Iterator<Item = usize>>(n: usize, adj: &dyn Fn(usize) -> I) -> Vec<Vec<usize>> {
    struct St {
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit<I: Iterator<Item = usize>>(v: usize, s: &mut St, adj: &dyn Fn(usize) -> I) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on[v] = true;
        for w in adj(v) {
            match s.index[w] {
                None => {
                    visit(w, s, adj);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(iw) if s.on[w] => s.low[v] = s.low[v].min(iw),
                Some(_) => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on[w] = false;
                comp.push(w);
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort_unstable();
                s.out.push(comp);
            }
        }
    }
    let mut s = St {
        index: vec![None; n],
        low: vec![0; n],
        on: vec![false; n],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if s.index[v].is_none() {
            visit(v, &mut s, adj);
        }
    }
    s.out.sort();
    s.out
}

/// A shortest cycle through `start` inside `members`, as `start, .., start`.
fn shortest_cycle<I: Iterator<Item = usize>>(
    start: usize,
    members: &HashSet<usize>,
    adj: &dyn Fn(usize) -> I,
) -> Vec<usize> {
    let mut prev: HashMap<usize, usize> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for w in adj(v).filter(|w| members.contains(w)) {
            if w == start {
                let mut path = vec![start, v];
                let mut at = v;
                while at != start {
                    at = prev[&at];
                    path.push(at);
                }
                path.reverse();
                return path;
            }
            if let std::collections::hash_map::Entry::Vacant(e) = prev.entry(w) {
                e.insert(v);
                queue.push_back(w);
            }
        }
    }
    vec![start]
}

impl Report {
    fn is_clean(&self) -> bool {
        self.missing.is_empty()
            && self.rank.is_empty()
            && self.file_cycles.is_empty()
            && self.module_cycles.is_empty()
            && self.mentions.is_empty()
    }

    fn render(&self) -> String {
        let mut s = String::new();
        let pairs: BTreeSet<_> = self.rank.iter().map(|r| (&r.0, &r.1)).collect();
        let _ = writeln!(s, "architecture check failed (rules: docs/architecture.md, RANKS in tests/architecture.rs):");
        let _ = writeln!(
            s,
            "  rule 1 (layering): {} forbidden import(s) across {} module pair(s); {} module(s) missing from RANKS{}",
            self.rank.len(),
            pairs.len(),
            self.missing.len(),
            if self.missing.is_empty() { String::new() } else { format!(" ({})", self.missing.join(", ")) }
        );
        let _ = writeln!(
            s,
            "  rule 2 (cycles): {} file cycle(s), {} module cycle(s)",
            self.file_cycles.len(),
            self.module_cycles.len()
        );
        let _ = writeln!(
            s,
            "  rule 3 (mockex/tokio/TUI outside the binary): {} mention(s)",
            self.mentions.len()
        );
        if !self.missing.is_empty() {
            let _ = writeln!(
                s,
                "\nrule 1: top-level modules missing from RANKS (add it to the table):"
            );
            for m in &self.missing {
                let _ = writeln!(s, "  {m}");
            }
        }
        if !self.rank.is_empty() {
            let _ = writeln!(
                s,
                "\nrule 1: a module may use only modules of strictly lower rank:"
            );
            for (a, b) in &pairs {
                let _ = writeln!(s, "  {a} -> {b}:");
                for r in self.rank.iter().filter(|r| (&r.0, &r.1) == (*a, *b)) {
                    let _ = writeln!(s, "    {}", r.2);
                }
            }
        }
        for (title, cycles) in [
            ("file cycles", &self.file_cycles),
            ("module cycles", &self.module_cycles),
        ] {
            if !cycles.is_empty() {
                let _ = writeln!(s, "\nrule 2: {title}:");
                for (cycle, inner) in cycles {
                    let _ = writeln!(s, "  {cycle}");
                    for e in inner {
                        let _ = writeln!(s, "    {e}");
                    }
                }
            }
        }
        if !self.mentions.is_empty() {
            let _ = writeln!(
                s,
                "\nrule 3: only src/main.rs and src/cli/** may mention mockex, tokio or the TUI crates:"
            );
            for m in &self.mentions {
                let _ = writeln!(s, "  {m}");
            }
        }
        s
    }
}

// ------------------------------------------------------------------------------------------------
// The real tree.

fn read_sources(root: &Path) -> BTreeMap<String, String> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("read src/")
            .filter_map(Result::ok)
            .collect();
        entries.sort_by_key(|e| e.path());
        for e in entries {
            let p = e.path();
            if p.is_dir() {
                walk(&p, root, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p
                    .strip_prefix(root)
                    .expect("under the package")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(
                    rel,
                    std::fs::read_to_string(&p).expect("read a source file"),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&root.join("src"), root, &mut out);
    out
}

#[test]
fn architecture() {
    let started = Instant::now();
    let sources = read_sources(Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(sources.contains_key("src/lib.rs"), "src/lib.rs not found");
    let report = check(&sources);
    let took = started.elapsed();
    println!("architecture: {} files checked in {took:?}", sources.len());
    assert!(report.is_clean(), "{}", report.render());
}

// ------------------------------------------------------------------------------------------------
// The checker's own tests, on tiny in-memory trees.

fn tree_of(files: &[(&str, &str)]) -> BTreeMap<String, String> {
    files
        .iter()
        .map(|(p, s)| (p.to_string(), s.to_string()))
        .collect()
}

#[test]
fn blanking_keeps_code_and_drops_comments_strings_and_chars() {
    let src = "let a = \"x // y\"; // crate::gone\nlet b = r#\"crate::raw \"q\" \"#; /* crate::c /* nested */ */\nfn f<'a>(x: &'a str) -> char { 'x' } let c = b'\\''; let d = br\"z\"; let e = '\\u{1F600}'; crate::kept::K\n";
    let out = blank(src);
    assert_eq!(out.len(), src.len());
    assert_eq!(out.lines().count(), src.lines().count());
    assert!(
        !out.contains("gone") && !out.contains("raw") && !out.contains("nested"),
        "{out}"
    );
    assert!(!out.contains("'x'") && !out.contains("1F600"), "{out}");
    assert!(
        out.contains("fn f<'a>(x: &'a str)"),
        "lifetimes are not char literals: {out}"
    );
    assert!(out.contains("crate::kept::K"), "{out}");
}

#[test]
fn nested_use_groups_are_parsed() {
    let s =
        scan("use crate::{a::{b, c as d, self}, e::*, f};\npub(crate) use super::{x, y as z};\n");
    let leaves: Vec<_> = s
        .uses
        .iter()
        .map(|u| (u.raw.join("::"), u.glob, u.alias.as_str(), u.is_pub))
        .collect();
    assert_eq!(
        leaves,
        vec![
            ("crate::a::b".to_string(), false, "b", false),
            ("crate::a::c".to_string(), false, "d", false),
            ("crate::a".to_string(), false, "a", false),
            ("crate::e".to_string(), true, "", false),
            ("crate::f".to_string(), false, "f", false),
            ("super::x".to_string(), false, "x", true),
            ("super::y".to_string(), false, "z", true),
        ]
    );
}

#[test]
fn comments_strings_and_doc_links_make_no_edges() {
    let sources = tree_of(&[
        ("src/lib.rs", "pub mod model;\npub mod exec;\n"),
        ("src/model/mod.rs", "//! See [`crate::exec::Breaker`].\n/// Uses [crate::exec::Breaker].\npub struct Q;\nconst S: &str = \"crate::exec::Breaker\";\nconst R: &str = r#\"use crate::exec::Breaker;\"#;\n/* crate::exec::Breaker */\nfn f<'a>(x: &'a str) -> char { 'e' }\n"),
        ("src/exec/mod.rs", "pub struct Breaker;\nuse crate::model::Q;\n"),
    ]);
    let r = check(&sources);
    assert!(r.is_clean(), "{}", r.render());
}

#[test]
fn re_exports_resolve_to_the_defining_file() {
    let sources = tree_of(&[
        (
            "src/lib.rs",
            "pub mod model;\npub mod exec;\npub mod ingest;\n",
        ),
        ("src/model/mod.rs", "pub struct Q;\n"),
        (
            "src/exec/mod.rs",
            "mod breaker;\nmod more;\npub use breaker::Breaker;\npub(crate) use self::more::*;\n",
        ),
        ("src/exec/breaker.rs", "pub struct Breaker;\n"),
        ("src/exec/more.rs", "pub fn trip() {}\n"),
        (
            "src/ingest/mod.rs",
            "use crate::exec::Breaker;\nfn g() { crate::exec::trip(); }\n",
        ),
    ]);
    let r = check(&sources);
    let rank: Vec<_> = r.rank.iter().map(|x| x.2.as_str()).collect();
    assert_eq!(
        rank,
        vec![
            "src/ingest/mod.rs:1 -> src/exec/breaker.rs (crate::exec::Breaker)",
            "src/ingest/mod.rs:2 -> src/exec/more.rs (crate::exec::trip)",
        ],
        "{}",
        r.render()
    );
    // The re-exports themselves are declarations: no exec/mod.rs <-> child cycle.
    assert!(r.file_cycles.is_empty(), "{}", r.render());
}

#[test]
fn rank_violations_and_missing_modules_are_reported() {
    let sources = tree_of(&[
        (
            "src/lib.rs",
            "pub mod model;\npub mod strategy;\npub mod exec;\npub mod extra;\n",
        ),
        (
            "src/model.rs",
            "use crate::strategy::Book;\npub struct Q;\n",
        ),
        (
            "src/strategy/mod.rs",
            "pub struct Book;\nfn f() -> super::exec::Order { todo!() }\n",
        ),
        (
            "src/exec/mod.rs",
            "pub struct Order;\nuse crate::model::Q;\n",
        ),
        ("src/extra.rs", "\n"),
    ]);
    let r = check(&sources);
    assert_eq!(r.missing, vec!["extra".to_string()]);
    let rank: Vec<_> = r
        .rank
        .iter()
        .map(|x| (x.0.as_str(), x.1.as_str(), x.2.as_str()))
        .collect();
    assert_eq!(
        rank,
        vec![
            (
                "model (0)",
                "strategy (6)",
                "src/model.rs:1 -> src/strategy/mod.rs (crate::strategy::Book)"
            ),
            (
                "strategy (6)",
                "exec (6)",
                "src/strategy/mod.rs:2 -> src/exec/mod.rs (crate::exec::Order)"
            ),
        ],
        "{}",
        r.render()
    );
}

#[test]
fn cycles_are_detected_between_files_and_modules() {
    let sources = tree_of(&[
        ("src/lib.rs", "pub mod runtime;\npub mod telemetry;\n"),
        ("src/runtime/mod.rs", "mod a;\nmod b;\npub struct Top;\nuse self::a::A;\n"),
        ("src/runtime/a.rs", "pub struct A;\nuse super::b::B;\n"),
        ("src/runtime/b.rs", "pub struct B;\nfn f() { let _ = super::Top; }\n#[cfg(test)]\nmod tests {\n    use super::*;\n    use crate::telemetry::Hub;\n}\n"),
        ("src/telemetry.rs", "pub struct Hub;\nuse crate::runtime::Top;\n"),
    ]);
    let r = check(&sources);
    assert_eq!(r.file_cycles.len(), 1, "{}", r.render());
    assert_eq!(
        r.file_cycles[0].0,
        "src/runtime/mod.rs -> src/runtime/a.rs -> src/runtime/b.rs -> src/runtime/mod.rs"
    );
    assert_eq!(r.module_cycles.len(), 1, "{}", r.render());
    assert_eq!(r.module_cycles[0].0, "runtime -> telemetry -> runtime");
    assert!(
        r.module_cycles[0].1.contains(
            &"runtime -> telemetry: src/runtime/b.rs:6 -> src/telemetry.rs (crate::telemetry::Hub)"
                .to_string()
        ),
        "test modules count: {}",
        r.render()
    );
}

#[test]
fn path_attributes_and_inline_test_modules_resolve() {
    let sources = tree_of(&[
        ("src/lib.rs", "pub mod exec;\n"),
        ("src/exec/mod.rs", "pub mod stage;\n"),
        (
            "src/exec/stage.rs",
            "pub struct Stage;\n#[cfg(test)]\n#[path = \"stage_tests.rs\"]\nmod tests;\n",
        ),
        (
            "src/exec/stage_tests.rs",
            "use super::Stage;\nmod inner { fn f() { let _ = super::super::Stage; } }\n",
        ),
    ]);
    let tree = Tree::build(&sources);
    let t = tree
        .files
        .iter()
        .position(|f| f.path == "src/exec/stage_tests.rs")
        .expect("reached via #[path]");
    assert_eq!(tree.files[t].module.join("::"), "<lib>::exec::stage::tests");
    let edges: Vec<_> = tree
        .edges()
        .into_iter()
        .map(|e| {
            format!(
                "{}:{}{:?} -> {} ({})",
                tree.files[e.from].path, e.line, e.also, tree.files[e.to].path, e.via
            )
        })
        .collect();
    // `super::Stage` (in `tests`) and `super::super::Stage` (in `tests::inner`) both mean stage.rs.
    assert_eq!(
        edges,
        vec!["src/exec/stage_tests.rs:1[2] -> src/exec/stage.rs (crate::exec::stage::Stage)"]
    );
}

#[test]
fn mockex_and_tokio_are_only_for_the_binary() {
    let sources = tree_of(&[
        ("src/lib.rs", "pub mod model;\n"),
        ("src/model.rs", "// tokio in a comment is fine\nconst S: &str = \"mockex::x\";\nfn f() { tokio::spawn(); }\nextern crate mockex;\nuse mockex::Venue;\nuse ratatui::Frame;\nfn ratatui() {}\n"),
        ("src/main.rs", "mod cli;\nfn main() { mockex::run(); }\n"),
        ("src/cli/mod.rs", "use tokio::net;\nuse ratatui::crossterm::event;\n"),
    ]);
    let r = check(&sources);
    assert_eq!(
        r.mentions,
        vec![
            "src/model.rs:3: tokio",
            "src/model.rs:4: extern crate mockex",
            "src/model.rs:5: mockex::",
            "src/model.rs:6: ratatui::"
        ],
        "{}",
        r.render()
    );
}
