//! `choucha bundle` (issue 17): one package a reader checks with sha256sum,
//! python3 and choucha, and that `choucha verify` reads as a round.

use std::fs;
use std::path::Path;
use std::process::Command;

use tempfile::TempDir;

use crate::*;

const NEW_MEDIA: &str = "anhui-2023q3-new-media";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs a program other than choucha in `dir`: (exit code, stdout + stderr).
fn tool(dir: &Path, program: &str, args: &[&str]) -> (i32, String) {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn a_bundle_checks_with_sha256sum_python_and_choucha_and_a_change_is_caught() {
    let tmp = TempDir::new().unwrap();
    let (_, base) = demo(tmp.path());
    let round = base.join(NEW_MEDIA);
    let key = base.join("office-key");
    let b = tmp.path().join("bundle");
    let listed = ok(
        None,
        &["bundle", s(&round), "-o", s(&b), "--sign-key", s(&key)],
    );
    for name in [
        "log.jsonl",
        "roster.tsv",
        "manifest.json",
        "manifest.json.sig",
        "report.json",
        "choucha_v1.py",
        "README.txt",
    ] {
        assert!(b.join(name).is_file(), "{name} missing");
        assert!(listed.contains(&format!("  {name}\n")), "{listed}");
    }
    assert!(fs::read_dir(b.join("checkpoints")).unwrap().count() > 0);

    // Checked without choucha: every file's digest, the redraw, the table's digest.
    let (code, text) = tool(&b, "sha256sum", &["-c", "SHA256SUMS"]);
    assert_eq!(code, 0, "{text}");
    let (code, text) = tool(&b, "python3", &["choucha_v1.py", "--round", "."]);
    assert_eq!(code, 0, "{text}");
    let published = log_records(&b, "report-published").pop().unwrap();
    assert_eq!(
        sha256sum(&b.join("report.json")),
        published["table_sha256"].as_str().unwrap()
    );
    // And with choucha, as a round; SHA256SUMS's signature.
    let o = run(None, &["verify", s(&b)]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    ok(
        None,
        &[
            "verify-signature",
            s(&b.join("SHA256SUMS")),
            "--pubkey",
            s(&base.join("office-key.pub")),
            "--namespace",
            "choucha-bundle",
        ],
    );
    let readme = fs::read_to_string(b.join("README.txt")).unwrap();
    assert!(readme.contains("sha256sum -c SHA256SUMS"), "{readme}");
    assert!(
        readme.contains("python3 choucha_v1.py --round ."),
        "{readme}"
    );

    // One id of the sample changed in a copy: every check that can see it says so.
    let c = tmp.path().join("changed");
    copy_tree(&b, &c);
    let manifest = fs::read_to_string(c.join("manifest.json")).unwrap();
    let m: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    let id = m["strata"][0]["ids"][0].as_str().unwrap();
    fs::write(
        c.join("manifest.json"),
        manifest.replacen(id, &format!("{id}X"), 1),
    )
    .unwrap();
    let (code, text) = tool(&c, "sha256sum", &["-c", "--quiet", "SHA256SUMS"]);
    assert_ne!(code, 0);
    assert!(text.contains("manifest.json: FAILED"), "{text}");
    let (code, text) = tool(&c, "python3", &["choucha_v1.py", "--round", "."]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("manifest.json is not the one the log's sample-drawn record names"),
        "{text}"
    );
    assert_eq!(run(None, &["verify", s(&c)]).code, 1);

    // An existing output is refused and left alone.
    let before = fs::read(b.join("SHA256SUMS")).unwrap();
    let o = run(None, &["bundle", s(&round), "-o", s(&b)]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("already exists"), "{}", o.stderr);
    assert_eq!(fs::read(b.join("SHA256SUMS")).unwrap(), before);
}

#[test]
fn a_bundle_without_the_roster_says_what_it_cannot_check_and_a_zip_holds_the_same() {
    let tmp = TempDir::new().unwrap();
    let (_, base) = demo(tmp.path());
    let round = base.join(NEW_MEDIA);
    let b = tmp.path().join("private");
    ok(None, &["bundle", s(&round), "-o", s(&b), "--no-roster"]);
    assert!(!b.join("roster.tsv").exists());
    let (code, text) = tool(&b, "sha256sum", &["-c", "SHA256SUMS"]);
    assert_eq!(code, 0, "{text}");
    let o = run(None, &["verify", s(&b)]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(
        o.stdout.contains("roster.tsv is not in this copy"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("ok      results"), "{}", o.stdout);

    // The zip: the same files under one folder, extracted by Python's zipfile.
    let z = tmp.path().join("pub.zip");
    ok(None, &["bundle", s(&round), "-o", s(&z)]);
    let x = tmp.path().join("x");
    fs::create_dir(&x).unwrap();
    let (code, text) = tool(&x, "python3", &["-m", "zipfile", "-e", s(&z), "."]);
    assert_eq!(code, 0, "{text}");
    let inner = x.join("pub");
    let (code, text) = tool(&inner, "sha256sum", &["-c", "SHA256SUMS"]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(run(None, &["verify", s(&inner)]).code, 0);

    // Before the draw there is nothing to bundle.
    let fresh = init(tmp.path(), "fresh", &[]);
    let o = run(
        None,
        &["bundle", s(&fresh), "-o", s(&tmp.path().join("none"))],
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(!tmp.path().join("none").exists());
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_tree(&p, &dest);
        } else {
            fs::copy(&p, &dest).unwrap();
        }
    }
}
