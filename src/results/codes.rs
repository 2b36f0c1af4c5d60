//! Reason codes for a failed (or noted) inspection, after the national
//! inspection criteria for government websites and new media
//! (国办秘函〔2019〕19号). Single-veto (单项否决) items make an account fail;
//! other codes are notes that a passing account may carry.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::input::text::{LineCounter, Origin, normalize_field};
use crate::t;

/// Which kind of population a code applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppliesTo {
    NewMedia,
    Website,
    Both,
}

impl AppliesTo {
    pub fn name(self) -> &'static str {
        match self {
            AppliesTo::NewMedia => "new-media",
            AppliesTo::Website => "website",
            AppliesTo::Both => "both",
        }
    }

    fn parse(s: &str) -> Option<AppliesTo> {
        match s {
            "new-media" | "新媒体" | "政务新媒体" => Some(AppliesTo::NewMedia),
            "website" | "网站" | "政府网站" => Some(AppliesTo::Website),
            "both" | "" | "全部" => Some(AppliesTo::Both),
            _ => None,
        }
    }

    /// The kind a round inspects, judged from its population name.
    pub fn of_population(population: &str) -> AppliesTo {
        let p = population.to_lowercase();
        if p.contains("新媒体") || p.contains("new-media") || p.contains("new media") {
            AppliesTo::NewMedia
        } else if p.contains("网站") || p.contains("website") {
            AppliesTo::Website
        } else {
            AppliesTo::Both
        }
    }

    fn covers(self, kind: AppliesTo) -> bool {
        self == AppliesTo::Both || kind == AppliesTo::Both || self == kind
    }
}

/// A reason code as recorded in the log (custom codes) and listed by `codes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Code {
    pub code: String,
    pub label: String,
    pub applies_to: AppliesTo,
    /// A single-veto item: the account fails. Written "yes"/"no": records hold no booleans.
    #[serde(with = "yes_no")]
    pub veto: bool,
}

mod yes_no {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &bool, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(if *v { "yes" } else { "no" })
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        match String::deserialize(d)?.as_str() {
            "yes" => Ok(true),
            "no" => Ok(false),
            other => Err(serde::de::Error::custom(crate::t!(
                "codes.veto-not-yes-no",
                value = other
            ))),
        }
    }
}

const BUILTIN: &[(&str, &str, AppliesTo, bool)] = &[
    (
        "NM_SECURITY",
        "安全、泄密事故等严重问题",
        AppliesTo::NewMedia,
        true,
    ),
    ("NM_NOT_UPDATED", "内容不更新", AppliesTo::NewMedia, true),
    ("NM_NO_INTERACTION", "互动回应差", AppliesTo::NewMedia, true),
    (
        "WEB_SECURITY",
        "安全、泄密事故等严重问题",
        AppliesTo::Website,
        true,
    ),
    ("WEB_UNREACHABLE", "站点无法访问", AppliesTo::Website, true),
    ("WEB_HOME_STALE", "首页不更新", AppliesTo::Website, true),
    ("WEB_COLUMN_STALE", "栏目不更新", AppliesTo::Website, true),
    ("WEB_NO_RESPONSE", "互动回应差", AppliesTo::Website, true),
    (
        "WEB_SERVICE_USELESS",
        "服务不实用",
        AppliesTo::Website,
        true,
    ),
    // Named in the Anhui notice for accounts that nevertheless passed.
    (
        "REGISTRY_MISMATCH",
        "报备信息与实际不符",
        AppliesTo::Both,
        false,
    ),
];

/// The built-in codes.
pub fn builtin() -> Vec<Code> {
    BUILTIN
        .iter()
        .map(|&(code, label, applies_to, veto)| Code {
            code: code.into(),
            label: label.into(),
            applies_to,
            veto,
        })
        .collect()
}

/// The codes a round accepts: the built-in ones and its own.
#[derive(Debug, Clone)]
pub struct Codebook {
    codes: Vec<Code>,
    kind: AppliesTo,
}

impl Codebook {
    pub fn new(custom: &[Code], population: &str) -> Codebook {
        let mut codes = builtin();
        codes.extend_from_slice(custom);
        Codebook {
            codes,
            kind: AppliesTo::of_population(population),
        }
    }

    pub fn codes(&self) -> &[Code] {
        &self.codes
    }

