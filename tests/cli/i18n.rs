//! The interface in Chinese and English: chosen by --lang, else the locale.

use std::path::Path;

use tempfile::TempDir;

use crate::{demo, demo_in, init, run_env as run_in, write};

const ZH: &[(&str, &str)] = &[("LANG", "zh_CN.UTF-8")];
const C: &[(&str, &str)] = &[("LANG", "C")];

fn contains_all(text: &str, needles: &[&str]) {
    for n in needles {
        assert!(text.contains(n), "expected {n:?} in:\n{text}");
    }
}

fn contains_none(text: &str, needles: &[&str]) {
    for n in needles {
        assert!(!text.contains(n), "did not expect {n:?} in:\n{text}");
    }
}

#[test]
fn help_follows_the_locale_and_the_flag() {
    let zh = run_in(ZH, None, &["--help"]);
    assert_eq!(zh.code, 0, "{}", zh.stderr);
    contains_all(
        &zh.stdout,
        &[
            "用法：choucha",
            "命令:",
            "选项:",
            "新建一轮抽查的目录",
            "从头复核一轮抽查",
        ],
    );
    contains_none(
        &zh.stdout,
        &["Usage:", "Create a round directory", "Print help"],
    );

    let en = run_in(C, None, &["--help"]);
    assert_eq!(en.code, 0, "{}", en.stderr);
    contains_all(
        &en.stdout,
        &[
            "Usage: choucha",
            "Commands:",
            "Create a round directory",
            "Re-verify a round",
        ],
    );
    contains_none(&en.stdout, &["用法", "新建一轮抽查的目录"]);

    // A subcommand's long help, the algorithm included.
    let draw = run_in(ZH, None, &["draw", "--help"]);
    contains_all(
        &draw.stdout,
        &["分层抽样", "uniform(m)", "同一轮也不能抽第二次"],
    );
    // LC_ALL outranks LANG; --lang outranks both.
    let all = run_in(
        &[("LANG", "zh_CN.UTF-8"), ("LC_ALL", "C")],
        None,
        &["--help"],
    );
    contains_all(&all.stdout, &["Usage: choucha"]);
    let flag = run_in(ZH, None, &["--lang", "en", "verify", "--help"]);
    contains_all(&flag.stdout, &["Re-verify a round from scratch"]);
    let flag = run_in(C, None, &["verify", "--help", "--lang=zh"]);
    contains_all(&flag.stdout, &["从头复核一轮抽查"]);
    // CHOUCHA_LANG outranks the locale, --lang outranks it.
    let own = run_in(
        &[("CHOUCHA_LANG", "zh"), ("LC_ALL", "C")],
        None,
        &["verify", "--help"],
    );
    contains_all(&own.stdout, &["从头复核一轮抽查"]);
    let own = run_in(
        &[("CHOUCHA_LANG", "zh")],
        None,
        &["--lang", "en", "verify", "--help"],
    );
    contains_all(&own.stdout, &["Re-verify a round from scratch"]);
}

#[test]
fn a_duplicate_id_is_refused_in_the_users_language() {
    let tmp = TempDir::new().unwrap();
    let round = init(tmp.path(), "r", &[]);
    let f = write(
        tmp.path(),
        "dup.csv",
        "id,region\nA1,合肥市\nA2,合肥市\nA1,省直厅局\n",
    );
    let zh = run_in(ZH, Some(&round), &["roster", f.to_str().unwrap()]);
    assert_eq!(zh.code, 2, "{}", zh.stderr);
    contains_all(
        &zh.stderr,
        &["choucha：错误：", "dup.csv", "重复", "A1", "4", "2"],
    );
    contains_none(&zh.stderr, &["duplicate", "error:"]);

    let en = run_in(C, Some(&round), &["roster", f.to_str().unwrap()]);
    assert_eq!(en.code, 2, "{}", en.stderr);
    contains_all(
        &en.stderr,
        &[
            "choucha: error:",
            "dup.csv: line 4: duplicate \"id\" \"A1\", already on line 2",
        ],
    );
    contains_none(&en.stderr, &["重复"]);
    // Refused in either language, nothing was written.
    assert!(!round.join("roster.tsv").exists());
}

