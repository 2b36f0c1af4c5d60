//! sample.csv: the list the inspectors work from — stratum, rank, id, then
//! the roster's other columns (name, platform, operator...). Outside every
//! commitment: manifest.json is what counts; this is its readable companion.

use std::ops::Range;

use crate::error::{Error, Result};
use crate::manifest::DrawnSample;
use crate::roster::CanonicalRoster;
use crate::text::normalize_field;

pub const SAMPLE_FILE: &str = "sample.csv";
/// The source's records in canonical order (written by `roster`).
pub const COLUMNS_FILE: &str = "roster-columns.csv";

/// Builds sample.csv (UTF-8 with a BOM, so that Excel shows Chinese
/// correctly), rows by stratum in byte order, then rank. `columns` is
/// roster-columns.csv, whose i-th record belongs to roster.tsv's i-th line.
pub fn sample_csv(
    columns: &str,
    roster: &CanonicalRoster<'_>,
    drawn: &DrawnSample,
    id_column: &str,
    stratum_column: &str,
) -> Result<Vec<u8>> {
    let mismatch = |what: String| {
        Error::input(format!(
            "{COLUMNS_FILE}: {what}; it no longer matches roster.tsv (run `choucha roster` again before the seed, or restore it)"
        ))
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(columns.as_bytes());
    let mut record = csv::ByteRecord::new();
    let read = |reader: &mut csv::Reader<&[u8]>, record: &mut csv::ByteRecord| {
        reader
            .read_byte_record(record)
            .map_err(|e| mismatch(format!("not valid CSV: {e}")))
    };
    if !read(&mut reader, &mut record)? {
        return Err(mismatch("empty".into()));
    }
    let header: Vec<String> = record
        .iter()
        .map(|f| normalize_field(&String::from_utf8_lossy(f)).into_owned())
        .collect();
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| mismatch(format!("no column {name:?}")))
    };
    let id_col = find(id_column)?;
    let st_col = find(stratum_column)?;
    let others: Vec<usize> = (0..header.len())
        .filter(|&i| i != id_col && i != st_col)
        .collect();

    let mut out = csv::Writer::from_writer(Vec::new());
    let mut head: Vec<&str> = vec!["stratum", "rank", "id"];
    head.extend(others.iter().map(|&i| header[i].as_str()));
    out.write_record(&head)
        .map_err(|e| Error::input(e.to_string()))?;

    // Rows are produced in roster order and emitted in rank order: each is
    // written into one buffer and its place kept by slot.
    let mut slot_start = Vec::with_capacity(roster.strata.len());
    let mut total = 0usize;
    for (_, m) in roster.strata.iter().zip(&drawn.manifest.strata) {
        slot_start.push(total);
        total += m.ids.len();
    }
    let mut rows = csv::Writer::from_writer(Vec::new());
    let mut places: Vec<Range<usize>> = vec![0..0; total];
    let mut i = 0usize;
    let mut row = csv::ByteRecord::new();
    for (s, (stratum, ids)) in roster.strata.iter().enumerate() {
        for id in ids {
            if !read(&mut reader, &mut record)? {
                return Err(mismatch(format!(
                    "has fewer records than roster.tsv's {} lines",
                    roster.accounts()
                )));
            }
            let rank = drawn.ranks[i];
            i += 1;
            let got = normalize_field(
                std::str::from_utf8(record.get(id_col).unwrap_or(b"")).unwrap_or(""),
            );
            if got != *id {
                return Err(mismatch(format!(
                    "record {i} has id {got:?} where roster.tsv has {id:?}"
                )));
            }
            if rank == 0 {
                continue;
            }
            row.clear();
            row.push_field(stratum.as_bytes());
            row.push_field(rank.to_string().as_bytes());
            row.push_field(id.as_bytes());
            for &c in &others {
                row.push_field(record.get(c).unwrap_or(b""));
            }
            let start = rows.get_ref().len();
            rows.write_byte_record(&row)
                .and_then(|_| rows.flush().map_err(csv::Error::from))
                .map_err(|e| Error::input(e.to_string()))?;
            places[slot_start[s] + rank as usize - 1] = start..rows.get_ref().len();
        }
    }
    if read(&mut reader, &mut record)? {
        return Err(mismatch(format!(
            "has more records than roster.tsv's {} lines",
            roster.accounts()
        )));
    }
    let rows = rows.into_inner().map_err(|e| Error::input(e.to_string()))?;
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(out.into_inner().map_err(|e| Error::input(e.to_string()))?);
    for p in places {
        bytes.extend_from_slice(&rows[p]);
    }
    Ok(bytes)
}
