//! Rendering for people: the report's table as Markdown, CSV, HTML and xlsx,
//! and the workbooks handed to inspectors. Decides nothing: every number it
//! shows was computed below. Imports `audit` and below.

pub mod table;
pub mod workbook;
