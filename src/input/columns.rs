//! The column names choucha recognises in users' tables, in one table: the
//! roster's reader, the header search, the workbook reader (which refuses
//! line breaks in key columns), the results reader and `choucha columns`
//! all look here. SPEC.md §2 and §5.2 list the same names.

use crate::input::header::header_is;

/// One kind of column and the header names it is recognised by (matched as
/// `input::header::header_is` does: folded, ASCII case-insensitively).
/// `names` decide first; `more`, names seen in offices' own sheets, only
/// when no header matches one of `names`: a file that was read before they
/// were added reads the same (a column named 区域 beside one named 地区
/// does not make the stratum ambiguous).
#[derive(Debug)]
pub struct Kind {
    /// The field, as SPEC names it (`id`, `stratum`, `verdict`, …).
    pub field: &'static str,
    pub names: &'static [&'static str],
    pub more: &'static [&'static str],
    /// Whether a table of its sort must have one.
    pub required: bool,
}

impl Kind {
    /// Every name, `names` first.
    pub fn all(&self) -> Vec<&'static str> {
        self.names.iter().chain(self.more).copied().collect()
    }

    /// The columns of `header` of this kind: those matching `names`, else
    /// those matching `more`.
    pub fn find(&self, header: &[String]) -> Vec<usize> {
        let hits = |names: &[&str]| -> Vec<usize> {
            (0..header.len())
                .filter(|&i| header_is(&header[i], names))
                .collect()
        };
        let first = hits(self.names);
        if first.is_empty() {
            hits(self.more)
        } else {
            first
        }
    }

    /// Whether a header cell names a column of this kind.
    pub fn is(&self, cell: &str) -> bool {
        header_is(cell, self.names) || header_is(cell, self.more)
    }
}

/// The account id (rosters and results alike).
pub const ID: Kind = Kind {
    field: "id",
    names: &["id", "账号ID", "账号", "标识码"],
    more: &[],
    required: true,
};
/// The stratum of an account (its region or department).
pub const STRATUM: Kind = Kind {
    field: "stratum",
    names: &["region", "地区", "所属地区", "省直厅局/各市"],
    more: &["stratum", "地市", "区域"],
    required: true,
};
/// Descriptive roster columns: kept in roster-columns.csv and copied into
/// the sample list, named here so that `choucha columns` shows them.
pub const NAME: Kind = Kind {
    field: "name",
    names: &["name", "账号名称", "名称"],
    more: &["网站名称"],
    required: false,
};
pub const PLATFORM: Kind = Kind {
    field: "platform",
    names: &["platform", "平台", "账号类型"],
    more: &[],
    required: false,
};
pub const OWNER: Kind = Kind {
    field: "owner",
    names: &["owner", "主办单位", "开办主体"],
    more: &[],
    required: false,
};

/// Results: the verdict (pass/fail, 合格/不合格; in a 是否合格 column also 是/否).
pub const VERDICT: Kind = Kind {
    field: "verdict",
    names: &["verdict", "结果", "检查结果", "结论"],
    more: &["检查结论", "是否合格"],
    required: true,
};
/// The one verdict column whose answers are yes and no.
pub const YES_NO_VERDICT: &[&str] = &["是否合格"];
pub const REASON: Kind = Kind {
    field: "reason",
    names: &["reason", "reasons", "原因", "问题", "问题类型"],
    more: &["问题代码"],
    required: false,
};
pub const NOTE: Kind = Kind {
    field: "note",
    names: &["note", "备注", "说明"],
    more: &["问题描述"],
    required: false,
};
pub const INSPECTOR: Kind = Kind {
    field: "inspector",
    names: &["inspector", "检查人", "检查员"],
    more: &["检查人员"],
    required: false,
};
pub const CHECKED_AT: Kind = Kind {
    field: "checked_at",
    names: &["checked_at", "checked-at", "检查日期", "日期"],
    more: &["检查时间"],
    required: false,
};

/// The columns of a roster, in the order `choucha columns` lists them.
pub const ROSTER: &[&Kind] = &[&ID, &STRATUM, &NAME, &PLATFORM, &OWNER];
/// The columns of a results table.
pub const RESULTS: &[&Kind] = &[&ID, &VERDICT, &REASON, &NOTE, &INSPECTOR, &CHECKED_AT];

/// Columns of sample.csv and of the results template that a results table
/// carries back and that are not results: not worth a warning.
pub const SAMPLE_COLUMNS: &[&str] = &["stratum", "rank", "序号"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_names_decide_before_the_added_ones() {
        let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(STRATUM.find(&h(&["区域", "地区", "id"])), vec![1]);
        assert_eq!(STRATUM.find(&h(&["区域", "id"])), vec![0]);
        assert_eq!(STRATUM.find(&h(&["地市", "区域"])), vec![0, 1]);
        assert!(VERDICT.is("是否\n合格"));
        assert!(!VERDICT.is("是否"));
        // No name is two kinds' at once.
        let all: Vec<&str> = ROSTER
            .iter()
            .chain(RESULTS.iter().skip(1))
            .flat_map(|k| k.all())
            .collect();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert!(!header_is(a, &[b]), "{a} and {b}");
            }
        }
    }
}
