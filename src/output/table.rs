//! The notice's table for people: Markdown, CSV (read back by
//! `audit::published`) and HTML, with column titles in the chosen language.

use crate::audit::report::Table;
use crate::i18n::Lang;
use crate::tl;

/// Column titles and phrases in one language.
pub struct Titles {
    pub no: String,
    pub stratum: String,
    pub total: String,
    pub checked: String,
    pub failed: String,
    pub totals_row: String,
}

/// What the columns are called, after the population's own word: the notice
/// says 运行政务新媒体总数 for new media and 运行网站总数 for websites. The
/// English headings are the table's field names and name no population.
pub fn titles(population: &str, lang: Lang) -> Titles {
    let noun = if population.contains("网站") {
        "网站"
    } else {
        population
    };
    Titles {
        no: tl!(lang, "report.column-no"),
        stratum: tl!(lang, "report.column-stratum"),
        total: tl!(lang, "report.column-total", noun),
        checked: tl!(lang, "report.column-checked", noun),
        failed: tl!(lang, "report.column-failed", noun),
        totals_row: tl!(lang, "report.totals-row"),
    }
}

impl Table {
    fn cells(&self, lang: Lang) -> (Titles, Vec<[String; 5]>) {
        let t = titles(&self.population, lang);
        let mut rows: Vec<[String; 5]> = self
            .rows
            .iter()
            .map(|r| {
                [
                    r.no.to_string(),
                    r.stratum.clone(),
                    r.total.to_string(),
                    r.checked.to_string(),
                    r.failed.to_string(),
                ]
            })
            .collect();
        rows.push([
            String::new(),
            t.totals_row.clone(),
            self.totals.total.to_string(),
            self.totals.checked.to_string(),
            self.totals.failed.to_string(),
        ]);
        (t, rows)
    }

    pub fn to_markdown(&self, lang: Lang) -> String {
        let (t, rows) = self.cells(lang);
        let mut s = format!("# {}\n\n", self.title);
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            t.no, t.stratum, t.total, t.checked, t.failed
        ));
        s.push_str("| ---: | --- | ---: | ---: | ---: |\n");
        for r in rows {
            s.push_str(&format!("| {} |\n", r.join(" | ")));
        }
        s.push_str(&format!("\n{}\n", self.headline(lang)));
        if let Some(n) = self.missing_note(lang) {
            s.push_str(&format!("\n{n}\n"));
        }
        s
    }

    /// The table alone, as CSV: the form `verify --published` reads back.
    pub fn to_csv(&self, lang: Lang) -> Vec<u8> {
        let (t, rows) = self.cells(lang);
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([&t.no, &t.stratum, &t.total, &t.checked, &t.failed])
            .expect("in memory");
        for r in rows {
            w.write_record(&r).expect("in memory");
        }
        w.into_inner().expect("in memory")
    }

    /// One self-contained printable page; `footnote` carries the log head and roster digest.
    pub fn to_html(&self, lang: Lang, footnote: &[(String, String)]) -> String {
        let (t, rows) = self.cells(lang);
        let e = html_escape;
        let mut s = String::new();
        s.push_str(&format!(
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n",
            tl!(lang, "report.html-lang"),
            e(&self.title)
        ));
        s.push_str(
            "<style>\nbody{font-family:\"SimSun\",\"Songti SC\",serif;margin:2em auto;max-width:48em}\n\
h1{text-align:center;font-size:1.4em}\ntable{border-collapse:collapse;width:100%}\n\
th,td{border:1px solid #000;padding:.3em .6em;text-align:center}\n\
.headline{margin-top:1em}\nfooter{margin-top:2em;font-size:.8em;color:#444;word-break:break-all}\n\
@media print{body{margin:0}}\n</style>\n</head>\n<body>\n",
        );
        s.push_str(&format!(
            "<h1>{}</h1>\n<table>\n<thead><tr>",
            e(&self.title)
        ));
        for h in [&t.no, &t.stratum, &t.total, &t.checked, &t.failed] {
            s.push_str(&format!("<th>{}</th>", e(h)));
        }
        s.push_str("</tr></thead>\n<tbody>\n");
        for r in rows {
            s.push_str("<tr>");
            for c in r {
                s.push_str(&format!("<td>{}</td>", e(&c)));
            }
            s.push_str("</tr>\n");
        }
        s.push_str(&format!(
            "</tbody>\n</table>\n<p class=\"headline\">{}</p>\n",
            e(&self.headline(lang))
        ));
        if let Some(n) = self.missing_note(lang) {
            s.push_str(&format!("<p><strong>{}</strong></p>\n", e(&n)));
        }
        s.push_str("<footer>\n");
        for (k, v) in footnote {
            s.push_str(&format!("<div>{}: <code>{}</code></div>\n", e(k), e(v)));
        }
        s.push_str("</footer>\n</body>\n</html>\n");
        s
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::report::tests::table;

    #[test]
    fn headings_follow_the_notice_in_chinese_and_the_fields_in_english() {
        let zh = titles("政务新媒体", Lang::Zh);
        assert_eq!(
            [
                zh.no,
                zh.stratum,
                zh.total,
                zh.checked,
                zh.failed,
                zh.totals_row
            ],
            [
                "序号",
                "省直厅局/各市",
                "运行政务新媒体总数",
                "检查政务新媒体数",
                "存在突出问题的政务新媒体数",
                "合计"
            ]
        );
        assert_eq!(titles("政府网站", Lang::Zh).total, "运行网站总数");
        let en = titles("政府网站", Lang::En);
        assert_eq!(
            [
                en.no,
                en.stratum,
                en.total,
                en.checked,
                en.failed,
                en.totals_row
            ],
            ["no", "stratum", "total", "checked", "failed", "total"]
        );
    }

    /// Whatever the catalogs call the columns, `verify --published` must
    /// read the table back.
    #[test]
    fn the_csv_reads_back_in_either_language() {
        for lang in [Lang::Zh, Lang::En] {
            let csv = String::from_utf8(table(&[]).to_csv(lang)).unwrap();
            let back = crate::audit::published::parse_table(&csv, "t.csv").unwrap();
            assert_eq!(back.rows.len(), 1, "{csv}");
            assert_eq!(back.rows[0].checked, 1658);
            assert_eq!(back.totals.map(|r| r.failed), Some(5), "{csv}");
        }
    }
}
