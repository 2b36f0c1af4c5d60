//! Excel's names for cells, as messages give them: `结果!C17`.

/// An Excel cell reference for messages, `结果!C17`: `row` and `col` are
/// 0-based (as in `input::workbook::Sheet::rows`); the sheet name is quoted as Excel
/// quotes it when it holds anything but letters, digits and `_`
/// (`'Sheet 1'!A1`).
pub fn cell_name(sheet: &str, row: usize, col: usize) -> String {
    format!("{}!{}{}", sheet_ref(sheet), column_letters(col), row + 1)
}

/// Column letters for a 0-based column: 0 → A, 25 → Z, 26 → AA, 701 → ZZ, 702 → AAA.
pub fn column_letters(col: usize) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        n -= 1;
        out.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII")
}

fn sheet_ref(name: &str) -> String {
    let plain = name.chars().next().is_some_and(|c| !c.is_ascii_digit())
        && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if plain {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_names() {
        assert_eq!(cell_name("结果", 16, 2), "结果!C17");
        assert_eq!(cell_name("名单", 0, 26), "名单!AA1");
        assert_eq!(cell_name("Sheet 1", 0, 0), "'Sheet 1'!A1");
        assert_eq!(cell_name("it's", 1, 1), "'it''s'!B2");
        let cols: Vec<String> = [0, 25, 26, 27, 51, 52, 701, 702, 16383]
            .iter()
            .map(|&c| column_letters(c))
            .collect();
        assert_eq!(cols, ["A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA", "XFD"]);
    }
}
