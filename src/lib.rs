//! choucha (抽查): verifiable spot checks of government websites and
//! new-media accounts.
//!
//! The folders follow the data flow: `input` → `roster` → `sampling` →
//! `results` → `log` → `proof` → `stats` → `audit` → `output`, with `cmd`
//! (the command line) and `serve` (the web) as the two front ends over
//! `round`; a folder imports only those before it (ARCHITECTURE.md).
#![forbid(unsafe_code)]

pub mod audit;
pub mod base;
pub mod cli;
pub mod cmd;
pub mod error;
pub mod i18n;
pub mod input;
pub mod log;
pub mod output;
pub mod proof;
pub mod results;
pub mod roster;
pub mod round;
pub mod sampling;
pub mod serve;
pub mod stats;

pub use error::{Error, Result};

use cli::{Cli, Command, LogCommand, UserCommand, WitnessCommand};

/// Runs one command line.
pub fn run(cli: Cli) -> Result<()> {
    if let Some(lang) = cli.lang {
        i18n::set(lang);
    }
    let dir = cli.dir.as_path();
    match &cli.command {
        Command::Init(args) => cmd::init::run(args),
        Command::Roster(args) => cmd::roster::run(dir, args),
        Command::Seed(args) => cmd::seed::run(dir, args),
        Command::Draw(args) => cmd::draw::run(dir, args),
        Command::Checkpoint(args) => cmd::checkpoint::checkpoint(dir, args),
        Command::Prove(args) => cmd::checkpoint::prove_cmd(dir, args),
        Command::VerifyProof(args) => cmd::checkpoint::verify_proof(args),
        Command::Keygen(args) => cmd::sign::keygen(args),
        Command::Sign(args) => cmd::sign::sign(args),
        Command::VerifySignature(args) => cmd::sign::verify_signature(args),
        Command::Record(args) => cmd::record::record(dir, args),
        Command::Amend(args) => cmd::record::amend(dir, args),
        Command::Codes => cmd::record::codes(dir),
        Command::Columns => cmd::columns::run(),
        Command::Report(args) => cmd::report::run(dir, args),
        Command::Verify(args) => cmd::verify::verify_round(dir, args),
        Command::Claims(args) => cmd::verify::claims(args),
        Command::Bound(args) => cmd::bound::bound(dir, args),
        Command::Size(args) => cmd::bound::size(args),
        Command::Demo(args) => cmd::demo::run(args),
        Command::Status => cmd::status::run(dir),
        Command::Log(LogCommand::Check) => cmd::log::check(dir),
        Command::Log(LogCommand::Repair) => cmd::log::repair(dir),
        Command::Log(LogCommand::ProveConsistency(args)) => {
            cmd::checkpoint::prove_consistency(dir, args)
        }
        Command::Bundle(args) => cmd::bundle::run(dir, args),
        Command::VerifyConsistency(args) => cmd::checkpoint::verify_consistency(args),
        Command::Witness(WitnessCommand::Cosign(args)) => cmd::witness::cosign(args),
        Command::User(UserCommand::Add(args)) => cmd::user::add(dir, args),
        Command::User(UserCommand::List) => cmd::user::list(dir),
        Command::User(UserCommand::Remove(args)) => cmd::user::remove(dir, args),
        Command::User(UserCommand::Passwd(args)) => cmd::user::passwd(dir, args),
        // Beside `cmd`, not in it: the web front end over the same round API.
        Command::Serve(args) => serve::run(dir, args),
    }
}
