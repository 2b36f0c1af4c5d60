#![forbid(unsafe_code)]

use clap::Parser;

fn main() {
    let cli = choucha::cli::Cli::parse();
    if let Err(e) = choucha::run(cli) {
        eprintln!("choucha: error: {e}");
        std::process::exit(e.exit_code());
    }
}
