//! sample.csv: the list the inspectors work from — stratum, rank, id, then
//! the roster's other columns (name, platform, operator...). Outside every
//! commitment: manifest.json is what counts; this is its readable companion.

use std::io::Write;

use crate::error::{Error, Result};
use crate::input::text::normalize_field;
use crate::roster::canonical::{CsvRecord, record_start};
use crate::sampling::manifest::DrawnSample;
use crate::t;

pub const SAMPLE_FILE: &str = "sample.csv";
/// The source table as `roster` read it (UTF-8, the source's order).
pub const COLUMNS_FILE: &str = "roster-columns.csv";
/// For each line of roster.tsv, where its record starts in roster-columns.csv.
pub const COLUMNS_INDEX_FILE: &str = "roster-columns.idx";

/// Writes sample.csv (UTF-8 with a BOM, so that Excel shows Chinese
/// correctly), rows by stratum in byte order, then rank. `columns` is
/// roster-columns.csv and `index` roster-columns.idx; each sampled record's
/// id is checked against the sample's.
pub fn write_sample_csv(
    columns: &[u8],
    index: &[u8],
    drawn: &DrawnSample,
    id_column: &str,
    stratum_column: &str,
    out: &mut impl Write,
) -> Result<()> {
    let mismatch =
        |what: String| Error::input(t!("sample.columns-mismatch", file = COLUMNS_FILE, what));
    let mut r = CsvRecord::new();
    let header: Vec<String> = match r.read(
        columns,
        record_start(columns, 0, columns.len()),
        columns.len(),
    ) {
        Some(_) => (0..r.len())
            .map(|i| {
                normalize_field(&String::from_utf8_lossy(r.get(i).unwrap_or(b""))).into_owned()
            })
            .collect(),
        None => Vec::new(),
    };
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
    // The other columns as runs of neighbouring columns (first, last): an
    // unquoted record's run is copied as it stands, commas and all.
    let runs: Vec<(usize, usize)> = others
        .chunk_by(|a, b| a + 1 == *b)
        .map(|run| (run[0], run[run.len() - 1]))
        .collect();
    if index.len() != drawn.ranks.len() * 4 {
        return Err(mismatch(t!(
            "sample.index-size",
            file = COLUMNS_INDEX_FILE,
            entries = index.len() / 4,
            lines = drawn.ranks.len()
        )));
    }
    let start_of = |i: usize| {
        u32::from_le_bytes(index[4 * i..4 * i + 4].try_into().expect("4 bytes")) as usize
    };

    // Row of sample.csv (stratum by stratum, rank by rank) → line of roster.tsv.
    let mut lines = vec![0u32; drawn.manifest.sample_size as usize];
    let (mut offset, mut total) = (0usize, 0usize);
    for m in &drawn.manifest.strata {
        for (p, &rank) in drawn.ranks[offset..offset + m.population as usize]
            .iter()
            .enumerate()
        {
            if rank > 0 {
                lines[total + rank as usize - 1] = (offset + p) as u32;
            }
        }
        total += m.ids.len();
        offset += m.population as usize;
    }
    // (stratum, rank, id, line of roster.tsv) for each row, a block at a time.
    let mut rows = drawn
        .manifest
        .strata
        .iter()
        .flat_map(|m| {
            m.ids
                .iter()
                .enumerate()
                .map(|(r, id)| (m.name.as_str(), r + 1, id.as_ref()))
        })
        .zip(lines)
        .map(|((s, r, id), line)| (s, r, id, line));

    // The rows, formatted in two halves on both cores: each reads its
    // record from a random place of the file.
    let format = |part: &[(&str, usize, &str, u32)]| -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(part.len() * 64);
        let mut record = CsvRecord::new();
        for (k, &(stratum, rank, id, line)) in part.iter().enumerate() {
            if k % TOUCH_AHEAD == 0 {
                let next = part[k..].iter().take(TOUCH_AHEAD);
                touch_records(columns, next.map(|r| start_of(r.3 as usize)));
            }
            let start = record_start(columns, start_of(line as usize), columns.len());
            let read = record.read(columns, start, columns.len());
            let raw = &columns[start.min(columns.len())..][..read.map_or(0, |r| r.0)];
            let fields = read.map(|_| &record);
            let got = fields.and_then(|f| f.get(id_col)).unwrap_or(b"");
            if got != id.as_bytes() && normalize_field(&String::from_utf8_lossy(got)) != id {
                return Err(mismatch(t!(
                    "sample.id-differs",
                    line = line + 1,
                    got = String::from_utf8_lossy(got),
                    id
                )));
            }
            push_field(&mut out, stratum.as_bytes());
            out.push(b',');
            write!(out, "{rank}").expect("in memory");
            out.push(b',');
            push_field(&mut out, id.as_bytes());
            for &(first, last) in &runs {
                out.push(b',');
                match fields.and_then(|f| f.verbatim(raw, first, last)) {
                    Some(run) => out.extend_from_slice(run),
                    None => {
                        for c in first..=last {
                            if c > first {
                                out.push(b',');
                            }
                            push_field(&mut out, fields.and_then(|f| f.get(c)).unwrap_or(b""));
                        }
                    }
                }
            }
            out.push(b'\n');
        }
        Ok(out)
    };

    let io = |e: std::io::Error| Error::io(SAMPLE_FILE, e);
    out.write_all(b"\xEF\xBB\xBF").map_err(io)?;
    let mut head: Vec<&str> = vec!["stratum", "rank", "id"];
    head.extend(others.iter().map(|&i| header[i].as_str()));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&head).expect("writing to memory");
    out.write_all(&w.into_inner().expect("writing to memory"))
        .map_err(io)?;
    // In blocks, so that the rows and their text never need much memory.
    loop {
        let block: Vec<(&str, usize, &str, u32)> = rows.by_ref().take(1 << 16).collect();
        if block.is_empty() {
            break;
        }
        let (a, b) = block.split_at(block.len() / 2);
        let (first, second) = if block.len() >= 1 << 12 {
            crate::base::par::join(|| format(a), || format(b))
        } else {
            (format(a), format(b))
        };
        out.write_all(&first?).map_err(io)?;
        out.write_all(&second?).map_err(io)?;
    }
    Ok(())
}

