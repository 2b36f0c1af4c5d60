//! The command line: every subcommand and flag, in one place.

use std::path::PathBuf;

use std::io::Write;

use clap::{Arg, ArgAction, Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::i18n::Lang;
use crate::input::table::TableOptions;
use crate::input::text::Encoding;

// Help texts are not doc comments: every word a user reads is in
// locales/{zh,en}.toml, and `command` puts them on the tree at run time.
#[derive(Debug, Parser)]
#[command(name = "choucha", version)]
pub struct Cli {
    #[arg(
        short = 'C',
        long = "dir",
        global = true,
        value_name = "DIR",
        default_value = "."
    )]
    pub dir: PathBuf,

    #[arg(long, global = true, value_enum, value_name = "LANG")]
    pub lang: Option<Lang>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Init(InitArgs),
    Roster(RosterArgs),
    Seed(SeedArgs),
    Draw(DrawArgs),
    Record(RecordArgs),
    Amend(AmendArgs),
    Codes,
    Columns,
    Report(ReportArgs),
    Verify(VerifyArgs),
    Claims(ClaimsArgs),
    Bound(BoundArgs),
    Size(SizeArgs),
    Keygen(KeygenArgs),
    Sign(SignArgs),
    VerifySignature(VerifySignatureArgs),
    Checkpoint(CheckpointArgs),
    Prove(ProveArgs),
    VerifyProof(VerifyProofArgs),
    VerifyConsistency(VerifyConsistencyArgs),
    Bundle(BundleArgs),
    #[command(subcommand)]
    Witness(WitnessCommand),
    Demo(DemoArgs),
    Status,
    #[command(subcommand)]
    Log(LogCommand),
    #[command(subcommand)]
    User(UserCommand),
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    pub path: PathBuf,
    #[arg(long)]
    pub round: String,
    #[arg(long)]
    pub population: String,
    #[arg(long)]
    pub rate: String,
    #[arg(long, default_value = "largest-remainder", value_name = "RULE")]
    pub allocation: String,
    #[arg(long)]
    pub title: Option<String>,
    #[arg(long, value_name = "FILE")]
    pub order: Option<PathBuf>,
    #[arg(long, value_name = "FILE")]
    pub codes: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RosterArgs {
    pub file: PathBuf,
    #[arg(long, value_name = "NAME")]
    pub id_column: Option<String>,
    #[arg(long, value_name = "NAME")]
    pub stratum_column: Option<String>,
    #[arg(long)]
    pub strict_strata: bool,
    #[command(flatten)]
    pub input: TableInput,
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    pub value: String,
    #[arg(long, default_value = "")]
    pub source: String,
}