#[test]
fn verify_speaks_chinese_or_english() {
    let tmp = TempDir::new().unwrap();
    let (_, base) = demo(tmp.path());
    let round = base.join("anhui-2023q3-new-media");
    let r = round.to_str().unwrap();

    let zh = run_in(ZH, None, &["verify", r, "--claim", "checked=1658"]);
    assert_eq!(zh.code, 0, "{}{}", zh.stdout, zh.stderr);
    contains_all(
        &zh.stdout,
        &[
            "通过  哈希链：",
            "通过  名册：roster.tsv 为规范形式，共 3316 个账号",
            "通过  抽样：用 choucha-v1 重新抽样，与 manifest.json 完全一致",
            "通过  公布数字：checked=1658 与记录一致（1658）",
            "结论：通过——全部",
        ],
    );
    contains_none(&zh.stdout, &["verdict", "ok      ", "checks hold"]);

    let zh = run_in(ZH, None, &["verify", r, "--claim", "checked=1659"]);
    assert_eq!(zh.code, 1, "{}{}", zh.stdout, zh.stderr);
    contains_all(
        &zh.stdout,
        &[
            "不符  公布数字：公布为 checked=1659，由记录重算为 1658",
            "结论：不符——",
        ],
    );
    contains_all(&zh.stderr, &["choucha：错误："]);

    let en = run_in(C, None, &["verify", r, "--claim", "checked=1659"]);
    assert_eq!(en.code, 1, "{}{}", en.stdout, en.stderr);
    contains_all(
        &en.stdout,
        &[
            "ok      chain: ",
            "FAILED  claim: checked=1659 is claimed, the records give 1658",
            "verdict: FAILED — 1 of ",
        ],
    );
    contains_none(&en.stdout, &["通过", "不符", "结论"]);
}

#[test]
fn usage_and_system_errors_are_translated_too() {
    let tmp = TempDir::new().unwrap();
    let zh = run_in(ZH, None, &["verify", "--bogus"]);
    assert_eq!(zh.code, 2);
    contains_all(
        &zh.stderr,
        &["choucha：用法错误：", "无法识别的参数 --bogus"],
    );
    let en = run_in(C, None, &["verify", "--bogus"]);
    assert_eq!(en.code, 2);
    contains_all(&en.stderr, &["unexpected argument '--bogus'"]);

    let round = init(tmp.path(), "r", &[]);
    let missing = tmp.path().join("missing.csv");
    let zh = run_in(ZH, Some(&round), &["roster", missing.to_str().unwrap()]);
    assert_eq!(zh.code, 2);
    contains_all(&zh.stderr, &["missing.csv：文件或目录不存在"]);
}

/// The language changes what the user reads, never what is recorded: the
/// same round in Chinese and in English gives byte-identical roster.tsv and
/// manifest.json, and the same records but for their times and hashes.
#[test]
fn records_do_not_depend_on_the_language() {
    let tmp = TempDir::new().unwrap();
    let roster = write(
        tmp.path(),
        "roster.csv",
        "id,region,name\nA1,合肥市,a\nA2,合肥市,b\nA3,合肥市,c\nB1,省直厅局,d\nB2,省直厅局,e\n",
    );
    let mut rounds = vec![];
    for (name, env) in [("zh", ZH), ("en", C)] {
        let round = tmp.path().join(name);
        let r = round.to_str().unwrap();
        for args in [
            &[
                "init",
                r,
                "--round",
                "r1",
                "--population",
                "政务新媒体",
                "--rate",
                "1/2",
            ][..],
            &["-C", r, "roster", roster.to_str().unwrap()],
            &["-C", r, "seed", crate::SEED, "--source", "dice"],
            &["-C", r, "draw"],
        ] {
            let o = run_in(env, None, args);
            assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
        }
        rounds.push(round);
    }
    for f in ["roster.tsv", "manifest.json", "sample.csv"] {
        assert_eq!(
            std::fs::read(rounds[0].join(f)).unwrap(),
            std::fs::read(rounds[1].join(f)).unwrap(),
            "{f}"
        );
    }
    let records = |round: &Path| -> Vec<serde_json::Value> {
        std::fs::read_to_string(round.join("log.jsonl"))
            .unwrap()
            .lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                let o = v.as_object_mut().unwrap();
                o.remove("at");
                o.remove("prev");
                v
            })
            .collect()
    };
    assert_eq!(records(&rounds[0]), records(&rounds[1]));
}

#[test]
fn the_demo_speaks_chinese_when_asked() {
    let tmp = TempDir::new().unwrap();
    let (out, _) = demo_in(tmp.path(), "zh");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("结论：通过")).count(),
        2,
        "{out}"
    );
    contains_all(&out, &["|  | 合计 | 3316 | 1658 | 5 |", "通过  检查点："]);
    contains_none(&out, &["verdict", "FAILED"]);
}
