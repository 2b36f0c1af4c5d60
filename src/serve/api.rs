//! The JSON API: each handler checks who asks (session, role, region, CSRF
//! token) before it touches the round, and answers in the asker's language.
//! Round steps run on the blocking pool: they wait for the round's lock
//! and fsync the log.

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::App;
use super::session::{self, COOKIE};
use crate::error::Error;
use crate::i18n::{Lang, with_lang};
use crate::results::batch::{ResultRow, parse_date, split_reasons};
use crate::results::verdict::Verdict;
use crate::round::{Amendment, Batch, Role, Round, User, Users};
use crate::tl;

/// An answer that is not a success: a status and a message for people.
pub struct ApiError {
    status: StatusCode,
    message: String,
    retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, message: String) -> ApiError {
        ApiError {
            status,
            message,
            retry_after: None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (self.status, Json(json!({ "error": self.message }))).into_response();
        if let Some(secs) = self.retry_after {
            r.headers_mut().insert(
                header::RETRY_AFTER,
                secs.to_string().parse().unwrap_or(0.into()),
            );
        }
        r
    }
}

type ApiResult = std::result::Result<Response, ApiError>;

/// A round error as an answer: bad input 400, a refused step 409; a
/// failure of the machine 500, its detail for the server's log only.
fn round_error(e: Error, lang: Lang) -> ApiError {
    match e {
        Error::Input(_) | Error::Problems { .. } => {
            ApiError::new(StatusCode::BAD_REQUEST, e.to_string())
        }
        Error::Refused(_) | Error::Discrepancy(_) => {
            ApiError::new(StatusCode::CONFLICT, e.to_string())
        }
        Error::Io { .. } => internal(&e.to_string(), lang),
    }
}

fn internal(detail: &str, lang: Lang) -> ApiError {
    super::say(&tl!(lang, "serve.internal-detail", detail));
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        tl!(lang, "serve.internal"),
    )
}

pub(super) fn lang_of(headers: &HeaderMap) -> Lang {
    super::lang::from_accept_language(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

fn bad_json(e: JsonRejection, lang: Lang) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        tl!(lang, "serve.bad-json", error = e.body_text()),
    )
}

fn bad_query(e: QueryRejection, lang: Lang) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        tl!(lang, "serve.bad-query", error = e.body_text()),
    )
}

/// Runs a round step on the blocking pool, its messages in `lang`.
async fn blocking<T: Send + 'static>(
    lang: Lang,
    f: impl FnOnce() -> std::result::Result<T, ApiError> + Send + 'static,
) -> std::result::Result<T, ApiError> {
    tokio::task::spawn_blocking(move || with_lang(lang, f))
        .await
        .unwrap_or_else(|e| Err(internal(&e.to_string(), lang)))
}

/// The signed-in user of a request, with its language.
pub(super) struct Caller {
    pub user: User,
    pub csrf: String,
    token: String,
    pub lang: Lang,
}

impl Caller {
    fn require(&self, allowed: &[Role]) -> std::result::Result<(), ApiError> {
        if allowed.contains(&self.user.role) {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                tl!(self.lang, "serve.role", role = self.user.role.name()),
            ))
        }
    }

    /// Whether the caller sees this stratum: an inspector only their own.
    pub fn sees(&self, stratum: &str) -> bool {
        self.user.role != Role::Inspector || self.user.regions.iter().any(|r| r == stratum)
    }
}

/// The caller's session and user, checked: 401 without a live session (or
/// when the user was removed or given a new password since), and for a
/// write 403 without the session's CSRF token or from another origin.
pub(super) fn caller(
    app: &App,
    headers: &HeaderMap,
    write: bool,
) -> std::result::Result<Caller, ApiError> {
    let lang = lang_of(headers);
    let unauthorized = || ApiError::new(StatusCode::UNAUTHORIZED, tl!(lang, "serve.no-session"));
    let token = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| session::cookie(h, COOKIE))
        .ok_or_else(unauthorized)?
        .to_string();
    let now = Instant::now();
    let session = lock(&app.sessions)
        .touch(&token, now)
        .ok_or_else(unauthorized)?;
    let users = Users::load(&app.dir).map_err(|e| round_error(e, lang))?;
    let Some(user) = users
        .get(&session.user)
        .filter(|u| session::same(&u.hash, &session.hash))
        .cloned()
    else {
        lock(&app.sessions).close(&token);
        return Err(unauthorized());
    };
    if write {
        check_origin(headers, lang)?;
        let given = headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !session::same(given, &session.csrf) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                tl!(lang, "serve.csrf"),
            ));
        }
    }
    Ok(Caller {
        user,
        csrf: session.csrf,
        token,
        lang,
    })
}

