//! The command line: every subcommand and flag, in one place.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::text::Encoding;

#[derive(Debug, Parser)]
#[command(
    name = "choucha",
    version,
    about = "抽查 — verifiable spot checks of government websites and new-media accounts",
    long_about = "抽查 (choucha) — verifiable spot checks of government websites and new-media accounts.\n\n\
A round goes: init (settings) → roster (commit to the list of accounts) → seed (a public random value, \
known only after the commitment) → draw (the reproducible stratified sample). Every step is appended to \
the round's hash-chained log.jsonl. SPEC.md states the draw (choucha-v1) byte for byte."
)]
pub struct Cli {
    /// The round directory to work on.
    #[arg(
        short = 'C',
        long = "dir",
        global = true,
        value_name = "DIR",
        default_value = "."
    )]
    pub dir: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a round directory with its settings (first line of log.jsonl).
    Init(InitArgs),
    /// Commit to the roster of registered accounts (writes roster.tsv, records its SHA-256).
    Roster(RosterArgs),
    /// Record the public seed, after the roster is committed.
    Seed(SeedArgs),
    /// Draw the stratified sample with choucha-v1 (writes manifest.json and sample.csv).
    #[command(long_about = DRAW_HELP)]
    Draw(DrawArgs),
    /// Record inspection results: a CSV batch, or one with --id.
    #[command(long_about = RECORD_HELP)]
    Record(RecordArgs),
    /// Correct a result; the earlier one stays in the log and the latest counts.
    Amend(AmendArgs),
    /// List the reason codes (single-veto items fail an account).
    Codes,
    /// The notice's table (md, csv, json, html); --publish closes the round.
    Report(ReportArgs),
    /// Re-verify a round from scratch: chain, order, roster, draw, results, report, published numbers.
    #[command(long_about = VERIFY_HELP)]
    Verify(VerifyArgs),
    /// Check a published table on its own, without any log (sums, bounds, rates).
    Claims(ClaimsArgs),
    /// Make an Ed25519 key pair: NAME (private, mode 0600) and NAME.pub (OpenSSH).
    Keygen(KeygenArgs),
    /// Sign a file (FILE.sig, an SSHSIG signature `ssh-keygen -Y verify` accepts).
    Sign(SignArgs),
    /// Check a signature made by `choucha sign` or `ssh-keygen -Y sign`.
    VerifySignature(VerifySignatureArgs),
    /// Sign a checkpoint of the log (C2SP tlog-checkpoint in a signed note) into checkpoints/<size>.
    Checkpoint(CheckpointArgs),
    /// Print an account's latest result line with its inclusion proof against a checkpoint (JSON).
    Prove(ProveArgs),
    /// Check an inclusion proof against a signed checkpoint, without the log.
    VerifyProof(VerifyProofArgs),
    /// Run the Anhui 2023 Q3 example end to end (init … report --publish, verify) in a fresh directory.
    Demo(DemoArgs),
    /// Where the round stands and what comes next.
    Status,
    /// Work on the log itself.
    #[command(subcommand)]
    Log(LogCommand),
}

const DRAW_HELP: &str = "Draw the stratified sample with choucha-v1 (SPEC.md §4).\n\n\
1. Quotas per stratum from the rate p/q and the allocation rule fixed at init: floor(N_s·p/q), \
ceil(N_s·p/q), largest-remainder (total ceil(N·p/q), floors first, the rest to the largest remainders \
N_s·p mod q, ties by SHA-256(\"choucha-v1/alloc\" 0x00 seed 0x00 stratum)), or a quota plan.\n\
2. Each stratum's generator: ChaCha20 keyed with SHA-256(\"choucha-v1\" 0x00 seed 0x00 stratum), \
nonce 0, counter 0; each u64 is the next 8 keystream bytes, little-endian.\n\
3. uniform(m): draw u64 x until x < 2^64 - (2^64 mod m); return x mod m.\n\
4. The stratum's ids sorted by UTF-8 bytes; for i in 0..k: swap a[i] with a[i + uniform(N - i)]. \
The sample is a[0..k] in rank order.\n\n\
Refused before the seed, and refused a second time: a redraw would let someone try seeds.";

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory to create the round in (created if missing; must not hold a round).
    pub path: PathBuf,
    /// The round's name, e.g. anhui-2023q3-new-media.
    #[arg(long)]
    pub round: String,
    /// What is inspected, e.g. 政务新媒体 or 政府网站.
    #[arg(long)]
    pub population: String,
    /// Sampling rate: 50%, 0.5 or 1/2 (kept as an exact fraction).
    #[arg(long)]
    pub rate: String,
    /// largest-remainder, ceil, floor, or quotas=FILE (CSV of stratum,quota fixed in advance).
    #[arg(long, default_value = "largest-remainder", value_name = "RULE")]
    pub allocation: String,
    /// The published table's title, e.g. 2023年第三季度全省政务新媒体抽查情况.
    #[arg(long)]
    pub title: Option<String>,
    /// The table's row order: a file with one stratum per line (default: a
    /// quota plan's order, else the roster's order of first appearance).
    #[arg(long, value_name = "FILE")]
    pub order: Option<PathBuf>,
    /// The round's own reason codes: a CSV of code, label, applies-to [, veto].
    #[arg(long, value_name = "FILE")]
    pub codes: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RosterArgs {
    /// The roster CSV: one line per registered account, with a header.
    pub file: PathBuf,
    /// Column holding the account id (default: id, 账号ID, 账号 or 标识码).
    #[arg(long, value_name = "NAME")]
    pub id_column: Option<String>,
    /// Column holding the stratum (default: region, 地区, 所属地区 or 省直厅局/各市).
    #[arg(long, value_name = "NAME")]
    pub stratum_column: Option<String>,
    #[command(flatten)]
    pub input: TableInput,
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// The seed, verbatim (at least 20 characters, e.g. 20 dice rolled in public).
    pub value: String,
    /// Where the seed came from.
    #[arg(long, default_value = "")]
    pub source: String,
}

