//! `choucha user` and `choucha serve`: a real server on a loopback port,
//! started from the test, driven over HTTP with reqwest. Every role rule,
//! the CSRF token, the login limit, bad input, and web results recorded
//! while a command-line batch runs, each acknowledged result in the log
//! exactly once.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use serde_json::{Value, json};

use crate::{drawn_round, log_records, ok, run, write};

const PASSWORD: &str = "s3cret-pass";

/// `choucha user add` with the password on standard input.
fn add_user(
    round: &Path,
    name: &str,
    role: &str,
    regions: &[&str],
    password: &str,
) -> (i32, String) {
    let mut args = vec![
        "-C".to_string(),
        round.display().to_string(),
        "user".into(),
        "add".into(),
        name.into(),
        "--role".into(),
        role.into(),
        "--password-stdin".into(),
    ];
    for r in regions {
        args.push("--region".into());
        args.push(r.to_string());
    }
    piped(&args, password)
}

fn piped(args: &[String], stdin: &str) -> (i32, String) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("choucha"))
        .args(args)
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{stdin}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// A server over `round` on a free loopback port; stopped (SIGTERM) when dropped.
struct Server {
    child: Option<Child>,
    base: String,
}

impl Server {
    fn start(round: &Path) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("choucha"))
            .args([
                "-C",
                round.to_str().unwrap(),
                "serve",
                "--listen",
                "127.0.0.1:0",
            ])
            .env_remove("LANG")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let at = line
            .find("http://")
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        let base = line[at..].split_whitespace().next().unwrap().to_string();
        Server {
            child: Some(child),
            base,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// SIGTERM, and the server's exit code and the rest of its output.
    fn stop(&mut self) -> (i32, String) {
        let mut child = self.child.take().unwrap();
        let killed = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let mut rest = String::new();
        let _ = std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut rest);
        let code = child.wait().unwrap().code().unwrap_or(-1);
        (code, rest)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn client() -> Client {
    Client::builder().cookie_store(true).build().unwrap()
}

/// A signed-in client and its CSRF token.
struct Session {
    http: Client,
    csrf: String,
}

fn login(s: &Server, user: &str, password: &str) -> Response {
    client()
        .post(s.url("/api/login"))
        .json(&json!({"user": user, "password": password}))
        .send()
        .unwrap()
}

fn session(s: &Server, user: &str) -> Session {
    let http = client();
    let r = http
        .post(s.url("/api/login"))
        .json(&json!({"user": user, "password": PASSWORD}))
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().unwrap();
    Session {
        http,
        csrf: v["csrf"].as_str().unwrap().to_string(),
    }
}

impl Session {
    fn get(&self, s: &Server, path: &str) -> Response {
        self.http.get(s.url(path)).send().unwrap()
    }

    fn post(&self, s: &Server, path: &str, body: Value) -> Response {
        self.http
            .post(s.url(path))
            .header("X-CSRF-Token", &self.csrf)
            .json(&body)
            .send()
            .unwrap()
    }
}

fn error_of(r: Response) -> String {
    let v: Value = r.json().unwrap();
    v["error"].as_str().unwrap().to_string()
}

/// The sampled ids by stratum, from manifest.json.
fn strata(round: &Path) -> BTreeMap<String, Vec<String>> {
    let m: Value =
        serde_json::from_slice(&std::fs::read(round.join("manifest.json")).unwrap()).unwrap();
    m["strata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let ids = s["ids"].as_array().unwrap();
            (
                s["name"].as_str().unwrap().to_string(),
                ids.iter()
                    .map(|i| i.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

/// A drawn round with an admin, an auditor and an inspector of 合肥市 and of 亳州市.
fn office(tmp: &Path, n: usize) -> PathBuf {
    let (round, _) = drawn_round(tmp, "r", n);
    for (name, role, regions) in [
        ("admin", "admin", vec![]),
        ("audit", "auditor", vec![]),
        ("hefei", "inspector", vec!["合肥市"]),
        ("bozhou", "inspector", vec!["亳州市"]),
    ] {
        let (code, out) = add_user(&round, name, role, &regions, PASSWORD);
        assert_eq!(code, 0, "{out}");
    }
    round
}

#[test]
fn users_are_kept_private_in_the_round_and_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let round = office(tmp.path(), 40);
    let file = round.join("users.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "users.json mode {mode:o}");
    }
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("$argon2id$"), "{text}");
    assert!(!text.contains(PASSWORD));
    let log = std::fs::read_to_string(round.join("log.jsonl")).unwrap();
    assert!(!log.contains("argon2") && !log.contains("hefei"));
    let list = ok(Some(&round), &["user", "list"]);
    assert!(list.contains("hefei\tinspector\t合肥市"), "{list}");
    assert!(!list.contains("argon2"));

    // Refusals, each naming what would be accepted; the file unchanged.
    let before = std::fs::read(&file).unwrap();
    let (code, out) = add_user(&round, "x", "inspector", &[], PASSWORD);
    assert_eq!(code, 2);
    assert!(out.contains("--region"), "{out}");
    let (code, out) = add_user(&round, "x", "inspector", &["上海市"], PASSWORD);
    assert_eq!(code, 2);
    assert!(out.contains("上海市") && out.contains("合肥市"), "{out}");
    let (code, out) = add_user(&round, "x", "auditor", &["合肥市"], PASSWORD);
    assert_eq!(code, 2, "{out}");
    let (code, out) = add_user(&round, "x", "auditor", &[], "short");
    assert_eq!(code, 2);
    assert!(out.contains('8'), "{out}");
    let (code, out) = add_user(&round, "hefei", "auditor", &[], PASSWORD);
    assert_eq!(code, 2);
    assert!(out.contains("exists"), "{out}");
    let (code, out) = add_user(&round, "a b", "auditor", &[], PASSWORD);
    assert_eq!(code, 2, "{out}");
    let o = run(Some(&round), &["user", "add", "y", "--role", "admin"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("--password-stdin"), "{}", o.stderr);
    assert_eq!(std::fs::read(&file).unwrap(), before);

    // No output may replace it.
    let o = run(Some(&round), &["report", "-o", file.to_str().unwrap()]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert_eq!(std::fs::read(&file).unwrap(), before);

    ok(Some(&round), &["user", "remove", "bozhou"]);
    assert!(!ok(Some(&round), &["user", "list"]).contains("bozhou"));
    let o = run(Some(&round), &["user", "remove", "bozhou"]);
    assert_eq!(o.code, 2);
}

#[test]
fn serve_refuses_a_network_address_without_tls_or_insecure_http() {
    let tmp = tempfile::tempdir().unwrap();
    let (round, _) = drawn_round(tmp.path(), "r", 8);
    let o = run(Some(&round), &["serve", "--listen", "0.0.0.0:0"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("--insecure-http"), "{}", o.stderr);
}

#[test]
fn roles_sessions_and_csrf_are_enforced_by_the_server() {
    let tmp = tempfile::tempdir().unwrap();
    let round = office(tmp.path(), 40);
    let by_stratum = strata(&round);
    let hefei_ids = &by_stratum["合肥市"];
    let bozhou_ids = &by_stratum["亳州市"];
    let mut s = Server::start(&round);
    let anon = client();

    // Without a session: 401, and the security headers on every answer.
    for path in ["/api/round", "/api/sample", "/api/verify", "/api/report"] {
        let r = anon.get(s.url(path)).send().unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"));
        assert_eq!(h["x-content-type-options"], "nosniff");
    }
    let r = anon
        .post(s.url("/api/results"))
        .json(&json!({"id": hefei_ids[0], "verdict": "pass"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Chinese by default, English when asked.
    let zh = error_of(anon.get(s.url("/api/round")).send().unwrap());
    assert!(zh.contains("登录"), "{zh}");
    let en = error_of(
        anon.get(s.url("/api/round"))
            .header("Accept-Language", "en-GB,en;q=0.9")
            .send()
            .unwrap(),
    );
    assert!(en.contains("sign in"), "{en}");

    // A wrong password, and a name that does not exist, read the same.
    let wrong = login(&s, "hefei", "not the password");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let nobody = login(&s, "nobody", PASSWORD);
    assert_eq!(nobody.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(wrong), error_of(nobody));

    // The cookie is HttpOnly and SameSite=Strict; no secret in the URL.
    let r = login(&s, "hefei", PASSWORD);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let hefei = session(&s, "hefei");
    let bozhou = session(&s, "bozhou");
    let admin = session(&s, "admin");
    let audit = session(&s, "audit");

    // An inspector's sample is their region's, whole.
    let v: Value = hefei.get(&s, "/api/sample").json().unwrap();
    let seen: Vec<&str> = v["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        seen,
        hefei_ids.iter().map(String::as_str).collect::<Vec<_>>()
    );
    let v: Value = bozhou.get(&s, "/api/sample?region=合肥市").json().unwrap();
    assert!(v["accounts"].as_array().unwrap().is_empty(), "{v}");
    let v: Value = bozhou.get(&s, "/api/sample").json().unwrap();
    assert_eq!(v["accounts"].as_array().unwrap().len(), bozhou_ids.len());
    let v: Value = audit.get(&s, "/api/sample").json().unwrap();
    let all: usize = by_stratum.values().map(Vec::len).sum();
    assert_eq!(v["accounts"].as_array().unwrap().len(), all);
    let v: Value = hefei.get(&s, "/api/round").json().unwrap();
    assert_eq!(v["regions"].as_array().unwrap().len(), 1);
    assert_eq!(v["regions"][0]["name"], "合肥市");

    // CSRF: a write without the token, or with another session's, is 403.
    let body = json!({"id": hefei_ids[0], "verdict": "fail", "reason": "NM_NOT_UPDATED", "note": "三个月未更新"});
    let forged: [&[(&str, &str)]; 3] = [
        &[],
        &[("X-CSRF-Token", &bozhou.csrf)],
        &[
            ("X-CSRF-Token", &hefei.csrf),
            ("Origin", "http://evil.example"),
        ],
    ];
    for headers in forged {
        let mut request = hefei.http.post(s.url("/api/results")).json(&body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let r = request.send().unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{headers:?}");
    }
    assert!(log_records(&round, "result-recorded").is_empty());

    // Roles: only an inspector records, and only in their regions.
    for who in [&admin, &audit] {
        assert_eq!(
            who.post(&s, "/api/results", body.clone()).status(),
            StatusCode::FORBIDDEN
        );
    }
    let r = bozhou.post(&s, "/api/results", body.clone());
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(error_of(r).contains("合肥市"));
    assert!(log_records(&round, "result-recorded").is_empty());
    let r = hefei.post(&s, "/api/results", body.clone());
    assert_eq!(r.status(), StatusCode::CREATED);
    let recs = log_records(&round, "result-recorded");
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["id"], hefei_ids[0].as_str());
    assert_eq!(recs[0]["verdict"], "fail");
    assert_eq!(recs[0]["entered_by"], "hefei");
    assert_eq!(recs[0]["note"], "三个月未更新");

    // Bad input: 400 with a message, nothing recorded.
    let cases = [
        json!({"id": hefei_ids[1], "verdict": "maybe"}),
        json!({"id": hefei_ids[1], "verdict": "fail"}),
        json!({"id": hefei_ids[1], "verdict": "fail", "reason": "NO_SUCH_CODE"}),
        json!({"id": "NOT-SAMPLED", "verdict": "pass"}),
        json!({"id": hefei_ids[0], "verdict": "pass"}),
        json!({"id": hefei_ids[1], "verdict": "pass", "checked_at": "yesterday"}),
        json!({"verdict": "pass"}),
    ];
    for case in cases {
        let r = hefei.post(&s, "/api/results", case.clone());
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{case}");
        assert!(!error_of(r).is_empty());
    }
    let r = hefei
        .http
        .post(s.url("/api/results"))
        .header("X-CSRF-Token", &hefei.csrf)
        .header("Content-Type", "application/json")
        .body("{\"id\": ")
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(log_records(&round, "result-recorded").len(), 1);

    // Amend: needs the reason why; then recorded with the user.
    let amend = json!({"id": hefei_ids[0], "verdict": "pass", "why": ""});
    assert_eq!(
        hefei.post(&s, "/api/amend", amend).status(),
        StatusCode::BAD_REQUEST
    );
    let amend = json!({"id": hefei_ids[0], "verdict": "pass", "why": "复核后已更新"});
    assert_eq!(
        bozhou.post(&s, "/api/amend", amend.clone()).status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        hefei.post(&s, "/api/amend", amend).status(),
        StatusCode::CREATED
    );
    let am = log_records(&round, "result-amended");
    assert_eq!(am.len(), 1);
    assert_eq!(am[0]["entered_by"], "hefei");
    assert_eq!(am[0]["why"], "复核后已更新");

    // Auditor and admin read verify and the report; an inspector does not.
    assert_eq!(hefei.get(&s, "/api/verify").status(), StatusCode::FORBIDDEN);
    assert_eq!(hefei.get(&s, "/api/report").status(), StatusCode::FORBIDDEN);
    let v: Value = audit.get(&s, "/api/verify").json().unwrap();
    // The same verdict as the command line's (a draft: results missing).
    let cli = run(Some(&round), &["verify"]);
    assert_eq!(v["ok"], cli.code == 0, "{v}");
    assert!(!v["checks"].as_array().unwrap().is_empty());
    let r = admin.get(&s, "/api/report?format=md");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/markdown")
    );
    assert!(r.text().unwrap().contains("合肥市"));
    assert_eq!(
        audit.get(&s, "/api/report?format=pdf").status(),
        StatusCode::BAD_REQUEST
    );

    // Logout ends the session; a new password ends the others.
    assert_eq!(
        bozhou.post(&s, "/api/logout", json!({})).status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        bozhou.get(&s, "/api/round").status(),
        StatusCode::UNAUTHORIZED
    );
    let (code, out) = piped(
        &[
            "-C".into(),
            round.display().to_string(),
            "user".into(),
            "passwd".into(),
            "audit".into(),
            "--password-stdin".into(),
        ],
        "another-pass",
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        audit.get(&s, "/api/round").status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(login(&s, "audit", "another-pass").status(), StatusCode::OK);

    // What the web wrote is a log the command line verifies.
    ok(Some(&round), &["log", "check"]);
    let (code, _) = s.stop();
    assert_eq!(code, 0);
}

#[test]
fn ten_failed_logins_lock_the_user_for_a_while() {
    let tmp = tempfile::tempdir().unwrap();
    let round = office(tmp.path(), 8);
    let s = Server::start(&round);
    for i in 0..10 {
        let r = login(&s, "hefei", &format!("wrong-{i}"));
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    // The right password too, now.
    let r = login(&s, "hefei", PASSWORD);
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 14 * 60 && retry <= 15 * 60, "{retry}");
    assert!(error_of(r).contains("hefei"));
    // Another user is not locked out.
    assert_eq!(login(&s, "bozhou", PASSWORD).status(), StatusCode::OK);
}

#[test]
fn web_and_command_line_results_at_once_land_exactly_once() {
    let tmp = tempfile::tempdir().unwrap();
    // 1,000 accounts in four strata at 50%: 125 of each 250 sampled.
    let (round, _) = drawn_round(tmp.path(), "r", 1000);
    let by_stratum = strata(&round);
    let per_inspector = crate::campaign_size("CHOUCHA_SERVE_RESULTS", 50);
    // Two inspectors per stratum, 8 in all, each with ids of their own;
    // the rest of each stratum goes to a command-line batch.
    let mut plans = Vec::new();
    let mut batch = String::from("id,verdict\n");
    for (k, (stratum, ids)) in by_stratum.iter().enumerate() {
        assert!(ids.len() > 2 * per_inspector, "{stratum}: {}", ids.len());
        for j in 0..2 {
            let name = format!("insp{k}{j}");
            let (code, out) = add_user(&round, &name, "inspector", &[stratum], PASSWORD);
            assert_eq!(code, 0, "{out}");
            plans.push((
                name,
                ids[j * per_inspector..(j + 1) * per_inspector].to_vec(),
            ));
        }
        for id in &ids[2 * per_inspector..] {
            batch.push_str(&format!("{id},pass\n"));
        }
    }
    let batch_file = write(tmp.path(), "batch.csv", &batch);
    let mut s = Server::start(&round);
    let sessions: Vec<Session> = plans.iter().map(|(n, _)| session(&s, n)).collect();
    let acknowledged = std::thread::scope(|scope| {
        let cli = scope.spawn(|| run(Some(&round), &["record", batch_file.to_str().unwrap()]));
        let workers: Vec<_> = plans
            .iter()
            .zip(&sessions)
            .map(|((_, ids), sess)| {
                let s = &s;
                scope.spawn(move || {
                    let mut acked = Vec::new();
                    for id in ids {
                        let r = sess.post(s, "/api/results", json!({"id": id, "verdict": "pass"}));
                        assert_eq!(r.status(), StatusCode::CREATED, "{id}");
                        acked.push(id.clone());
                    }
                    acked
                })
            })
            .collect();
        let acked: Vec<String> = workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect();
        let o = cli.join().unwrap();
        assert_eq!(o.code, 0, "{}", o.stderr);
        acked
    });
    let (code, out) = s.stop();
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("stopped"), "{out}");
    assert_eq!(acknowledged.len(), 8 * per_inspector);
    let recs = log_records(&round, "result-recorded");
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for r in &recs {
        *count
            .entry(r["id"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    for id in &acknowledged {
        assert_eq!(count.get(id), Some(&1), "{id}");
    }
    let sampled: usize = by_stratum.values().map(Vec::len).sum();
    assert_eq!(recs.len(), sampled);
    assert!(count.values().all(|&c| c == 1));
    let web = recs
        .iter()
        .filter(|r| r.get("entered_by").is_some())
        .count();
    assert_eq!(web, acknowledged.len());
    ok(Some(&round), &["log", "check"]);
    ok(Some(&round), &["verify"]);
}

#[test]
fn pages_are_chinese_by_default_embedded_and_show_an_inspector_their_sample() {
    let tmp = tempfile::tempdir().unwrap();
    let round = office(tmp.path(), 40);
    let by_stratum = strata(&round);
    let s = Server::start(&round);
    let anon = client();
    let r = anon.get(s.url("/")).send().unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    let login_page = r.text().unwrap();
    assert!(
        login_page.contains("id=\"login\"") && login_page.contains("登录"),
        "{login_page}"
    );
    assert!(!login_page.contains("csrf-token"));
    // Nothing from elsewhere: every script and style is this server's.
    assert!(!login_page.contains("http://") && !login_page.contains("https://"));
    let en = anon
        .get(s.url("/"))
        .header("Accept-Language", "en")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(en.contains("Sign in"), "{en}");

    let hefei = session(&s, "hefei");
    let page = hefei.get(&s, "/").text().unwrap();
    assert!(
        page.contains(&format!("content=\"{}\"", hefei.csrf)),
        "the page carries the CSRF token"
    );
    assert!(
        page.contains("<progress") && page.contains("合肥市"),
        "{page}"
    );
    for id in &by_stratum["合肥市"] {
        assert!(page.contains(&format!("data-id=\"{id}\"")), "{id}");
    }
    for id in &by_stratum["亳州市"] {
        assert!(!page.contains(id.as_str()), "{id} is not hefei's");
    }
    // After a result, the account shows it and its form amends.
    let id = &by_stratum["合肥市"][0];
    let r = hefei.post(
        &s,
        "/api/results",
        json!({"id": id, "verdict": "fail", "reason": "NM_SECURITY"}),
    );
    assert_eq!(r.status(), StatusCode::CREATED);
    let page = hefei.get(&s, "/").text().unwrap();
    assert!(
        page.contains(&format!("data-id=\"{id}\" data-amend=\"true\"")),
        "{page}"
    );
    assert!(page.contains("不合格"));

    let audit = session(&s, "audit");
    let page = audit.get(&s, "/").text().unwrap();
    assert!(
        !page.contains("class=\"entry\""),
        "an auditor enters nothing"
    );
    for name in by_stratum.keys() {
        assert!(page.contains(name.as_str()), "{name}");
    }

    let js = anon.get(s.url("/assets/app.js")).send().unwrap();
    assert!(
        js.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(js.text().unwrap().contains("X-CSRF-Token"));
    let css = anon.get(s.url("/assets/app.css")).send().unwrap();
    assert!(
        css.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
}
