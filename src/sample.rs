//! sample.csv: the list the inspectors work from — stratum, rank, id, then
//! the roster's other columns (name, platform, operator...). Outside every
//! commitment: manifest.json is what counts; this is its readable companion.

use std::io::Write;

use crate::error::{Error, Result};
use crate::manifest::DrawnSample;
use crate::roster::CanonicalRoster;
use crate::t;
use crate::text::normalize_field;

pub const SAMPLE_FILE: &str = "sample.csv";
/// The source's records in canonical order (written by `roster`).
pub const COLUMNS_FILE: &str = "roster-columns.csv";

/// Splits one CSV record (a whole line or more) into fields, reusing buffers.
struct RecordSplitter {
    core: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
}

impl RecordSplitter {
    fn new() -> Self {
        RecordSplitter {
            core: csv_core::Reader::new(),
            out: vec![0; 1024],
            ends: vec![0; 64],
        }
    }

    /// The fields of the record that `input` holds entirely.
    fn split<'s>(&'s mut self, input: &[u8]) -> Vec<&'s [u8]> {
        use csv_core::ReadRecordResult::*;
        self.core.reset();
        if self.out.len() < input.len() + 1 {
            self.out.resize(input.len() + 1, 0);
        }
        let (mut inp, mut outp, mut nends) = (0, 0, 0);
        loop {
            let (res, i, o, e) = self.core.read_record(
                &input[inp..],
                &mut self.out[outp..],
                &mut self.ends[nends..],
            );
            inp += i;
            outp += o;
            nends += e;
            match res {
                InputEmpty if inp >= input.len() => {
                    // Finish a record without a trailing newline.
                    let (res, _, o, e) =
                        self.core
                            .read_record(&[], &mut self.out[outp..], &mut self.ends[nends..]);
                    outp += o;
                    nends += e;
                    if matches!(res, OutputEndsFull) {
                        self.ends.resize(self.ends.len() * 2, 0);
                        continue;
                    }
                    break;
                }
                InputEmpty => {}
                OutputFull => self.out.resize(self.out.len() * 2, 0),
                OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                Record | End => break,
            }
        }
        let mut fields = Vec::with_capacity(nends);
        let mut start = 0;
        for &end in &self.ends[..nends] {
            fields.push(&self.out[start..end]);
            start = end;
        }
        fields
    }
}

/// Where each record of roster-columns.csv starts, the header first. Fast
/// path: one record per line (what `roster` writes unless a field holds a
/// line break); otherwise a full CSV parse.
fn record_starts(columns: &[u8]) -> Result<Vec<usize>> {
    let mut starts = vec![0usize];
    starts.extend(
        memchr::memchr_iter(b'\n', columns)
            .map(|i| i + 1)
            .filter(|&i| i < columns.len()),
    );
    let quoted_newline = memchr::memchr(b'"', columns).is_some() && {
        // A line break inside quotes shows as an odd number of quotes on a line.
        starts
            .windows(2)
            .any(|w| columns[w[0]..w[1]].iter().filter(|&&b| b == b'"').count() % 2 == 1)
    };
    if !quoted_newline {
        return Ok(starts);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(columns);
    let mut record = csv::ByteRecord::new();
    let mut starts = Vec::new();
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| Error::input(t!("sample.columns-not-csv", file = COLUMNS_FILE, e)))?
    {
        starts.push(record.position().map_or(0, |p| p.byte() as usize));
    }
    Ok(starts)
}

/// Writes sample.csv (UTF-8 with a BOM, so that Excel shows Chinese
/// correctly), rows by stratum in byte order, then rank. `columns` is
/// roster-columns.csv, whose i-th record belongs to roster.tsv's i-th line.
pub fn write_sample_csv(
    columns: &[u8],
    roster: &CanonicalRoster<'_>,
    drawn: &DrawnSample,
    id_column: &str,
    stratum_column: &str,
    out: &mut impl Write,
) -> Result<()> {
    let mismatch =
        |what: String| Error::input(t!("sample.columns-mismatch", file = COLUMNS_FILE, what));
    let starts = record_starts(columns)?;
    if starts.len() != roster.accounts() as usize + 1 {
        return Err(mismatch(t!(
            "sample.record-count",
            records = starts.len().saturating_sub(1),
            lines = roster.accounts()
        )));
    }
    let record =
        |i: usize| &columns[starts[i]..starts.get(i + 1).copied().unwrap_or(columns.len())];
    let mut splitter = RecordSplitter::new();
    let header: Vec<String> = splitter
        .split(record(0))
        .iter()
        .map(|f| normalize_field(&String::from_utf8_lossy(f)).into_owned())
        .collect();
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| mismatch(t!("sample.no-column", name)))
    };
    let id_col = find(id_column)?;
    let st_col = find(stratum_column)?;
    let others: Vec<usize> = (0..header.len())
        .filter(|&i| i != id_col && i != st_col)
        .collect();

    // slot (stratum by stratum, rank by rank) → line of roster.tsv
    let mut offset = 0usize;
    let mut total = 0usize;
    let mut slots = vec![0u32; drawn.manifest.sample_size as usize];
    for ((_, ids), m) in roster.strata.iter().zip(&drawn.manifest.strata) {
        for (p, &rank) in drawn.ranks[offset..offset + ids.len()].iter().enumerate() {
            if rank > 0 {
                slots[total + rank as usize - 1] = (offset + p) as u32;
            }
        }
        total += m.ids.len();
        offset += ids.len();
    }
    let io = |e: std::io::Error| Error::io(SAMPLE_FILE, e);
    out.write_all(b"\xEF\xBB\xBF").map_err(io)?;
    let mut w = csv::Writer::from_writer(out);
    let mut head: Vec<&str> = vec!["stratum", "rank", "id"];
    head.extend(others.iter().map(|&i| header[i].as_str()));
    w.write_record(&head)
        .map_err(|e| Error::io(SAMPLE_FILE, e.into()))?;
    let mut row = csv::ByteRecord::new();
    let mut slot = 0usize;
    for m in &drawn.manifest.strata {
        for (r, id) in m.ids.iter().enumerate() {
            let i = slots[slot] as usize;
            slot += 1;
            let fields = splitter.split(record(i + 1));
            let got = fields.get(id_col).copied().unwrap_or(b"");
            if got != id.as_bytes() && normalize_field(&String::from_utf8_lossy(got)) != id.as_str()
            {
                return Err(mismatch(t!(
                    "sample.id-differs",
                    record = i + 1,
                    got = String::from_utf8_lossy(got),
                    id
                )));
            }
            row.clear();
            row.push_field(m.name.as_bytes());
            row.push_field((r + 1).to_string().as_bytes());
            row.push_field(id.as_bytes());
            for &c in &others {
                row.push_field(fields.get(c).copied().unwrap_or(b""));
            }
            w.write_byte_record(&row)
                .map_err(|e| Error::io(SAMPLE_FILE, e.into()))?;
        }
    }
    w.flush().map_err(io)?;
    Ok(())
}