    /// Looks a code up for this round; the error says what would be accepted.
    pub fn get(&self, code: &str) -> std::result::Result<&Code, String> {
        let usable = || {
            self.codes
                .iter()
                .filter(|c| c.applies_to.covers(self.kind))
                .map(|c| c.code.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        // A code, or (for people who know the labels) a label unique in this round.
        let by_label = || {
            let mut hits = self
                .codes
                .iter()
                .filter(|c| c.label == code && c.applies_to.covers(self.kind));
            match (hits.next(), hits.next()) {
                (Some(c), None) => Some(c),
                _ => None,
            }
        };
        let upper = code.to_ascii_uppercase();
        match self
            .codes
            .iter()
            .find(|c| c.code == upper)
            .or_else(by_label)
        {
            None => Err(t!("codes.unknown", code, accepted = usable())),
            Some(c) if !c.applies_to.covers(self.kind) => Err(t!(
                "codes.wrong-population",
                code,
                applies_to = c.applies_to.name(),
                accepted = usable()
            )),
            Some(c) => Ok(c),
        }
    }
}

/// Parses a round's own codes (`init --codes FILE`): columns code, label,
/// applies-to (new-media, website or both) and optionally veto (yes/no,
/// default yes).
pub fn parse_custom(text: &str, origin: &Origin) -> Result<Vec<Code>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::input(t!("text.not-csv", at = origin.at(1, None), error = e)))?
        .iter()
        .map(|h| normalize_field(h).to_lowercase())
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(c_code), Some(c_label)) = (col("code"), col("label")) else {
        return Err(Error::input(t!("codes.header", at = origin.at(1, None))));
    };
    let c_applies = col("applies-to");
    let c_veto = col("veto");
    let builtin = builtin();
    let mut out: Vec<Code> = Vec::new();
    let mut lines = LineCounter::new(text.as_bytes());
    for row in reader.records() {
        let row = row.map_err(|e| {
            let line = e.position().map_or(0, |p| {
                LineCounter::new(text.as_bytes()).line_at(p.byte() as usize)
            });
            Error::input(t!("text.not-csv", at = origin.at(line, None), error = e))
        })?;
        let line = row
            .position()
            .map_or(0, |p| lines.line_at(p.byte() as usize));
        let get = |i: Option<usize>| {
            i.and_then(|i| row.get(i))
                .map(normalize_field)
                .unwrap_or_default()
        };
        let code = get(Some(c_code)).into_owned();
        let err = |column: &str, problem: String| {
            let at = origin.at(line, Some(column));
            Error::input(t!("codes.problem", at, problem))
        };
        if code.is_empty()
            || !code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(err("code", t!("codes.bad-code", code)));
        }
        if builtin.iter().chain(&out).any(|c| c.code == code) {
            return Err(err("code", t!("codes.defined-twice", code)));
        }
        let label = get(Some(c_label)).into_owned();
        if label.is_empty() || label.chars().any(char::is_control) {
            return Err(err("label", t!("codes.bad-label")));
        }
        let applies = get(c_applies);
        let applies_to = AppliesTo::parse(&applies)
            .ok_or_else(|| err("applies-to", t!("codes.bad-applies-to", value = applies)))?;
        let veto = match get(c_veto).as_ref() {
            "" | "yes" | "true" | "是" => true,
            "no" | "false" | "否" => false,
            other => {
                return Err(err("veto", t!("codes.bad-veto", value = other)));
            }
        };
        out.push(Code {
            code,
            label,
            applies_to,
            veto,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_respect_the_population() {
        let nm = Codebook::new(&[], "政务新媒体");
        assert!(nm.get("NM_NOT_UPDATED").unwrap().veto);
        assert!(!nm.get("REGISTRY_MISMATCH").unwrap().veto);
        assert!(
            nm.get("WEB_UNREACHABLE")
                .unwrap_err()
                .contains("applies to website")
        );
        assert!(nm.get("NOPE").unwrap_err().contains("unknown reason code"));
        let web = Codebook::new(&[], "政府网站");
        assert!(web.get("WEB_UNREACHABLE").is_ok());
        assert!(web.get("NM_SECURITY").is_err());
    }

    #[test]
    fn custom_codes_parse_and_refuse() {
        let c = parse_custom(
            "code,label,applies-to,veto\nNM_FAKE,假冒账号,new-media,yes\nX_NOTE,备注,both,no\n",
            &Origin::file("c.csv"),
        )
        .unwrap();
        assert_eq!(c.len(), 2);
        assert!(!c[1].veto);
        assert!(
            parse_custom(
                "code,label,applies-to\nNM_SECURITY,x,both\n",
                &Origin::file("c.csv")
            )
            .is_err()
        );
        assert!(
            parse_custom(
                "code,label,applies-to\nbad code,x,both\n",
                &Origin::file("c.csv")
            )
            .unwrap_err()
            .to_string()
            .contains("line 2")
        );
        assert!(parse_custom("code,label,applies-to\nX,x,moon\n", &Origin::file("c.csv")).is_err());
    }
}
