//! Every message a user sees, in Simplified Chinese and in English.
//!
//! The words live in two catalogs, `locales/zh/` and `locales/en/` (one place
//! per language, one TOML file per area of the tool), compiled into the
//! binary. Code names a message
//! by its key and passes its values by name:
//!
//! ```text
//! t!("roster.duplicate-id", file, line, id, first)
//! ```
//!
//! A catalog entry is a template: `{name}` inserts a value as text, `{name:?}`
//! quoted (Rust's debug form, so a tab in an id shows as `\t`), `{{` and `}}`
//! are literal braces. Tests check that both catalogs hold the same keys, and
//! that every `t!` in the source names a key that exists, passes every value
//! its templates use, and passes none that neither language uses.
//!
//! The language is chosen once per process, before the command line is parsed
//! (help is a message too): `--lang zh|en`, else `CHOUCHA_LANG`, else the locale (`LC_ALL`, then
//! `LC_MESSAGES`, then `LANG`, as POSIX orders them; a value starting with
//! `zh` gives Chinese), else on Windows the user's display language, else
//! English. Records never hold a message, so the log
//! and every digest are the same in either language.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt::{Debug, Display, Write};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU8, Ordering};

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// 简体中文
    Zh,
    /// English
    En,
}

static CURRENT: AtomicU8 = AtomicU8::new(Lang::En as u8);

/// Sets the language for the rest of the process.
pub fn set(lang: Lang) {
    CURRENT.store(lang as u8, Ordering::Relaxed);
}

thread_local! {
    /// The language of the request this thread works for (`choucha serve`),
    /// over the process's: each web user reads messages in their own.
    static THREAD: std::cell::Cell<Option<Lang>> = const { std::cell::Cell::new(None) };
}

/// Runs `f` with messages in `lang` on this thread, whatever the process's
/// language; the thread's former choice is restored after it.
pub fn with_lang<R>(lang: Lang, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Lang>);
    impl Drop for Restore {
        fn drop(&mut self) {
            THREAD.with(|t| t.set(self.0));
        }
    }
    let _restore = Restore(THREAD.with(|t| t.replace(Some(lang))));
    f()
}

/// The language chosen for this thread ([`with_lang`]), else for this
/// process (English until one is set).
pub fn current() -> Lang {
    if let Some(lang) = THREAD.with(|t| t.get()) {
        return lang;
    }
    if CURRENT.load(Ordering::Relaxed) == Lang::Zh as u8 {
        Lang::Zh
    } else {
        Lang::En
    }
}

/// The language the environment asks for: `CHOUCHA_LANG` (`zh` or `en`,
/// choucha's own, which wins over the locale: an office can set it once for
/// every user of a machine), else the first non-empty of `LC_ALL`,
/// `LC_MESSAGES` and `LANG`; Chinese when it starts with `zh`.
pub fn from_locale(var: impl Fn(&str) -> Option<OsString>) -> Lang {
    from_locale_or_system(var, || None)
}

/// As [`from_locale`], but when no variable decides, the system's own
/// choice (`system`: on Windows the user's display language, which
/// [`system_language`] gives) before English.
pub fn from_locale_or_system(
    var: impl Fn(&str) -> Option<OsString>,
    system: impl FnOnce() -> Option<&'static str>,
) -> Lang {
    let chosen = ["CHOUCHA_LANG", "LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|name| var(name))
        .find(|v| !v.is_empty())
        .or_else(|| system().map(OsString::from));
    match chosen {
        Some(v) if v.to_string_lossy().starts_with("zh") => Lang::Zh,
        _ => Lang::En,
    }
}

/// The system's language where it has one besides the locale variables:
/// on Windows the user's display language (`GetUserDefaultUILanguage`),
/// `None` elsewhere.
pub fn system_language() -> Option<&'static str> {
    choucha_win::ui_language()
}

/// `--lang X` or `--lang=X` among the arguments (before a `--`), read before
/// clap parses them so that help and parse errors are in that language too.
/// An unknown value is left for clap to refuse.
pub fn from_args(args: &[OsString]) -> Option<Lang> {
    let mut found = None;
    let mut iter = args.iter().skip(1);
    while let Some(a) = iter.next() {
        let a = a.to_string_lossy();
        let value = if a == "--" {
            break;
        } else if a == "--lang" {
            iter.next().map(|v| v.to_string_lossy().into_owned())
        } else if let Some(v) = a.strip_prefix("--lang=") {
            Some(v.to_string())
        } else {
            continue;
        };
        match value.as_deref() {
            Some("zh") => found = Some(Lang::Zh),
            Some("en") => found = Some(Lang::En),
            _ => {}
        }
    }
    found
}

/// A value a message can show, as text or quoted.
pub trait Arg: Display + Debug {}
impl<T: Display + Debug + ?Sized> Arg for T {}

