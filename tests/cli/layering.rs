//! The layering rule of ARCHITECTURE.md, held against the source: every
//! `crate::…` path in `src/` (outside `#[cfg(test)]` code) may name only its
//! own folder or one below it, and no two files import each other in a circle.
//!
//! A forbidden import, and what this test says of it:
//!
//! ```text
//! // src/log/state.rs
//! use crate::audit::report::ReportPublished;
//! ```
//!
//! `src/log/state.rs: imports crate::audit::report (audit is above log)` —
//! the log may not know the audit that reads it; the record type belongs in
//! `log::records`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The folders (and top files) from the bottom up: each may import those
/// before it, never one after it. Folders joined by `|` share a layer and
/// may not import each other: the two front ends, `cmd` (the command line)
/// and `serve` (the web), stand side by side over `round`.
const LAYERS: &[&str] = &[
    "i18n",
    "error",
    "base",
    "input",
    "roster",
    "sampling",
    "results",
    "log",
    "proof",
    "stats",
    "audit",
    "output",
    "round",
    "cli",
    "cmd|serve",
    "lib",
    "main",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `src/log/state.rs` → `log::state`; `src/log/mod.rs` → `log`.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts.join("::")
}

/// The code outside `#[cfg(test)]` items: tests may reach anywhere.
fn without_tests(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            // Skip the item that follows: to the line closing it at its indent.
            let indent = line.len() - line.trim_start().len();
            for l in lines.by_ref() {
                let t = l.trim_start();
                let own = l.len() - t.len() == indent;
                if own && (t.starts_with('}') || (t.ends_with(';') && !t.contains('{'))) {
                    break;
                }
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Every module path after `crate::`, grouped imports included:
/// `use crate::{base::fsio, log::file as logfile};` names `base::fsio` and `log::file`.
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find("};").unwrap_or(group.len());
            for item in group[..end].split(',') {
                let path: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                if !path.is_empty() {
                    out.push(path.trim_end_matches(':').to_string());
                }
            }
        } else {
            let path: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            out.push(path.trim_end_matches(':').to_string());
        }
    }
    out
}

fn top(module: &str) -> &str {
    module.split("::").next().unwrap_or("")
}

fn layer(module: &str) -> Option<usize> {
    let top = top(module);
    LAYERS.iter().position(|l| l.split('|').any(|f| f == top))
}

#[test]
fn no_folder_imports_one_above_it_and_no_file_imports_in_a_circle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeMap<String, PathBuf> = files
        .iter()
        .map(|f| (module_of(&src, f), f.clone()))
        .collect();
    let mut problems = Vec::new();
    let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (module, file) in &modules {
        let Some(mine) = layer(module) else {
            problems.push(format!(
                "{}: in no layer of ARCHITECTURE.md",
                file.display()
            ));
            continue;
        };
        let code = without_tests(&std::fs::read_to_string(file).unwrap());
        for path in crate_paths(&code) {
            // The longest prefix that is a module: `log::chain::Record` → `log::chain`.
            let segments: Vec<&str> = path.split("::").collect();
            let target = (1..=segments.len())
                .rev()
                .map(|k| segments[..k].join("::"))
                .find(|m| modules.contains_key(m));
            let Some(target) = target else {
                continue; // a macro (`crate::t!`) or an item of lib.rs (`crate::Error`)
            };
            let (name, _) = modules.get_key_value(&target).unwrap();
            if name != module {
                edges
                    .entry(module.as_str())
                    .or_default()
                    .insert(name.as_str());
            }
            let theirs = layer(&target).unwrap_or(0);
            if theirs > mine {
                problems.push(format!(
                    "{}: imports crate::{target} ({} is above {})",
                    file.display(),
                    LAYERS[theirs],
                    LAYERS[mine]
                ));
            } else if theirs == mine && top(&target) != top(module) {
                problems.push(format!(
                    "{}: imports crate::{target} ({} and {} are side by side)",
                    file.display(),
                    top(&target),
                    top(module)
                ));
            }
        }
    }
    // Circles between files, by depth-first search.
    fn visit<'a>(
        m: &'a str,
        edges: &BTreeMap<&'a str, BTreeSet<&'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
        found: &mut Vec<String>,
    ) {
        if let Some(i) = path.iter().position(|p| *p == m) {
            found.push(format!("{} -> {m}", path[i..].join(" -> ")));
            return;
        }
        if !done.insert(m) {
            return;
        }
        path.push(m);
        for next in edges.get(m).into_iter().flatten() {
            visit(next, edges, path, done, found);
        }
        path.pop();
    }
    let mut done = BTreeSet::new();
    let mut circles = Vec::new();
    for m in modules.keys() {
        visit(m, &edges, &mut Vec::new(), &mut done, &mut circles);
    }
    problems.extend(circles.into_iter().map(|c| format!("import circle: {c}")));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_checker_reads_grouped_imports_and_skips_test_code() {
    // The checker itself, on made-up code: it must see what it exists to see.
    let code = "use crate::audit::report::ReportPublished;\nuse crate::{base::fsio, log::file as logfile};\n#[cfg(test)]\nmod tests {\n    use crate::cmd::run;\n}\n";
    let paths = crate_paths(&without_tests(code));
    assert_eq!(
        paths,
        ["audit::report::ReportPublished", "base::fsio", "log::file"]
    );
    assert!(layer("audit::report") > layer("log::state"));
    assert!(layer("base::fsio") < layer("log::state"));
    // The two front ends share a layer, above the round API and below lib.
    assert_eq!(layer("cmd::record"), layer("serve::api"));
    assert!(layer("round") < layer("serve"));
    assert!(layer("serve") < layer("lib"));
}
