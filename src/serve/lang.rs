//! The language of a request: the first of `Accept-Language` that choucha
//! speaks, by the weights the browser gives; Chinese when none is.

use crate::i18n::Lang;

pub fn from_accept_language(header: Option<&str>) -> Lang {
    let Some(header) = header else {
        return Lang::Zh;
    };
    let mut best: Option<(u32, Lang)> = None;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        // q in thousandths, so that no float is needed: "q=0.8" → 800.
        let mut q = 1000;
        for p in parts {
            if let Some(v) = p.trim().strip_prefix("q=") {
                q = weight(v);
            }
        }
        let lang = if tag == "zh" || tag.starts_with("zh-") {
            Lang::Zh
        } else if tag == "en" || tag.starts_with("en-") {
            Lang::En
        } else {
            continue;
        };
        if q > 0 && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, lang));
        }
    }
    best.map_or(Lang::Zh, |(_, l)| l)
}

/// An HTTP quality value ("1", "0.5", "0.125") in thousandths; 0 when malformed.
fn weight(v: &str) -> u32 {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    let frac_value = format!("{frac:0<3}").parse::<u32>().unwrap_or(0);
    match int {
        "0" => frac_value,
        "1" if frac_value == 0 => 1000,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_unless_english_is_preferred() {
        assert_eq!(from_accept_language(None), Lang::Zh);
        assert_eq!(from_accept_language(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(
            from_accept_language(Some("zh-CN,zh;q=0.9,en;q=0.8")),
            Lang::Zh
        );
        assert_eq!(from_accept_language(Some("fr, en;q=0.5")), Lang::En);
        assert_eq!(from_accept_language(Some("en;q=0.4, zh;q=0.6")), Lang::Zh);
        assert_eq!(from_accept_language(Some("fr")), Lang::Zh);
        assert_eq!(from_accept_language(Some("en;q=0")), Lang::Zh);
        assert_eq!(weight("0.125"), 125);
        assert_eq!(weight("1.5"), 0);
    }
}