#[derive(Debug, Args)]
pub struct DrawArgs {
    /// Sign manifest.json as it is written (manifest.json.sig); the log records the key's fingerprint.
    #[arg(long, value_name = "KEY")]
    pub sign_key: Option<PathBuf>,
}

const RECORD_HELP: &str = "Record inspection results.\n\n\
A batch: `choucha record RESULTS.csv` with columns id and verdict (pass/fail, 合格/不合格), and \
optionally reason (codes separated by ;), note, inspector, checked_at (YYYY-MM-DD); Chinese headers \
(结果, 原因, 备注, 检查人, 检查日期) are recognised and other columns (such as sample.csv's) ignored. \
The whole batch is checked first — every id in the sample and without a result, every code known, \
every fail with a single-veto reason, no pass with one — and is refused whole, listing every problem, \
or appended whole, framed by a batch line, and fsynced before exit 0.\n\n\
One result: `choucha record --id ID --pass` or `--fail CODE[,CODE]`.";

#[derive(Debug, Args)]
pub struct RecordArgs {
    /// A results CSV (a batch).
    #[arg(conflicts_with = "id")]
    pub file: Option<PathBuf>,
    /// One result: the sampled account's id.
    #[arg(long)]
    pub id: Option<String>,
    #[command(flatten)]
    pub verdict: VerdictArgs,
    /// Date of the check, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub checked_at: Option<String>,
    #[command(flatten)]
    pub input: TableInput,
}

#[derive(Debug, Args)]
pub struct AmendArgs {
    #[arg(long)]
    pub id: String,
    #[command(flatten)]
    pub verdict: VerdictArgs,
    /// Why the result changes (kept in the log).
    #[arg(long)]
    pub why: String,
}