/// The catalog files of one language, by name (the same names in both).
macro_rules! catalog_files {
    ($lang:literal) => {
        [
            (
                "cli",
                include_str!(concat!("../../locales/", $lang, "/cli.toml")),
            ),
            (
                "input",
                include_str!(concat!("../../locales/", $lang, "/input.toml")),
            ),
            (
                "round",
                include_str!(concat!("../../locales/", $lang, "/round.toml")),
            ),
            (
                "log",
                include_str!(concat!("../../locales/", $lang, "/log.toml")),
            ),
            (
                "verify",
                include_str!(concat!("../../locales/", $lang, "/verify.toml")),
            ),
            (
                "stats",
                include_str!(concat!("../../locales/", $lang, "/stats.toml")),
            ),
            (
                "serve",
                include_str!(concat!("../../locales/", $lang, "/serve.toml")),
            ),
        ]
    };
}

const ZH_FILES: [(&str, &str); 7] = catalog_files!("zh");
const EN_FILES: [(&str, &str); 7] = catalog_files!("en");

static ZH: LazyLock<HashMap<String, String>> = LazyLock::new(|| flatten(&ZH_FILES));
static EN: LazyLock<HashMap<String, String>> = LazyLock::new(|| flatten(&EN_FILES));

/// A catalog as `key → template`, tables flattened with dots. A file that
/// does not parse, or a key in two files, is a build mistake the unit tests
/// catch; at run time such a file adds nothing, and every message it should
/// have held shows its key rather than panic.
fn flatten(files: &[(&str, &str)]) -> HashMap<String, String> {
    fn walk(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
        for (k, v) in table {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                toml::Value::String(s) => {
                    out.insert(key, s.clone());
                }
                toml::Value::Table(t) => walk(&key, t, out),
                _ => {}
            }
        }
    }
    let mut out = HashMap::new();
    for (_, source) in files {
        if let Ok(table) = source.parse::<toml::Table>() {
            walk("", &table, &mut out);
        }
    }
    out
}

fn catalog(lang: Lang) -> &'static HashMap<String, String> {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// Every key of a language's catalog.
pub fn keys(lang: Lang) -> impl Iterator<Item = &'static String> {
    catalog(lang).keys()
}

/// The template for a key, if the catalog has it.
pub fn template(lang: Lang, key: &str) -> Option<&'static str> {
    catalog(lang).get(key).map(String::as_str)
}

/// The message `key` in `lang` with its values filled in. A key missing from
/// the catalog shows as itself, so a slip is visible but never a panic.
pub fn text_in(lang: Lang, key: &str, args: &[(&str, &dyn Arg)]) -> String {
    match template(lang, key) {
        Some(t) => render(t, args),
        None => key.to_string(),
    }
}

/// The message `key` in the current language.
pub fn text(key: &str, args: &[(&str, &dyn Arg)]) -> String {
    text_in(current(), key, args)
}