/// Records read at random places of a large file each wait for memory (a
/// quarter of `draw`'s time did). Touching the next few together first puts
/// their loads in flight at once, so that they wait once between them.
const TOUCH_AHEAD: usize = 16;

fn touch_records(columns: &[u8], starts: impl Iterator<Item = usize>) {
    let mut acc = 0u8;
    for start in starts {
        // A record of the usual length spans one or two cache lines.
        acc ^= columns.get(start).copied().unwrap_or(0);
        acc ^= columns.get(start + 63).copied().unwrap_or(0);
    }
    std::hint::black_box(acc);
}

/// One CSV field as the csv crate's writer puts it (whose reader Excel and
/// every script use): quoted, with quotes doubled, only when it holds a
/// comma, a quote or a line break. Written by hand because this runs for
/// every field of half a million rows.
fn push_field(out: &mut Vec<u8>, field: &[u8]) {
    if !field
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
    {
        out.extend_from_slice(field);
        return;
    }
    out.push(b'"');
    for &b in field {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::sampling::manifest::{Manifest, ManifestStratum};

    /// A stratum: its name, population and (line of roster.tsv, id) in rank order.
    type Stratum<'a> = (&'a str, u64, &'a [(usize, &'a str)]);

    /// A drawn sample over `lines` lines of roster.tsv.
    fn drawn(lines: usize, strata: &[Stratum<'_>]) -> DrawnSample<'static> {
        let mut ranks = vec![0u32; lines];
        for (_, _, picks) in strata {
            for (r, (line, _)) in picks.iter().enumerate() {
                ranks[*line] = r as u32 + 1;
            }
        }
        let m = Manifest {
            format: String::new(),
            round: String::new(),
            population: String::new(),
            algorithm: String::new(),
            seed: String::new(),
            seed_source: String::new(),
            roster_sha256: String::new(),
            accounts: lines as u64,
            rate: String::new(),
            allocation: String::new(),
            quotas_sha256: None,
            sample_size: strata.iter().map(|s| s.2.len() as u64).sum(),
            strata: strata
                .iter()
                .map(|(name, population, picks)| ManifestStratum {
                    name: name.to_string(),
                    population: *population,
                    quota: picks.len() as u64,
                    ids: picks.iter().map(|(_, id)| id.to_string().into()).collect(),
                })
                .collect(),
        };
        DrawnSample { manifest: m, ranks }
    }

    fn index(starts: &[u32]) -> Vec<u8> {
        starts.iter().flat_map(|s| s.to_le_bytes()).collect()
    }

    // roster.tsv of this source: H A1, H A9, H C\r\n3, S B2
    const COLUMNS: &str =
        "id,region,name\r\n\r\n B2 ,S,\"x, y\"\r\nA1,H,z\r\n\"C\r\n3\",H,\"multi\nline\"\r\nA9,H,w";

    fn starts() -> Vec<u32> {
        let at = |needle: &str| COLUMNS.find(needle).unwrap() as u32;
        vec![at("A1"), at("A9"), at("\"C"), at(" B2")]
    }

    #[test]
    fn sampled_records_are_read_where_the_index_says_in_rank_order() {
        let d = drawn(
            4,
            &[("H", 3, &[(1, "A9"), (0, "A1")]), ("S", 1, &[(3, "B2")])],
        );
        let mut out = Vec::new();
        write_sample_csv(
            COLUMNS.as_bytes(),
            &index(&starts()),
            &d,
            "id",
            "region",
            &mut out,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\u{feff}stratum,rank,id,name\nH,1,A9,w\nH,2,A1,z\nS,1,B2,\"x, y\"\n"
        );
    }

    proptest::proptest! {
        #[test]
        fn fields_are_written_as_the_csv_crate_writes_them(
            fields in proptest::collection::vec("[a-z,\"\r\n 亳]{0,6}", 3..6)
        ) {
            let mut ours = Vec::new();
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    ours.push(b',');
                }
                push_field(&mut ours, f.as_bytes());
            }
            ours.push(b'\n');
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(&fields).unwrap();
            proptest::prop_assert_eq!(ours, w.into_inner().unwrap());
        }
    }

    proptest::proptest! {
        /// A run of fields copied as it stands is what writing its fields
        /// one by one gives, whatever the record holds.
        #[test]
        fn a_verbatim_run_is_its_fields_written_out(
            text in proptest::string::string_regex("(a|,|\"|\r|\n|\u{feff}|亳| ){0,30}").unwrap(),
            first in 0usize..4,
            len in 0usize..3,
        ) {
            let b = text.as_bytes();
            let mut record = CsvRecord::new();
            let start = record_start(b, 0, b.len());
            if let Some((used, _)) = record.read(b, start, b.len()) {
                let last = first + len;
                if let Some(run) = record.verbatim(&b[start..start + used], first, last) {
                    let mut want = Vec::new();
                    for c in first..=last {
                        if c > first {
                            want.push(b',');
                        }
                        push_field(&mut want, record.get(c).unwrap());
                    }
                    proptest::prop_assert_eq!(run, &want[..]);
                }
            }
        }
    }

    #[test]
    fn an_index_that_no_longer_fits_is_refused() {
        let d = drawn(4, &[("H", 3, &[(1, "A9")]), ("S", 1, &[])]);
        let refusal = |starts: &[u32]| {
            let mut out = Vec::new();
            write_sample_csv(
                COLUMNS.as_bytes(),
                &index(starts),
                &d,
                "id",
                "region",
                &mut out,
            )
            .unwrap_err()
            .to_string()
        };
        let mut wrong = starts();
        wrong.swap(0, 1);
        let e = refusal(&wrong);
        assert!(
            e.contains("roster-columns.csv") && e.contains("\"A1\"") && e.contains("\"A9\""),
            "{e}"
        );
        let e = refusal(&starts()[..3]);
        assert!(e.contains("roster-columns.idx"), "{e}");
    }
}
