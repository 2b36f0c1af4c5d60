//! `choucha demo`: the Anhui 2023 Q3 example, end to end, from any directory.
//!
//! The example's files are embedded in the binary. Each step runs this very
//! binary as a subprocess, exactly as a user would type it, in a fresh
//! directory that is kept so the rounds can be verified again by hand.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cli::DemoArgs;
use crate::error::{Error, Result};
use crate::t;

macro_rules! sample {
    ($name:literal) => {
        (
            $name,
            include_bytes!(concat!("../../samples/anhui-2023q3/", $name)).as_slice(),
        )
    };
}

const FILES: &[(&str, &[u8])] = &[
    sample!("new-media-roster.csv"),
    sample!("new-media-quotas.csv"),
    sample!("new-media-results.csv"),
    sample!("table-new-media.csv"),
    sample!("websites-roster.csv"),
    sample!("websites-quotas.csv"),
    sample!("websites-results.csv"),
    sample!("table-websites.csv"),
    sample!("seed.txt"),
];

struct Example {
    name: &'static str,
    title: &'static str,
    population: &'static str,
    rate: &'static str,
    prefix: &'static str,
    table: &'static str,
    claims: &'static [&'static str],
}

const EXAMPLES: &[Example] = &[
    Example {
        name: "anhui-2023q3-new-media",
        title: "2023年第三季度全省政务新媒体抽查情况",
        population: "政务新媒体",
        rate: "50%",
        prefix: "new-media",
        table: "table-new-media.csv",
        claims: &["total=3316", "checked=1658", "failed=5", "pass-rate=99.70%"],
    },
    Example {
        name: "anhui-2023q3-websites",
        title: "2023年第三季度全省政府网站检查情况",
        population: "政府网站",
        rate: "100%",
        prefix: "websites",
        table: "table-websites.csv",
        claims: &["total=840", "checked=840", "failed=0", "pass-rate=100%"],
    },
];

/// Runs this binary with `args`; returns its standard output.
fn step(args: &[&str]) -> Result<String> {
    // Each step speaks the language the demo was asked for.
    let lang = match crate::i18n::current() {
        crate::i18n::Lang::Zh => "zh",
        crate::i18n::Lang::En => "en",
    };
    step_in(lang, args)
}

/// Runs this binary with `--lang LANG` and `args`.
fn step_in(lang: &str, args: &[&str]) -> Result<String> {
    let exe = std::env::current_exe().map_err(|e| Error::io("choucha", e))?;
    let out = Command::new(&exe)
        .args(["--lang", lang])
        .args(args)
        .output()
        .map_err(|e| Error::io(&exe, e))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(Error::Discrepancy(t!(
            "demo.step-failed",
            command = args.join(" "),
            stdout,
            stderr = String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(stdout)
}

fn fresh_dir(out: Option<&Path>) -> Result<PathBuf> {
    match out {
        Some(p) => {
            if p.exists()
                && std::fs::read_dir(p)
                    .map_err(|e| Error::io(p, e))?
                    .next()
                    .is_some()
            {
                return Err(Error::refused(t!("demo.not-empty", dir = p.display())));
            }
            std::fs::create_dir_all(p).map_err(|e| Error::io(p, e))?;
            Ok(p.to_path_buf())
        }
        None => tempfile::Builder::new()
            .prefix("choucha-demo-")
            .tempdir()
            .map(|d| d.keep())
            .map_err(|e| Error::io(std::env::temp_dir(), e)),
    }
}

pub fn run(args: &DemoArgs) -> Result<()> {
    let base = fresh_dir(args.out.as_deref())?;
    let inputs = base.join("inputs");
    std::fs::create_dir_all(&inputs).map_err(|e| Error::io(&inputs, e))?;
    for (name, bytes) in FILES {
        crate::base::fsio::write_atomic(&inputs.join(name), bytes)?;
    }
    let seed_txt = String::from_utf8_lossy(
        FILES
            .iter()
            .find(|f| f.0 == "seed.txt")
            .expect("embedded")
            .1,
    )
    .into_owned();
    let mut seed_lines = seed_txt.lines();
    let (seed, source) = (
        seed_lines.next().unwrap_or(""),
        seed_lines.next().unwrap_or(""),
    );
    let input = |name: String| inputs.join(name).display().to_string();

    // The office's signing key (a real one would be kept offline).
    let key = base.join("office-key");
    let key_s = key.display().to_string();
    step(&["keygen", &key_s, "--comment", "demo office key"])?;
    let pubkey = format!("{key_s}.pub");

    let mut all_ok = true;
    for ex in EXAMPLES {
        let round = base.join(ex.name);
        let r = round.display().to_string();
        let plan = format!("quotas={}", input(format!("{}-quotas.csv", ex.prefix)));
        step(&[
            "init",
            &r,
            "--round",
            ex.name,
            "--title",
            ex.title,
            "--population",
            ex.population,
            "--rate",
            ex.rate,
            "--allocation",
            &plan,
        ])?;
        step(&[
            "-C",
            &r,
            "roster",
            &input(format!("{}-roster.csv", ex.prefix)),
        ])?;
        step(&["-C", &r, "seed", seed, "--source", source])?;
        step(&["-C", &r, "draw", "--sign-key", &key_s])?;
        step(&[
            "-C",
            &r,
            "record",
            &input(format!("{}-results.csv", ex.prefix)),
        ])?;
        // The notice's own table, as published: in Chinese whatever the
        // interface speaks (its numbers are what the demo reproduces).
        let table = step_in("zh", &["-C", &r, "report", "--publish"])?;
        outln!("{table}");
        step(&["-C", &r, "checkpoint", "--key", &key_s])?;
        let newest = std::fs::read_dir(round.join("checkpoints"))
            .map_err(|e| Error::io(round.join("checkpoints"), e))?
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        let checkpoint = round
            .join("checkpoints")
            .join(newest.to_string())
            .display()
            .to_string();
        let mut verify = vec![
            "verify".to_string(),
            r.clone(),
            "--published".into(),
            input(ex.table.to_string()),
        ];
        for c in ex.claims {
            verify.push("--claim".into());
            verify.push(c.to_string());
        }
        verify.extend([
            "--checkpoint".to_string(),
            checkpoint.clone(),
            "--pubkey".into(),
            pubkey.clone(),
        ]);
        let verify: Vec<&str> = verify.iter().map(String::as_str).collect();
        match step(&verify).and_then(|out| {
            let sig = step(&[
                "verify-signature",
                &round.join("manifest.json").display().to_string(),
                "--pubkey",
                &pubkey,
            ])?;
            Ok(out + &sig)
        }) {
            Ok(out) => out!("{out}"),
            Err(e) => {
                all_ok = false;
                outln!("{e}");
            }
        }
        outln!("{}\n", t!("demo.round-directory", dir = round.display()));
    }
    outln!("{}", t!("demo.inputs", dir = inputs.display(), key = key_s));
    outln!(
        "{}",
        t!(
            "demo.verify-by-hand",
            dir = base.join(EXAMPLES[0].name).display()
        )
    );
    if all_ok {
        Ok(())
    } else {
        Err(Error::Discrepancy(t!("demo.did-not-verify")))
    }
}
