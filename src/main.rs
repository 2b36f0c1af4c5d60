#![forbid(unsafe_code)]

use choucha::{cli, cmd, i18n};

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // The language comes first: help and parse errors are messages too.
    let lang = i18n::from_args(&args).unwrap_or_else(|| i18n::from_locale(|k| std::env::var_os(k)));
    i18n::set(lang);
    let cli = cli::parse_or_exit(args, lang);
    std::process::exit(cmd::out::exit_code(choucha::run(cli)));
}
