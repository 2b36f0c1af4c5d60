//! The pages, rendered on the server with maud (which escapes every value
//! it inserts) in the request's language, Chinese by default. Their script
//! and style are embedded in the binary and served from this server: the
//! pages work on an intranet without internet, and the Content-Security-
//! Policy allows nothing else. The script only calls the JSON API, with
//! the CSRF token the page carries in a meta tag.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

use super::App;
use super::api::{Caller, caller, lang_of};
use crate::i18n::Lang;
use crate::results::verdict::Verdict;
use crate::round::{Role, Round};
use crate::tl;

const SCRIPT: &str = include_str!("assets/app.js");
const STYLE: &str = include_str!("assets/app.css");

pub async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
        .into_response()
}

pub async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}

fn page(lang: Lang, title: &str, csrf: Option<&str>, body: Markup) -> Html<String> {
    let html_lang = if lang == Lang::Zh { "zh-CN" } else { "en" };
    Html(
        html! {
            (DOCTYPE)
            html lang=(html_lang) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    @if let Some(token) = csrf {
                        meta name="csrf-token" content=(token);
                    }
                    title { (title) }
                    link rel="stylesheet" href="/assets/app.css";
                    script src="/assets/app.js" defer {}
                }
                body { (body) }
            }
        }
        .into_string(),
    )
}

fn login_page(lang: Lang) -> Html<String> {
    let title = tl!(lang, "page.login-title");
    page(
        lang,
        &title,
        None,
        html! {
            main class="narrow" {
                h1 { (title) }
                form id="login" {
                    label { (tl!(lang, "page.user")) input name="user" autocomplete="username" required autofocus; }
                    label { (tl!(lang, "page.password")) input name="password" type="password" autocomplete="current-password" required; }
                    button type="submit" { (tl!(lang, "page.sign-in")) }
                    p id="message" class="message" role="alert" {}
                }
            }
        },
    )
}

/// `/`: the sign-in form, or for a signed-in user the dashboard: progress
/// per region, and for an inspector the sample of their regions with an
/// entry form per account.
pub async fn home(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let lang = lang_of(&headers);
    let Ok(c) = caller(&app, &headers, false) else {
        return login_page(lang).into_response();
    };
    let dir = app.dir.clone();
    let rendered = tokio::task::spawn_blocking(move || {
        crate::i18n::with_lang(lang, || dashboard(&dir, &c).map_err(|e| e.to_string()))
    })
    .await;
    match rendered {
        Ok(Ok(html)) => html.into_response(),
        Ok(Err(message)) => page(
            lang,
            &tl!(lang, "page.dashboard"),
            None,
            html! { main { p class="message" { (message) } } },
        )
        .into_response(),
        Err(_) => super::api::panicked(Box::new(())),
    }
}

fn dashboard(dir: &std::path::Path, c: &Caller) -> crate::error::Result<Html<String>> {
    let lang = c.lang;
    let round = Round::open(dir)?;
    let st = round.state();
    let manifest = match st.drawn {
        Some(_) => Some(round.manifest()?),
        None => None,
    };
    let role = match c.user.role {
        Role::Admin => tl!(lang, "page.role-admin"),
        Role::Inspector => tl!(lang, "page.role-inspector"),
        Role::Auditor => tl!(lang, "page.role-auditor"),
    };
    let verdict_word = |v: Verdict| match v {
        Verdict::Pass => tl!(lang, "record.pass"),
        Verdict::Fail => tl!(lang, "record.fail"),
    };
    let body = html! {
        header {
            span { strong { (st.opened.round) } " · " (st.opened.population) }
            span class="who" {
                (c.user.name) " (" (role) ") "
                button id="logout" type="button" { (tl!(lang, "page.sign-out")) }
            }
        }
        main {
            h1 { (tl!(lang, "page.dashboard")) }
            @match &manifest {
                None => p { (tl!(lang, "page.not-drawn")) },
                Some(m) => {
                    table class="progress" {
                        thead { tr {
                            th { (tl!(lang, "page.region")) }
                            th { (tl!(lang, "page.progress")) }
                            th { (tl!(lang, "page.failed")) }
                        } }
                        tbody {
                            @for s in m.strata.iter().filter(|s| c.sees(&s.name)) {
                                @let done = s.ids.iter().filter(|i| st.results.get(i).is_some()).count();
                                @let failed = s.ids.iter().filter(|i| st.results.get(i).is_some_and(|r| r.verdict == Verdict::Fail)).count();
                                tr {
                                    td { (s.name) }
                                    td { progress value=(done) max=(s.ids.len()) {} " " (done) " / " (s.ids.len()) }
                                    td { (failed) }
                                }
                            }
                        }
                    }
                    @if c.user.role == Role::Inspector {
                        h2 { (tl!(lang, "page.your-sample")) }
                        p class="message" id="message" role="alert" {}
                        table class="sample" {
                            thead { tr {
                                th { (tl!(lang, "page.account")) }
                                th { (tl!(lang, "page.region")) }
                                th { (tl!(lang, "page.result")) }
                                th { (tl!(lang, "page.enter")) }
                            } }
                            tbody {
                                @for s in m.strata.iter().filter(|s| c.sees(&s.name)) {
                                    @for id in &s.ids {
                                        @let current = st.results.get(id);
                                        tr {
                                            td { code { (id) } }
                                            td { (s.name) }
                                            td class="verdict" { @if let Some(r) = current { (verdict_word(r.verdict)) } }
                                            td {
                                                form class="entry" data-id=(id) data-amend=(current.is_some()) {
                                                    select name="verdict" aria-label=(tl!(lang, "page.result")) {
                                                        option value="pass" { (tl!(lang, "record.pass")) }
                                                        option value="fail" { (tl!(lang, "record.fail")) }
                                                    }
                                                    input name="reason" placeholder=(tl!(lang, "page.reason")) aria-label=(tl!(lang, "page.reason"));
                                                    input name="note" placeholder=(tl!(lang, "page.note")) aria-label=(tl!(lang, "page.note"));
                                                    @if current.is_some() {
                                                        input name="why" required placeholder=(tl!(lang, "page.why")) aria-label=(tl!(lang, "page.why"));
                                                    }
                                                    button type="submit" { (tl!(lang, "page.save")) }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(
        lang,
        &tl!(lang, "page.dashboard"),
        Some(&c.csrf),
        body,
    ))
}
