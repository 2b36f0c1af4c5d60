//! The bytes users hand us, as normalised tables: encodings (UTF-8, GB18030),
//! workbook reading (xlsx/xls/ods), the column names we know.
//! Imports only `base`, `error` and `i18n`.

pub mod cell;
pub mod columns;
pub mod header;
pub mod table;
pub mod text;
pub mod workbook;