#[derive(Debug, Args)]
pub struct DrawArgs {
    #[arg(long, value_name = "KEY")]
    pub sign_key: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RecordArgs {
    #[arg(conflicts_with = "id")]
    pub file: Option<PathBuf>,
    #[arg(long)]
    pub id: Option<String>,
    #[command(flatten)]
    pub verdict: VerdictArgs,
    #[arg(long, value_name = "DATE")]
    pub checked_at: Option<String>,
    #[arg(long, requires = "why")]
    pub amend_changed: bool,
    #[arg(long, value_name = "TEXT", requires = "amend_changed")]
    pub why: Option<String>,
    #[command(flatten)]
    pub input: TableInput,
}

#[derive(Debug, Args)]
pub struct AmendArgs {
    #[arg(long)]
    pub id: String,
    #[command(flatten)]
    pub verdict: VerdictArgs,
    #[arg(long)]
    pub why: String,
}

#[derive(Debug, Args)]
pub struct VerdictArgs {
    #[arg(long, conflicts_with = "fail")]
    pub pass: bool,
    #[arg(long, value_name = "CODE[,CODE...]")]
    pub fail: Option<String>,
    #[arg(long, value_name = "CODE[,CODE...]")]
    pub reason: Option<String>,
    #[arg(long)]
    pub note: Option<String>,
    #[arg(long)]
    pub inspector: Option<String>,
}

/// The users of `choucha serve` (`users.json` in the round).
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    Add(UserAddArgs),
    List,
    Remove(UserNameArgs),
    Passwd(UserPasswdArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    pub name: String,
    #[arg(long, value_enum)]
    pub role: crate::round::Role,
    #[arg(long, value_name = "REGION")]
    pub region: Vec<String>,
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct UserNameArgs {
    pub name: String,
}

#[derive(Debug, Args)]
pub struct UserPasswdArgs {
    pub name: String,
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    pub listen: std::net::SocketAddr,
    #[arg(long)]
    pub insecure_http: bool,
}

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    Check,
    Repair,
    ProveConsistency(ProveConsistencyArgs),
}

#[derive(Debug, Args)]
pub struct ProveConsistencyArgs {
    #[arg(long, value_name = "SIZE|CHECKPOINT")]
    pub from: String,
    #[arg(long, value_name = "SIZE|CHECKPOINT")]
    pub to: Option<String>,
}

#[derive(Debug, Args)]
pub struct VerifyConsistencyArgs {
    pub proof: PathBuf,
    #[arg(long, value_name = "CHECKPOINT")]
    pub old: PathBuf,
    #[arg(long, value_name = "CHECKPOINT")]
    pub new: PathBuf,
    #[arg(long, value_name = "KEY.pub")]
    pub pubkey: PathBuf,
}

#[derive(Debug, Args)]
pub struct BundleArgs {
    pub round: Option<PathBuf>,
    #[arg(short = 'o', long, value_name = "DIR|FILE.zip")]
    pub output: PathBuf,
    #[arg(long)]
    pub no_roster: bool,
    #[arg(long, value_name = "KEY")]
    pub sign_key: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum WitnessCommand {
    Cosign(WitnessCosignArgs),
}

#[derive(Debug, Args)]
pub struct WitnessCosignArgs {
    pub checkpoint: PathBuf,
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    #[arg(long, value_name = "KEY.pub")]
    pub log_pubkey: PathBuf,
    #[arg(long, value_name = "DIR")]
    pub state: PathBuf,
    #[arg(long, value_name = "PROOF.json")]
    pub proof: Option<PathBuf>,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Md,
    Csv,
    Json,
    Html,
    Xlsx,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[arg(long, value_enum, default_value = "md")]
    pub format: ReportFormat,
    #[arg(long)]
    pub publish: bool,
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    pub round: Option<PathBuf>,
    #[arg(long, value_name = "TABLE.csv")]
    pub published: Option<PathBuf>,
    #[arg(long, value_name = "NAME=VALUE")]
    pub claim: Vec<String>,
    #[arg(long, value_name = "FILE", requires = "pubkey")]
    pub checkpoint: Vec<PathBuf>,
    #[arg(long, value_name = "KEY.pub")]
    pub pubkey: Option<PathBuf>,
    #[arg(long, value_name = "WITNESS.pub", requires = "checkpoint")]
    pub witness: Vec<PathBuf>,
    #[arg(long, value_name = "K", requires = "witness")]
    pub quorum: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TotalsRounding {
    Floor,
    Ceil,
    HalfUp,
}

impl From<TotalsRounding> for crate::audit::published::Rounding {
    fn from(r: TotalsRounding) -> Self {
        match r {
            TotalsRounding::Floor => crate::audit::published::Rounding::Floor,
            TotalsRounding::Ceil => crate::audit::published::Rounding::Ceil,
            TotalsRounding::HalfUp => crate::audit::published::Rounding::HalfUp,
        }
    }
}

#[derive(Debug, Args)]
pub struct ClaimsArgs {
    pub table: PathBuf,
    #[arg(long, value_name = "NAME=VALUE")]
    pub claim: Vec<String>,
    #[arg(long)]
    pub rate: Option<String>,
    #[arg(long, value_enum, default_value = "ceil")]
    pub totals_rounding: TotalsRounding,
    #[arg(long, value_name = "RULE", requires = "rate")]
    pub allocation: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BoundFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct BoundArgs {
    #[arg(long, requires_all = ["checked", "failed"], conflicts_with = "table")]
    pub population: Option<u64>,
    #[arg(long, requires = "population")]
    pub checked: Option<u64>,
    #[arg(long, requires = "population")]
    pub failed: Option<u64>,
    #[arg(long, value_name = "TABLE.csv")]
    pub table: Option<PathBuf>,
    #[arg(long, default_value = "95%")]
    pub confidence: String,
    #[arg(long, value_enum, default_value = "text")]
    pub format: BoundFormat,
}

#[derive(Debug, Args)]
pub struct SizeArgs {
    #[arg(long, required_unless_present = "roster", conflicts_with = "roster")]
    pub population: Option<u64>,
    #[arg(long, value_name = "roster.tsv")]
    pub roster: Option<PathBuf>,
    #[arg(long, value_name = "RATE")]
    pub max_fail_rate: String,
    #[arg(long, default_value = "95%")]
    pub confidence: String,
    #[arg(long, default_value_t = 0)]
    pub accept: u64,
    #[arg(long, value_enum, default_value = "text")]
    pub format: BoundFormat,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    pub name: PathBuf,
    #[arg(long)]
    pub comment: Option<String>,
    #[arg(long, value_enum, default_value = "ed25519")]
    pub algorithm: KeyAlgorithm,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KeyAlgorithm {
    // OpenSSH Ed25519 keys, SSHSIG signatures.
    Ed25519,
    // SM2 keys in PKCS#8/SPKI PEM, DER signatures with SM3 (the gm profile).
    Sm2,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    pub file: PathBuf,
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    #[arg(long, default_value = crate::proof::keys::MANIFEST_NAMESPACE)]
    pub namespace: String,
}

#[derive(Debug, Args)]
pub struct VerifySignatureArgs {
    pub file: PathBuf,
    #[arg(long, value_name = "SIG")]
    pub signature: Option<PathBuf>,
    #[arg(long, value_name = "KEY.pub")]
    pub pubkey: Option<PathBuf>,
    #[arg(long, value_name = "FILE", requires = "identity")]
    pub allowed_signers: Option<PathBuf>,
    #[arg(long, value_name = "ID")]
    pub identity: Option<String>,
    #[arg(long, default_value = crate::proof::keys::MANIFEST_NAMESPACE)]
    pub namespace: String,
}

#[derive(Debug, Args)]
pub struct CheckpointArgs {
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    #[arg(long)]
    pub origin: Option<String>,
}

#[derive(Debug, Args)]
pub struct ProveArgs {
    #[arg(long)]
    pub id: String,
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct VerifyProofArgs {
    pub proof: PathBuf,
    #[arg(long, value_name = "FILE")]
    pub checkpoint: PathBuf,
    #[arg(long, value_name = "KEY.pub")]
    pub pubkey: PathBuf,
}

#[derive(Debug, Args)]
pub struct TableInput {
    #[arg(long, value_enum)]
    pub encoding: Option<Encoding>,
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub header_row: Option<u64>,
}

impl TableInput {
    /// How to read the table, with the columns its header must hold.
    pub fn options(&self, wanted: crate::input::header::Wanted) -> TableOptions<'_> {
        TableOptions {
            encoding: self.encoding,
            sheet: self.sheet.as_deref(),
            header_row: self.header_row,
            wanted,
        }
    }
}

/// The command tree with every help text in `lang`: about, long about and
/// each argument's help from the catalog key `help.<command path>.…`, clap's
/// own words (headings, the help and version flags, defaults and possible
/// values) replaced by the catalog's.
pub fn command(lang: Lang) -> clap::Command {
    let root = Cli::command().disable_version_flag(true).arg(
        Arg::new("version")
            .short('V')
            .long("version")
            .action(ArgAction::Version)
            .help(crate::tl!(lang, "cli.version-flag"))
            .help_heading(crate::tl!(lang, "cli.heading-options")),
    );
    localize(root, "help", lang)
}

fn localize(cmd: clap::Command, path: &str, lang: Lang) -> clap::Command {
    let text = |key: &str| crate::i18n::template(lang, key).map(str::to_owned);
    let mut cmd = cmd
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help(crate::tl!(lang, "cli.help-flag"))
                .help_heading(crate::tl!(lang, "cli.heading-options")),
        )
        .help_template(crate::i18n::template(lang, "cli.template").unwrap_or_default())
        .subcommand_help_heading(crate::tl!(lang, "cli.heading-commands"))
        .subcommand_value_name(crate::tl!(lang, "cli.command-name"));
    if let Some(about) = text(&format!("{path}.about")) {
        cmd = cmd.about(about);
    }
    if let Some(long) = text(&format!("{path}.long-about")) {
        cmd = cmd.long_about(long);
    }
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .filter(|id| id != "help" && id != "version")
        .collect();
    for id in ids {
        let help = text(&format!("{path}.arg.{id}"));
        cmd = cmd.mut_arg(&id, |a| {
            let mut help = help.unwrap_or_default();
            let takes_value = !matches!(
                a.get_action(),
                ArgAction::SetTrue | ArgAction::SetFalse | ArgAction::Count
            );
            let values: Vec<String> = a
                .get_possible_values()
                .iter()
                .filter(|v| !v.is_hide_set())
                .map(|v| v.get_name().to_owned())
                .collect();
            if takes_value && !values.is_empty() {
                help.push_str(&crate::tl!(
                    lang,
                    "cli.possible",
                    values = values.join(", ")
                ));
            }
            let defaults: Vec<String> = a
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy().into_owned())
                .collect();
            if takes_value && !defaults.is_empty() {
                help.push_str(&crate::tl!(
                    lang,
                    "cli.default",
                    value = defaults.join(", ")
                ));
            }
            let heading = if a.is_positional() {
                crate::tl!(lang, "cli.heading-arguments")
            } else {
                crate::tl!(lang, "cli.heading-options")
            };
            let a = a.help(help).help_heading(heading);
            if takes_value {
                a.hide_possible_values(true).hide_default_value(true)
            } else {
                a
            }
        });
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in subs {
        let sub_path = format!("{path}.{name}");
        cmd = cmd.mut_subcommand(&name, |s| localize(s, &sub_path, lang));
    }
    // clap writes [OPTIONS] in the usage line in any language.
    let bin: Vec<&str> = std::iter::once("choucha")
        .chain(path.split('.').skip(1))
        .collect();
    let bin = bin.join(" ");
    let usage = cmd.clone().bin_name(&bin).render_usage().to_string();
    let mut usage = usage.strip_prefix("Usage: ").unwrap_or(&usage).to_string();
    // A subcommand alone does not see the global options (-C, --lang) yet.
    if !usage.contains("[OPTIONS]") {
        usage = usage.replacen(&bin, &format!("{bin} [OPTIONS]"), 1);
    }
    let usage = usage.replace("[OPTIONS]", &crate::tl!(lang, "cli.usage-options"));
    cmd.override_usage(usage)
}

/// Parses the command line in `lang`.
pub fn parse(args: Vec<std::ffi::OsString>, lang: Lang) -> Result<Cli, clap::Error> {
    let matches = command(lang).try_get_matches_from(args)?;
    Cli::from_arg_matches(&matches)
}

/// Parses the command line, or ends the process as clap would: help and
/// version on standard output with exit 0, a mistake on standard error
/// with exit 2 (in English clap's own words, with its suggestions).
pub fn parse_or_exit(args: Vec<std::ffi::OsString>, lang: Lang) -> Cli {
    use clap::error::ErrorKind;
    match parse(args, lang) {
        Ok(cli) => cli,
        Err(e)
            if lang == Lang::En
                || matches!(
                    e.kind(),
                    ErrorKind::DisplayHelp
                        | ErrorKind::DisplayVersion
                        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
                ) =>
        {
            e.exit()
        }
        Err(e) => {
            // Not eprintln!: a closed stderr must not turn exit 2 into a panic.
            let message = crate::t!("error.usage", message = usage_error(&e));
            let _ = writeln!(std::io::stderr(), "{message}");
            std::process::exit(2)
        }
    }
}

/// A command-line mistake in the interface's language: what is wrong and
/// what would be accepted, as one line for `choucha: error:`.
pub fn usage_error(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let ctx = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(", "),
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        Some(ContextValue::StyledStrs(v)) => v
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        Some(ContextValue::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let arg = ctx(ContextKind::InvalidArg);
    match e.kind() {
        ErrorKind::UnknownArgument => crate::t!("cli.unknown-argument", arg),
        ErrorKind::InvalidSubcommand => crate::t!(
            "cli.unknown-command",
            name = ctx(ContextKind::InvalidSubcommand)
        ),
        ErrorKind::InvalidValue => crate::t!(
            "cli.invalid-value",
            arg,
            value = ctx(ContextKind::InvalidValue),
            valid = ctx(ContextKind::ValidValue)
        ),
        ErrorKind::MissingRequiredArgument => crate::t!("cli.missing-argument", arg),
        ErrorKind::ArgumentConflict => {
            crate::t!("cli.conflict", arg, other = ctx(ContextKind::PriorArg))
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            crate::t!("cli.missing-command")
        }
        _ => {
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or_default();
            crate::t!(
                "cli.other",
                detail = first.strip_prefix("error: ").unwrap_or(first)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The help keys the command tree needs: about for every command, one
    /// text for every argument.
    fn needed(cmd: &clap::Command, path: &str, out: &mut BTreeSet<String>) {
        out.insert(format!("{path}.about"));
        for a in cmd.get_arguments() {
            out.insert(format!("{path}.arg.{}", a.get_id()));
        }
        for s in cmd.get_subcommands() {
            needed(s, &format!("{path}.{}", s.get_name()), out);
        }
    }

    #[test]
    fn every_command_and_argument_has_help_in_both_languages() {
        let mut want = BTreeSet::new();
        needed(&Cli::command(), "help", &mut want);
        for lang in [Lang::Zh, Lang::En] {
            for key in &want {
                assert!(
                    crate::i18n::template(lang, key).is_some_and(|t| !t.is_empty()),
                    "{lang:?}: no help text {key}"
                );
            }
            command(lang).debug_assert();
        }
        // And no help text for something that does not exist.
        // (The two catalogs hold the same keys: `i18n` tests that.)
        let extra: Vec<&String> = crate::i18n::keys(Lang::En)
            .filter(|k| k.starts_with("help.") && !k.ends_with(".long-about"))
            .filter(|k| !want.contains(k.as_str()))
            .collect();
        assert!(extra.is_empty(), "help texts for nothing: {extra:?}");
    }

    #[test]
    fn help_is_in_the_chosen_language() {
        let zh = command(Lang::Zh).render_long_help().to_string();
        let en = command(Lang::En).render_long_help().to_string();
        assert!(
            zh.contains("用法：") && zh.contains("命令") && zh.contains("新建一轮抽查"),
            "{zh}"
        );
        assert!(
            en.contains("Usage:") && en.contains("Create a round directory"),
            "{en}"
        );
        assert!(!zh.contains("Create a round directory"));
    }
}
