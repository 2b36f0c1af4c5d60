//! Strata that are probably one: 合肥 and 合肥市, 黄山 市 and 黄山市, written
//! differently in different rows of one export. Each spelling is its own
//! stratum in the commitment (its bytes are what is committed); these are
//! named in a warning before the seed, when they can still be fixed, and
//! refused with `--strict-strata`. Pure.

/// A stratum as compared for near-duplicates: full-width forms folded to
/// ASCII, white space removed, and one trailing 市, 县, 区, 州 or 盟 dropped
/// (when something is left before it).
pub fn stratum_key(name: &str) -> String {
    let mut key: String = name
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            other => other,
        })
        .collect();
    if key.chars().count() > 1 && key.ends_with(['市', '县', '区', '州', '盟']) {
        key.pop();
    }
    key
}

/// Groups of two or more strata of `strata` with one [`stratum_key`], each
/// in the order given, groups in the order of their first member.
pub fn near_duplicates<'a>(strata: impl IntoIterator<Item = &'a str>) -> Vec<Vec<String>> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for s in strata {
        let key = stratum_key(s);
        match at.get(&key) {
            Some(&i) => {
                if !groups[i].1.iter().any(|x| x == s) {
                    groups[i].1.push(s.to_string());
                }
            }
            None => {
                at.insert(key.clone(), groups.len());
                groups.push((key, vec![s.to_string()]));
            }
        }
    }
    groups
        .into_iter()
        .map(|(_, g)| g)
        .filter(|g| g.len() > 1)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_place_are_grouped() {
        let g = near_duplicates([
            "合肥市",
            "芜湖市",
            "合肥",
            "黄山 市",
            "黄山市",
            "省直厅局",
            "ＡＢ区",
            "AB",
            "市",
        ]);
        assert_eq!(
            g,
            vec![
                vec!["合肥市".to_string(), "合肥".into()],
                vec!["黄山 市".to_string(), "黄山市".into()],
                vec!["ＡＢ区".to_string(), "AB".into()],
            ]
        );
        assert!(near_duplicates(["合肥市", "合肥县"]).len() == 1);
        assert!(near_duplicates(["合肥市", "芜湖市", "市"]).is_empty());
    }
}
