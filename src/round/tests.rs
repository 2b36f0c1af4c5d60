//! The round API driven as a front end would, without the CLI: a whole
//! round, and the steps refused out of order.

use std::path::Path;

use super::*;
use crate::audit::published::parse_table;
use crate::input::table::SourceText;
use crate::results::batch::ResultRow;
use crate::results::verdict::Verdict;
use crate::roster::canonical::RosterOptions;

fn settings(rate: &str) -> Settings {
    Settings {
        round: "test-2026q4".into(),
        population: "政务新媒体".into(),
        rate: rate.into(),
        allocation: AllocationChoice::Rule("largest-remainder".into()),
        title: Some("测试".into()),
        order: None,
        codes: None,
    }
}

/// 20 accounts in two regions, 12 and 8.
fn roster_text() -> String {
    let mut s = String::from("账号ID,地区,名称\n");
    for i in 0..20 {
        let region = if i < 12 { "合肥市" } else { "芜湖市" };
        s.push_str(&format!("A{i:03},{region},账号{i}\n"));
    }
    s
}

fn opened_with_roster(dir: &Path) -> Round {
    Round::create(dir, &settings("1/2")).unwrap();
    let mut round = Round::open(dir).unwrap();
    let src = SourceText::from_text("roster.csv", roster_text());
    round
        .commit_roster(&src, "roster.csv", &RosterOptions::default())
        .unwrap();
    round
}

fn one(id: &str, verdict: Verdict, reasons: &[&str]) -> Batch {
    Batch::One(ResultRow {
        line: 0,
        id: id.into(),
        verdict,
        reasons: reasons.iter().map(|r| r.to_string()).collect(),
        note: String::new(),
        inspector: String::new(),
        checked_at: String::new(),
        entered_by: String::new(),
    })
}

#[test]
fn a_whole_round_through_the_api_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = &tmp.path().join("r");
    let mut round = opened_with_roster(dir);
    assert_eq!(round.status().next, Next::Seed);
    let seed = round
        .reveal_seed("31415926535897932384", "会上掷骰")
        .unwrap();
    assert_eq!(seed, "31415926535897932384");
    drop(round);

    let key = crate::proof::keys::generate("office").unwrap();
    let mut round = Round::open(dir).unwrap();
    let drawn = round.draw(Some(&key)).unwrap();
    assert_eq!(drawn.sample_size, 10);
    let quotas: Vec<(&str, u64, u64)> = drawn
        .strata
        .iter()
        .map(|s| (s.name.as_str(), s.quota, s.population))
        .collect();
    assert_eq!(quotas, [("合肥市", 6, 12), ("芜湖市", 4, 8)]);
    assert!(dir.join("manifest.json.sig").is_file());
    assert!(drawn.workbooks.is_some());
    drop(round);

    // Every sampled account passes but one, recorded as a table and then one by one.
    let mut round = Round::open(dir).unwrap();
    let ids: Vec<String> = round
        .manifest()
        .unwrap()
        .strata
        .iter()
        .flat_map(|s| s.ids.iter().map(|i| i.to_string()))
        .collect();
    let mut csv = String::from("id,verdict,reason\n");
    for id in &ids[1..] {
        csv.push_str(&format!("{id},pass,\n"));
    }
    let r = round
        .record(
            Batch::Table {
                src: SourceText::from_text("results.csv", csv),
                source_name: "results.csv".into(),
            },
            None,
        )
        .unwrap();
    assert_eq!((r.count, r.passed, r.failed, r.done), (9, 9, 0, 9));
    // One Round goes on from step to step: its state follows its appends.
    assert_eq!(round.status().next, Next::Record { missing: 1 });
    round
        .record(one(&ids[0], Verdict::Fail, &["NM_NOT_UPDATED"]), None)
        .unwrap();
    let a = round
        .amend(Amendment {
            id: ids[1].clone(),
            verdict: Verdict::Fail,
            reasons: vec!["NM_NOT_UPDATED".into()],
            note: String::new(),
            inspector: String::new(),
            why: "复核".into(),
            entered_by: String::new(),
        })
        .unwrap();
    assert_eq!((a.was, a.now), (Verdict::Pass, Verdict::Fail));
    assert_eq!(round.status().next, Next::Publish);
    let table = round.publish(crate::i18n::Lang::En, |_| Ok(())).unwrap();
    assert_eq!(
        (
            table.totals.total,
            table.totals.checked,
            table.totals.failed
        ),
        (20, 10, 2)
    );
    assert_eq!(table.pass_rate.fraction, "8/10");
    let csv = String::from_utf8(table.to_csv(crate::i18n::Lang::En)).unwrap();
    assert_eq!(round.status().next, Next::Checkpoint);
    let cp = round.checkpoint(&key, None).unwrap();
    assert!(cp.note.starts_with("choucha/test-2026q4\n"), "{}", cp.note);
    // The same Round goes on: it reads the lines it appended.
    let proof = round.prove(&ids[0], None).unwrap();
    assert!(proof.line.contains(&ids[0]));
    let kept = |r: &Round| {
        let st = r.state();
        let results: Vec<_> = ids.iter().map(|id| st.results.get(id).copied()).collect();
        (st.len, st.head.clone(), st.published, results)
    };
    let went_on = kept(&round);
    drop(round); // verify reads under a shared lock
    assert_eq!(went_on, kept(&Round::open(dir).unwrap()));

    let published = parse_table(&csv, "table.csv").unwrap();
    let request = VerifyRequest {
        published: Some((published, "table.csv".into())),
        claims: vec![],
        checkpoints: vec![("cp".into(), std::fs::read_to_string(&cp.file).unwrap())],
        pubkey: Some((key.public_key().clone(), "office.pub".into())),
        witnesses: vec![],
        quorum: 0,
    };
    let checks = verify(dir, &request).unwrap();
    let failed: Vec<&str> = checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| c.text.as_str())
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
    // The round's own checks, then the checkpoint's.
    assert!(checks.len() >= 8, "{}", checks.len());
    assert!(checks.last().unwrap().text.contains("cp"));
}

