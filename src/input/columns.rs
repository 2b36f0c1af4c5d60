//! The column names choucha recognises in users' tables, in one place: the
//! roster's reader, the workbook reader (which refuses line breaks in key
//! columns) and the results reader all look here.

/// Header names recognised without `--id-column`, compared after NFC and trimming
/// (ASCII case-insensitively).
pub const ID_HEADERS: &[&str] = &["id", "账号ID", "账号", "标识码"];
/// Header names recognised without `--stratum-column`.
pub const STRATUM_HEADERS: &[&str] = &["region", "地区", "所属地区", "省直厅局/各市"];
