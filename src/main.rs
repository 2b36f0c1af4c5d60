#![forbid(unsafe_code)]

use choucha::{cli, cmd, i18n};

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // The language comes first: help and parse errors are messages too.
    let lang = i18n::from_args(&args).unwrap_or_else(|| {
        i18n::from_locale_or_system(|k| std::env::var_os(k), i18n::system_language)
    });
    i18n::set(lang);
    // Double-clicked in Explorer (Windows): say how to use it before the window closes.
    if args.len() <= 1 && cmd::console::double_clicked() {
        cmd::console::explain_and_wait();
        return;
    }
    let cli = cli::parse_or_exit(args, lang);
    std::process::exit(cmd::out::exit_code(choucha::run(cli)));
}