/// Fills a template. A placeholder without a value stays as written.
pub fn render(template: &str, args: &[(&str, &dyn Arg)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(at) = rest.find(['{', '}']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        match (tail.starts_with('{'), tail.find('}')) {
            (true, Some(end)) => {
                let inner = &tail[1..end];
                let (name, debug) = match inner.strip_suffix(":?") {
                    Some(n) => (n, true),
                    None => (inner, false),
                };
                match args.iter().find(|(n, _)| *n == name) {
                    Some((_, v)) if debug => {
                        let _ = write!(out, "{v:?}");
                    }
                    Some((_, v)) => {
                        let _ = write!(out, "{v}");
                    }
                    None => out.push_str(&tail[..=end]),
                }
                rest = &tail[end + 1..];
            }
            _ => {
                out.push_str(&tail[..1]);
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The placeholders of a template, by name (for the catalog tests).
pub fn placeholders(template: &str) -> std::collections::BTreeSet<String> {
    let mut names = std::collections::BTreeSet::new();
    let mut rest = template;
    while let Some(at) = rest.find(['{', '}']) {
        let tail = &rest[at..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            rest = &tail[2..];
            continue;
        }
        match (tail.starts_with('{'), tail.find('}')) {
            (true, Some(end)) => {
                let inner = &tail[1..end];
                names.insert(inner.strip_suffix(":?").unwrap_or(inner).to_string());
                rest = &tail[end + 1..];
            }
            _ => rest = &tail[1..],
        }
    }
    names
}

/// A message in the current language: `t!("key", name, other = expr)`.
#[macro_export]
macro_rules! t {
    ($key:literal $(,)?) => {
        $crate::i18n::text($key, &[])
    };
    ($key:literal, $($name:ident $(= $value:expr)?),+ $(,)?) => {
        $crate::i18n::text(
            $key,
            &[$((stringify!($name), &$crate::t!(@value $name $(= $value)?) as &dyn $crate::i18n::Arg)),+],
        )
    };
    (@value $name:ident) => { $name };
    (@value $name:ident = $value:expr) => { $value };
}

/// A message in a given language: `tl!(lang, "key", name, other = expr)`.
#[macro_export]
macro_rules! tl {
    ($lang:expr, $key:literal $(,)?) => {
        $crate::i18n::text_in($lang, $key, &[])
    };
    ($lang:expr, $key:literal, $($name:ident $(= $value:expr)?),+ $(,)?) => {
        $crate::i18n::text_in(
            $lang,
            $key,
            &[$((stringify!($name), &$crate::t!(@value $name $(= $value)?) as &dyn $crate::i18n::Arg)),+],
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_catalog_file_parses_and_no_key_is_in_two() {
        for (lang, files) in [("zh", ZH_FILES), ("en", EN_FILES)] {
            let mut seen: HashMap<String, &str> = HashMap::new();
            for (name, src) in files {
                if let Err(e) = src.parse::<toml::Table>() {
                    panic!("locales/{lang}/{name}.toml: {e}");
                }
                for key in flatten(&[(name, src)]).into_keys() {
                    if let Some(other) = seen.insert(key.clone(), name) {
                        panic!("{key} is in both locales/{lang}/{other}.toml and {name}.toml");
                    }
                }
            }
        }
        assert!(!EN.is_empty() && !ZH.is_empty());
    }

    #[test]
    fn both_catalogs_hold_the_same_keys() {
        let en: BTreeSet<&String> = EN.keys().collect();
        let zh: BTreeSet<&String> = ZH.keys().collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        let only_zh: Vec<_> = zh.difference(&en).collect();
        assert!(only_en.is_empty(), "only in en.toml: {only_en:?}");
        assert!(only_zh.is_empty(), "only in zh.toml: {only_zh:?}");
    }

    #[test]
    fn render_fills_quotes_and_escapes() {
        let id = "A\t1";
        let n = 17u64;
        let got = render(
            "{{x}} line {n}: id {id:?} or {id}; {missing}",
            &[("n", &n), ("id", &id)],
        );
        assert_eq!(got, "{x} line 17: id \"A\\t1\" or A\t1; {missing}");
        assert_eq!(render("a } b { c", &[]), "a } b { c");
    }

    #[test]
    fn the_locale_decides_in_posix_order() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| OsString::from(*v))
            }
        };
        assert_eq!(from_locale(env(&[("LANG", "zh_CN.UTF-8")])), Lang::Zh);
        assert_eq!(
            from_locale(env(&[("CHOUCHA_LANG", "zh"), ("LC_ALL", "en_US.UTF-8")])),
            Lang::Zh
        );
        assert_eq!(
            from_locale(env(&[("CHOUCHA_LANG", "en"), ("LANG", "zh_CN.UTF-8")])),
            Lang::En
        );
        assert_eq!(from_locale(env(&[("LANG", "C")])), Lang::En);
        assert_eq!(from_locale(env(&[])), Lang::En);
        // Windows: the display language when no variable decides, never over one.
        assert_eq!(from_locale_or_system(env(&[]), || Some("zh")), Lang::Zh);
        assert_eq!(from_locale_or_system(env(&[]), || Some("")), Lang::En);
        assert_eq!(
            from_locale_or_system(env(&[("CHOUCHA_LANG", "en")]), || Some("zh")),
            Lang::En
        );
        assert_eq!(
            from_locale_or_system(env(&[("LANG", "zh_CN.UTF-8")]), || Some("en")),
            Lang::Zh
        );
        assert_eq!(
            from_locale(env(&[("LC_ALL", "C"), ("LANG", "zh_CN.UTF-8")])),
            Lang::En
        );
        assert_eq!(
            from_locale(env(&[
                ("LC_ALL", ""),
                ("LC_MESSAGES", "zh_TW"),
                ("LANG", "C")
            ])),
            Lang::Zh
        );
    }

    #[test]
    fn lang_flag_is_found_before_parsing() {
        let args = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            from_args(&args(&["choucha", "--lang", "zh", "verify"])),
            Some(Lang::Zh)
        );
        assert_eq!(
            from_args(&args(&["choucha", "verify", "--lang=en"])),
            Some(Lang::En)
        );
        assert_eq!(
            from_args(&args(&["choucha", "record", "--", "--lang=zh"])),
            None
        );
        assert_eq!(from_args(&args(&["choucha", "--lang", "fr"])), None);
    }

    #[test]
    fn a_thread_can_speak_another_language_than_the_process() {
        // The thread's own choice only: other tests may set the process's.
        let got = with_lang(Lang::Zh, || {
            let nested = with_lang(Lang::En, current);
            (current(), nested, current())
        });
        assert_eq!(got, (Lang::Zh, Lang::En, Lang::Zh));
        assert_eq!(THREAD.with(|t| t.get()), None, "restored after");
        let other = std::thread::spawn(|| {
            with_lang(Lang::En, || {
                (current(), text_in(current(), "serve.bad-login", &[]))
            })
        })
        .join()
        .unwrap();
        assert_eq!(other, (Lang::En, "Wrong user name or password".to_string()));
        assert_eq!(
            with_lang(Lang::Zh, || text("serve.bad-login", &[])),
            "用户名或密码错误"
        );
    }

    /// Every `t!`/`tl!` in the source names a key both catalogs hold, with
    /// exactly the values its templates use; every key (but the help texts,
    /// which `cli` checks against the command tree) is used somewhere.
    #[test]
    fn every_message_in_the_source_is_in_the_catalogs() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![];
        let mut stack = vec![root];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    files.push(p);
                }
            }
        }
        let mut used = BTreeSet::new();
        let mut problems = vec![];
        let mut all_source = String::new();
        for f in files {
            if f.ends_with("i18n/mod.rs") {
                continue; // the macros' own definitions and these tests
            }
            let src = std::fs::read_to_string(&f).unwrap();
            all_source.push_str(&src);
            for call in macro_calls(&src) {
                let Some((key, names)) = call else {
                    continue;
                };
                let here = format!("{}: {key}", f.display());
                // Each language may leave a value out (English needs no
                // measure word), but none may use a value the call does
                // not pass, and every value passed is used by one of them.
                match (EN.get(&key), ZH.get(&key)) {
                    (Some(en), Some(zh)) => {
                        let (en, zh) = (placeholders(en), placeholders(zh));
                        for (lang, used) in [("en", &en), ("zh", &zh)] {
                            if !used.is_subset(&names) {
                                problems.push(format!(
                                    "{here}: the {lang} template uses {used:?}, the call passes {names:?}"
                                ));
                            }
                        }
                        let unused: Vec<_> = names
                            .iter()
                            .filter(|n| !en.contains(*n) && !zh.contains(*n))
                            .collect();
                        if !unused.is_empty() {
                            problems
                                .push(format!("{here}: passes {unused:?}, no template uses it"));
                        }
                    }
                    _ => problems.push(format!("{here}: not in both catalogs")),
                }
                used.insert(key);
            }
        }
        for k in EN.keys() {
            // Keys read with `template(lang, "key")` are used as well.
            let named = all_source.contains(&format!("\"{k}\""));
            if !k.starts_with("help.") && !used.contains(k) && !named {
                problems.push(format!("{k}: in the catalogs but never used"));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// Each `t!(`/`tl!(` call: its key and the names of its values (None for
    /// the macro definitions themselves).
    fn macro_calls(src: &str) -> Vec<Option<(String, BTreeSet<String>)>> {
        let mut out = vec![];
        let bytes = src.as_bytes();
        let mut i = 0;
        while let Some(off) = src[i..].find("!(") {
            let start = i + off;
            i = start + 2;
            let ident_start = src[..start]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(0, |p| p + 1);
            let lang_form = match &src[ident_start..start] {
                "t" => false,
                "tl" => true,
                _ => continue,
            };
            let _ = bytes;
            // The arguments up to the matching parenthesis, split at top-level commas.
            let mut depth = 0usize;
            let mut parts = vec![String::new()];
            let mut chars = src[i..].char_indices();
            let mut in_str = false;
            while let Some((_, c)) = chars.next() {
                if in_str {
                    parts.last_mut().unwrap().push(c);
                    if c == '\\' {
                        if let Some((_, n)) = chars.next() {
                            parts.last_mut().unwrap().push(n);
                        }
                    } else if c == '"' {
                        in_str = false;
                    }
                    continue;
                }
                match c {
                    '"' => in_str = true,
                    '(' | '[' | '{' => depth += 1,
                    ')' | ']' | '}' if depth == 0 => break,
                    ')' | ']' | '}' => depth -= 1,
                    ',' if depth == 0 => {
                        parts.push(String::new());
                        continue;
                    }
                    _ => {}
                }
                parts.last_mut().unwrap().push(c);
            }
            let mut parts: Vec<String> = parts
                .into_iter()
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect();
            if lang_form && !parts.is_empty() {
                parts.remove(0);
            }
            let Some(key) = parts
                .first()
                .and_then(|k| k.strip_prefix('"'))
                .and_then(|k| k.strip_suffix('"'))
            else {
                out.push(None);
                continue;
            };
            let names = parts[1..]
                .iter()
                .map(|p| p.split('=').next().unwrap().trim().to_string())
                .collect();
            out.push(Some((key.to_string(), names)));
        }
        out
    }
}
