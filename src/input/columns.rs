//! The column names choucha recognises in users' tables, in one place: the
//! roster's reader, the workbook reader (which refuses line breaks in key
//! columns) and the results reader all look here.

/// Header names recognised without `--id-column`, compared after NFC and trimming
/// (ASCII case-insensitively).
pub const ID_HEADERS: &[&str] = &["id", "账号ID", "账号", "标识码"];
/// Header names recognised without `--stratum-column`.
pub const STRATUM_HEADERS: &[&str] = &["region", "地区", "所属地区", "省直厅局/各市"];
/// Results: the verdict, and the optional columns.
pub const VERDICT_HEADERS: &[&str] = &["verdict", "结果", "检查结果", "结论"];
pub const REASON_HEADERS: &[&str] = &["reason", "reasons", "原因", "问题", "问题类型"];
pub const NOTE_HEADERS: &[&str] = &["note", "备注", "说明"];
pub const INSPECTOR_HEADERS: &[&str] = &["inspector", "检查人", "检查员"];
pub const CHECKED_AT_HEADERS: &[&str] = &["checked_at", "checked-at", "检查日期", "日期"];