/// A browser names the page a write came from: it must be this server.
fn check_origin(headers: &HeaderMap, lang: Lang) -> std::result::Result<(), ApiError> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(()); // not a browser's cross-site request
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, rest)| rest);
    match (origin_host, host) {
        (Some(o), Some(h)) if o == h => Ok(()),
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            tl!(lang, "serve.cross-origin"),
        )),
    }
}

/// A poisoned lock is still the data: a panic elsewhere never locks everyone out.
fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[derive(Deserialize)]
pub struct Login {
    user: String,
    password: String,
}

pub async fn login(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: std::result::Result<Json<Login>, JsonRejection>,
) -> ApiResult {
    let lang = lang_of(&headers);
    check_origin(&headers, lang)?;
    let Json(login) = body.map_err(|e| bad_json(e, lang))?;
    let name = login.user;
    let bad_login = || ApiError::new(StatusCode::UNAUTHORIZED, tl!(lang, "serve.bad-login"));
    // No user has such a name (`user add` refuses it): answered without
    // being tracked, so that long made-up names cannot fill the limiter.
    if name.is_empty() || name.chars().count() > 64 {
        return Err(bad_login());
    }
    if let Some(left) = lock(&app.limiter).locked(&name, Instant::now()) {
        let minutes = left.as_secs().div_ceil(60);
        return Err(ApiError {
            retry_after: Some(left.as_secs().max(1)),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                tl!(lang, "serve.locked", user = name, minutes),
            )
        });
    }
    let _permit = app
        .hashing
        .acquire()
        .await
        .map_err(|e| internal(&e.to_string(), lang))?;
    let dir = app.dir.clone();
    let who = name.clone();
    let user = blocking(lang, move || {
        let users = Users::load(&dir).map_err(|e| round_error(e, lang))?;
        Ok(match users.get(&who) {
            Some(u) if u.password_is(&login.password) => Some(u.clone()),
            Some(_) => None,
            None => {
                // As long as a wrong password, so that names cannot be told apart.
                let decoy = User {
                    name: String::new(),
                    role: Role::Auditor,
                    regions: Vec::new(),
                    hash: crate::round::decoy_hash().to_string(),
                };
                let _ = decoy.password_is(&login.password);
                None
            }
        })
    })
    .await?;
    let Some(user) = user else {
        lock(&app.limiter).failed(&name, Instant::now());
        return Err(bad_login());
    };
    lock(&app.limiter).succeeded(&name);
    let (token, csrf) = lock(&app.sessions)
        .open(&user.name, &user.hash, Instant::now())
        .ok_or_else(|| internal("no random bytes for a session token", lang))?;
    let cookie = format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict");
    let mut r = Json(json!({
        "csrf": csrf,
        "user": user.name,
        "role": user.role.name(),
        "regions": user.regions,
    }))
    .into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        cookie
            .parse()
            .map_err(|_| internal("session cookie not a header value", lang))?,
    );
    Ok(r)
}

pub async fn logout(State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult {
    let c = caller(&app, &headers, true)?;
    lock(&app.sessions).close(&c.token);
    let mut r = StatusCode::NO_CONTENT.into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
            .parse()
            .map_err(|_| internal("logout cookie not a header value", c.lang))?,
    );
    Ok(r)
}