#[test]
fn steps_out_of_order_are_refused_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = &tmp.path().join("r");
    Round::create(dir, &settings("1/2")).unwrap();
    let e = Round::create(dir, &settings("1/2")).err().unwrap();
    assert_eq!(e.exit_code(), 2);
    let log_len = || std::fs::metadata(dir.join("log.jsonl")).unwrap().len();

    let mut round = Round::open(dir).unwrap();
    let before = log_len();
    let refusals = [
        round
            .reveal_seed("12345678901234567890", "x")
            .err()
            .unwrap(),
        round.draw(None).err().unwrap(),
        round
            .record(one("A000", Verdict::Pass, &[]), None)
            .err()
            .unwrap(),
        round.report().err().unwrap(),
    ];
    for e in &refusals {
        assert_eq!(e.exit_code(), 2, "{e}");
    }
    assert_eq!(log_len(), before);
    drop(round);

    let mut round = opened_with_roster(&tmp.path().join("s"));
    round.reveal_seed("12345678901234567890", "x").unwrap();
    let e = round
        .reveal_seed("09876543210987654321", "again")
        .err()
        .unwrap();
    assert!(e.to_string().contains("12345678901234567890"), "{e}");
    let src = SourceText::from_text("roster.csv", roster_text());
    let e = round
        .commit_roster(&src, "roster.csv", &RosterOptions::default())
        .err()
        .unwrap();
    assert_eq!(e.exit_code(), 2);
}

#[test]
fn bad_settings_are_refused_before_the_directory_is_made() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("never");
    for s in [
        settings("150%"),
        Settings {
            allocation: AllocationChoice::Rule("round-robin".into()),
            ..settings("50%")
        },
        Settings {
            round: " ".into(),
            ..settings("50%")
        },
    ] {
        let e = Round::create(&dir, &s).err().unwrap();
        assert_eq!(e.exit_code(), 2, "{e}");
        assert!(!dir.exists());
    }
}