/// One result given on the command line.
#[derive(Debug, Args)]
pub struct VerdictArgs {
    /// The account passed.
    #[arg(long, conflicts_with = "fail")]
    pub pass: bool,
    /// The account failed, for these single-veto reason codes.
    #[arg(long, value_name = "CODE[,CODE...]")]
    pub fail: Option<String>,
    /// Further reason codes (for a pass: non-veto notes such as REGISTRY_MISMATCH).
    #[arg(long, value_name = "CODE[,CODE...]")]
    pub reason: Option<String>,
    #[arg(long)]
    pub note: Option<String>,
    #[arg(long)]
    pub inspector: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Check the hash chain; print the line count, head hash and last record type.
    Check,
    /// Set a torn tail (an interrupted append) aside into log.jsonl.torn-<time>.
    Repair,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Md,
    Csv,
    Json,
    Html,
    /// A workbook formatted for printing (needs -o FILE).
    Xlsx,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[arg(long, value_enum, default_value = "md")]
    pub format: ReportFormat,
    /// Titles in Chinese (the notice's terms) or English.
    #[arg(long, value_enum, default_value = "zh")]
    pub lang: crate::report::Lang,
    /// Record the table's SHA-256 in the log (report-published); the round is then closed.
    #[arg(long)]
    pub publish: bool,
    /// Write to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

const VERIFY_HELP: &str = "Re-verify a round from scratch, trusting no earlier run.\n\n\
1 chain: every line chains (as `log check`).\n\
2 order: round-opened, roster-committed, seed-revealed, sample-drawn, results, report-published; \
no roster after the seed, no second seed or draw.\n\
3 roster: roster.tsv hashes to the committed digest and is canonical.\n\
4 draw: choucha-v1 redone from roster.tsv, the seed and the plan gives manifest.json byte for byte, \
and manifest.json hashes to what sample-drawn recorded.\n\
5 results: every result concerns a sampled id and follows the code rules; every sampled id has one.\n\
6 report: a published report's digest matches the table recomputed from the records.\n\
7 with --published TABLE.csv and --claim NAME=VALUE: the published numbers equal the recount; a \
pass rate is compared at its own precision (99.7% and 99.70% both fit 1653/1658, 99.69% does not).\n\n\
Exit 0 when everything holds, 1 on any discrepancy, 2 when an input cannot be read.";

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The round directory (default: -C DIR, else the current directory).
    pub round: Option<PathBuf>,
    /// The published table as CSV (the report's columns, Chinese or English headers).
    #[arg(long, value_name = "TABLE.csv")]
    pub published: Option<PathBuf>,
    /// A published headline number: checked=1658, failed=5, total=3316, passed=1653, pass-rate=99.70%.
    #[arg(long, value_name = "NAME=VALUE")]
    pub claim: Vec<String>,
    /// A signed checkpoint the log must still match (repeatable); needs --pubkey.
    #[arg(long, value_name = "FILE", requires = "pubkey")]
    pub checkpoint: Vec<PathBuf>,
    /// The public key that signed the checkpoints (NAME.pub).
    #[arg(long, value_name = "KEY.pub", requires = "checkpoint")]
    pub pubkey: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TotalsRounding {
    Floor,
    Ceil,
    HalfUp,
}

impl From<TotalsRounding> for crate::published::Rounding {
    fn from(r: TotalsRounding) -> Self {
        match r {
            TotalsRounding::Floor => crate::published::Rounding::Floor,
            TotalsRounding::Ceil => crate::published::Rounding::Ceil,
            TotalsRounding::HalfUp => crate::published::Rounding::HalfUp,
        }
    }
}

#[derive(Debug, Args)]
pub struct ClaimsArgs {
    /// The published table as CSV.
    pub table: PathBuf,
    /// A headline number to check against the table: checked=, failed=, total=, passed=, pass-rate=.
    #[arg(long, value_name = "NAME=VALUE")]
    pub claim: Vec<String>,
    /// The stated sampling rate: every row must reach ceil(total × rate).
    #[arg(long)]
    pub rate: Option<String>,
    /// How the office rounded the total sample size.
    #[arg(long, value_enum, default_value = "ceil")]
    pub totals_rounding: TotalsRounding,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to create the example rounds (default: a new directory under the system's temp dir).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Path of the private key; the public key goes to NAME.pub.
    pub name: PathBuf,
    /// The key's comment (default: the file name).
    #[arg(long)]
    pub comment: Option<String>,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    pub file: PathBuf,
    /// The private key (OpenSSH format, readable by its owner only).
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    #[arg(long, default_value = crate::keys::MANIFEST_NAMESPACE)]
    pub namespace: String,
}

#[derive(Debug, Args)]
pub struct VerifySignatureArgs {
    pub file: PathBuf,
    /// The signature (default: FILE.sig).
    #[arg(long, value_name = "SIG")]
    pub signature: Option<PathBuf>,
    /// The signer's public key (NAME.pub).
    #[arg(long, value_name = "KEY.pub")]
    pub pubkey: Option<PathBuf>,
    /// An OpenSSH allowed_signers file, with --identity.
    #[arg(long, value_name = "FILE", requires = "identity")]
    pub allowed_signers: Option<PathBuf>,
    #[arg(long, value_name = "ID")]
    pub identity: Option<String>,
    #[arg(long, default_value = crate::keys::MANIFEST_NAMESPACE)]
    pub namespace: String,
}

#[derive(Debug, Args)]
pub struct CheckpointArgs {
    /// The private key to sign with (OpenSSH Ed25519, mode 0600).
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// The log's name in the checkpoint (default: choucha/<round>).
    #[arg(long)]
    pub origin: Option<String>,
}

#[derive(Debug, Args)]
pub struct ProveArgs {
    #[arg(long)]
    pub id: String,
    /// The checkpoint to prove against (default: the newest in checkpoints/).
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

/// How a table file (CSV or workbook) is read.
#[derive(Debug, Args)]
pub struct TableInput {
    /// A CSV file's encoding (default: detected; UTF-8 with or without BOM, else GB18030).
    #[arg(long, value_enum)]
    pub encoding: Option<Encoding>,
    /// For a workbook (.xlsx, .xls, .ods): the sheet to read (default: the first).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
}