/// Where the round stands, with progress per region (an inspector's own).
pub async fn round(State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult {
    let c = caller(&app, &headers, false)?;
    let dir = app.dir.clone();
    let lang = c.lang;
    let body = blocking(lang, move || {
        let round = Round::open(&dir).map_err(|e| round_error(e, lang))?;
        let s = round.status();
        let st = s.state;
        let mut regions = Vec::new();
        if st.drawn.is_some() {
            let manifest = round.manifest().map_err(|e| round_error(e, lang))?;
            for stratum in manifest.strata.iter().filter(|s| c.sees(&s.name)) {
                let (mut done, mut failed) = (0u64, 0u64);
                for id in &stratum.ids {
                    if let Some(r) = st.results.get(id) {
                        done += 1;
                        failed += u64::from(r.verdict == Verdict::Fail);
                    }
                }
                regions.push(json!({
                    "name": stratum.name,
                    "sampled": stratum.ids.len(),
                    "done": done,
                    "failed": failed,
                }));
            }
        }
        let next = match s.next {
            crate::round::Next::Roster => "roster",
            crate::round::Next::Seed => "seed",
            crate::round::Next::Draw => "draw",
            crate::round::Next::Record { .. } => "record",
            crate::round::Next::Publish => "publish",
            crate::round::Next::Checkpoint => "checkpoint",
        };
        Ok(json!({
            "round": st.opened.round,
            "population": st.opened.population,
            "rate": st.opened.rate,
            "log_lines": st.len,
            "head": st.head,
            "next": next,
            "sample_size": st.drawn.as_ref().map(|d| d.sample_size),
            "done": s.done,
            "failed": s.failed,
            "published": st.published.is_some(),
            "regions": regions,
            "you": { "user": c.user.name, "role": c.user.role.name(), "regions": c.user.regions },
        }))
    })
    .await?;
    Ok(Json(body).into_response())
}

#[derive(Deserialize)]
pub struct SampleQuery {
    region: Option<String>,
}

/// The sample with each account's current result; an inspector sees only
/// the accounts of their regions.
pub async fn sample(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    query: std::result::Result<Query<SampleQuery>, QueryRejection>,
) -> ApiResult {
    let c = caller(&app, &headers, false)?;
    let lang = c.lang;
    let Query(q) = query.map_err(|e| bad_query(e, lang))?;
    let dir = app.dir.clone();
    let body = blocking(lang, move || {
        let round = Round::open(&dir).map_err(|e| round_error(e, lang))?;
        let manifest = round.manifest().map_err(|e| round_error(e, lang))?;
        let st = round.state();
        let mut accounts = Vec::new();
        for stratum in &manifest.strata {
            if !c.sees(&stratum.name) || q.region.as_ref().is_some_and(|r| *r != stratum.name) {
                continue;
            }
            for (rank, id) in stratum.ids.iter().enumerate() {
                let r = st.results.get(id);
                accounts.push(json!({
                    "id": id,
                    "stratum": stratum.name,
                    "rank": rank + 1,
                    "verdict": r.map(|r| verdict_name(r.verdict)),
                    "line": r.map(|r| r.line),
                }));
            }
        }
        Ok(json!({ "accounts": accounts }))
    })
    .await?;
    Ok(Json(body).into_response())
}

fn verdict_name(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
    }
}

/// Reason codes as a string ("A,B") or a list.
#[derive(Deserialize, Default)]
#[serde(untagged)]
pub enum Reasons {
    #[default]
    None,
    Text(String),
    List(Vec<String>),
}

impl Reasons {
    fn codes(self) -> Vec<String> {
        match self {
            Reasons::None => Vec::new(),
            Reasons::Text(s) => split_reasons(&s),
            Reasons::List(v) => v.iter().flat_map(|s| split_reasons(s)).collect(),
        }
    }
}

#[derive(Deserialize)]
pub struct ResultBody {
    id: String,
    verdict: String,
    #[serde(default)]
    reason: Reasons,
    #[serde(default)]
    note: String,
    #[serde(default)]
    checked_at: String,
}

#[derive(Deserialize)]
pub struct AmendBody {
    id: String,
    verdict: String,
    #[serde(default)]
    reason: Reasons,
    #[serde(default)]
    note: String,
    #[serde(default)]
    why: String,
}

fn parse_verdict(v: &str, lang: Lang) -> std::result::Result<Verdict, ApiError> {
    match v {
        "pass" => Ok(Verdict::Pass),
        "fail" => Ok(Verdict::Fail),
        _ => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            tl!(lang, "serve.bad-verdict", value = v),
        )),
    }
}

/// The stratum of a sampled id, refused (403) outside an inspector's
/// regions; an id not in the sample is left for the round to refuse.
fn check_region(round: &Round, c: &Caller, id: &str) -> std::result::Result<(), ApiError> {
    let manifest = round.manifest().map_err(|e| round_error(e, c.lang))?;
    let id = crate::input::text::normalize_field(id);
    let stratum = manifest.strata.iter().find(|s| s.ids.contains(&id));
    match stratum {
        Some(s) if !c.sees(&s.name) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            tl!(
                c.lang,
                "serve.region",
                id,
                region = s.name,
                regions = c.user.regions.join(", ")
            ),
        )),
        _ => Ok(()),
    }
}

/// One inspector's result, recorded under the round's lock with the user's name.
pub async fn results(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: std::result::Result<Json<ResultBody>, JsonRejection>,
) -> ApiResult {
    let c = caller(&app, &headers, true)?;
    c.require(&[Role::Inspector])?;
    let lang = c.lang;
    let Json(b) = body.map_err(|e| bad_json(e, lang))?;
    let verdict = parse_verdict(&b.verdict, lang)?;
    let checked_at = parse_date(&b.checked_at).map_err(|error| {
        ApiError::new(StatusCode::BAD_REQUEST, tl!(lang, "serve.bad-date", error))
    })?;
    let dir = app.dir.clone();
    let body = blocking(lang, move || {
        let mut round = Round::open(&dir).map_err(|e| round_error(e, lang))?;
        check_region(&round, &c, &b.id)?;
        let id = crate::input::text::normalize_field(&b.id).into_owned();
        let r = round
            .record(
                Batch::One(ResultRow {
                    line: 0,
                    id: id.clone(),
                    verdict,
                    reasons: b.reason.codes(),
                    note: b.note,
                    inspector: c.user.name.clone(),
                    checked_at,
                    entered_by: c.user.name.clone(),
                }),
                None,
            )
            .map_err(|e| round_error(e, lang))?;
        Ok(json!({
            "id": id,
            "verdict": verdict_name(verdict),
            "line": round.state().len,
            "done": r.done,
            "sampled": r.sampled,
        }))
    })
    .await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// A correction of a result, with its reason.
pub async fn amend(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: std::result::Result<Json<AmendBody>, JsonRejection>,
) -> ApiResult {
    let c = caller(&app, &headers, true)?;
    c.require(&[Role::Inspector])?;
    let lang = c.lang;
    let Json(b) = body.map_err(|e| bad_json(e, lang))?;
    let verdict = parse_verdict(&b.verdict, lang)?;
    let dir = app.dir.clone();
    let body = blocking(lang, move || {
        let mut round = Round::open(&dir).map_err(|e| round_error(e, lang))?;
        check_region(&round, &c, &b.id)?;
        let a = round
            .amend(Amendment {
                id: b.id,
                verdict,
                reasons: b.reason.codes(),
                note: b.note,
                inspector: c.user.name.clone(),
                why: b.why,
                entered_by: c.user.name.clone(),
            })
            .map_err(|e| round_error(e, lang))?;
        Ok(json!({
            "id": a.id,
            "was": verdict_name(a.was),
            "now": verdict_name(a.now),
            "line": round.state().len,
        }))
    })
    .await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Every check of `choucha verify` on the round as it stands.
pub async fn verify(State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult {
    let c = caller(&app, &headers, false)?;
    c.require(&[Role::Admin, Role::Auditor])?;
    let lang = c.lang;
    let dir = app.dir.clone();
    let body = blocking(lang, move || {
        let checks = crate::round::verify(&dir, &crate::round::VerifyRequest::default())
            .map_err(|e| round_error(e, lang))?;
        let ok = checks.iter().all(|k| k.ok);
        let list: Vec<_> = checks
            .iter()
            .map(|k| json!({ "ok": k.ok, "checked": k.checked, "text": k.text }))
            .collect();
        Ok(json!({ "ok": ok, "checks": list }))
    })
    .await?;
    Ok(Json(body).into_response())
}

#[derive(Deserialize)]
pub struct ReportQuery {
    format: Option<String>,
}

/// The notice's table as the records stand (a draft until published).
pub async fn report(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    query: std::result::Result<Query<ReportQuery>, QueryRejection>,
) -> ApiResult {
    let c = caller(&app, &headers, false)?;
    c.require(&[Role::Admin, Role::Auditor])?;
    let lang = c.lang;
    let Query(q) = query.map_err(|e| bad_query(e, lang))?;
    let format = q.format.unwrap_or_else(|| "json".into());
    let content_type = match format.as_str() {
        "md" => "text/markdown; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json",
        "html" => "text/html; charset=utf-8",
        _ => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                tl!(lang, "serve.bad-format", value = format),
            ));
        }
    };
    let dir = app.dir.clone();
    let bytes = blocking(lang, move || {
        let round = Round::open(&dir).map_err(|e| round_error(e, lang))?;
        let table = round.report().map_err(|e| round_error(e, lang))?;
        let st = round.state();
        Ok(match format.as_str() {
            "md" => table.to_markdown(lang).into_bytes(),
            "csv" => table.to_csv(lang),
            "html" => {
                let roster = st
                    .roster
                    .as_ref()
                    .map_or(String::new(), |r| r.roster_sha256.clone());
                let foot = [
                    (tl!(lang, "cmd-report.footer-log-head"), st.head.clone()),
                    (tl!(lang, "cmd-report.footer-roster"), roster),
                ];
                table.to_html(lang, &foot).into_bytes()
            }
            _ => table.canonical(),
        })
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, content_type)], bytes).into_response())
}

pub async fn not_found(headers: HeaderMap, uri: Uri) -> ApiError {
    let lang = lang_of(&headers);
    ApiError::new(
        StatusCode::NOT_FOUND,
        tl!(lang, "serve.not-found", path = uri.path()),
    )
}

/// A handler that panicked: a plain 500, never the panic's text.
pub fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        tl!(Lang::Zh, "serve.internal"),
    )
    .into_response()
}
