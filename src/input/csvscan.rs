//! Reading the records of a large CSV text quickly, with exact line numbers.
//!
//! Pure. A line without a quote or a carriage return inside it is one record
//! whose fields are the text between its commas: that is how nearly every
//! line of a registry export looks, and it is split here directly. Any other
//! record (quoted fields, line breaks inside quotes, a bare CR) goes through
//! `csv_core`, the state machine of the csv crate, from that record's first
//! byte. Both paths read a file as the csv crate does: RFC 4180 quoting,
//! `\n`, `\r\n` or `\r` ending a record, blank lines skipped.

use csv_core::ReadRecordResult;

/// The records of `text[from..to]`, which starts at a record boundary.
pub struct Scanner<'a> {
    text: &'a [u8],
    pos: usize,
    end: usize,
    /// Line feeds passed so far (including those before `from`).
    lines: u64,
    core: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    spans: Vec<(usize, usize)>,
    /// A record ran into the end of the range without a line break.
    unterminated: bool,
}

/// One record: its line (1-based, where it starts), the byte where it
/// starts, and its fields.
pub struct Record<'s> {
    pub line: u64,
    pub start: usize,
    fields: Fields<'s>,
}

enum Fields<'s> {
    /// Fast path: ranges of the text.
    Spans(&'s [u8], &'s [(usize, usize)]),
    /// Through csv_core: unquoted bytes and where each field ends.
    Decoded(&'s [u8], &'s [usize]),
}

impl Record<'_> {
    pub fn len(&self) -> usize {
        match &self.fields {
            Fields::Spans(_, s) => s.len(),
            Fields::Decoded(_, e) => e.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Fields `first..=last` as they stand in the text, commas between
    /// them included, when the record holds no quote or CR (so none of its
    /// fields needs quoting when written out again), else None.
    pub fn verbatim(&self, first: usize, last: usize) -> Option<&[u8]> {
        match &self.fields {
            Fields::Spans(text, s) if first <= last => Some(&text[s.get(first)?.0..s.get(last)?.1]),
            _ => None,
        }
    }

    pub fn get(&self, i: usize) -> Option<&[u8]> {
        match &self.fields {
            Fields::Spans(text, s) => s.get(i).map(|&(a, b)| &text[a..b]),
            Fields::Decoded(out, e) => {
                let end = *e.get(i)?;
                let start = if i == 0 { 0 } else { e[i - 1] };
                Some(&out[start..end])
            }
        }
    }
}

impl<'a> Scanner<'a> {
    /// Scans `text[from..to]`; `lines_before` is the number of line feeds
    /// before `from`, so that line numbers count from the file's start.
    pub fn new(text: &'a [u8], from: usize, to: usize, lines_before: u64) -> Self {
        Scanner {
            text,
            pos: from,
            end: to,
            lines: lines_before,
            core: csv_core::Reader::new(),
            // Grown when a record needs csv_core: most scans never do.
            out: Vec::new(),
            ends: Vec::new(),
            spans: Vec::new(),
            unterminated: false,
        }
    }

    /// Whether a record ran into the end of the range rather than ending at
    /// a line break: for a range cut from a larger text, a sign that the cut
    /// fell inside a quoted field.
    pub fn unterminated(&self) -> bool {
        self.unterminated
    }

    /// Scans `text[from..to]` next, keeping the buffers.
    pub fn seek(&mut self, from: usize, to: usize, lines_before: u64) {
        self.pos = from;
        self.end = to;
        self.lines = lines_before;
    }

    /// Where the scanner is: the byte after the last record read.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The next record, or None at the end. A plain line is read in one
    /// pass over its bytes, which finds its commas and its end and sees
    /// any quote or stray CR (sending the record to csv_core): three memchr
    /// searches per line cost twice as much on lines of a few dozen bytes.
    #[allow(clippy::should_implement_trait)] // records borrow the scanner
    pub fn next(&mut self) -> Option<Record<'_>> {
        loop {
            if self.pos >= self.end {
                return None;
            }
            let start = self.pos;
            let rest = &self.text[start..self.end];
            self.spans.clear();
            let (mut field, mut newline) = (start, None);
            for (i, &b) in rest.iter().enumerate() {
                // Comma, quote, CR and LF are all at or below b',': one
                // comparison passes over every other byte.
                if b > b',' {
                    continue;
                }
                match b {
                    b',' => {
                        self.spans.push((field, start + i));
                        field = start + i + 1;
                    }
                    b'\n' => {
                        newline = Some(i);
                        break;
                    }
                    b'\r' if rest.get(i + 1) == Some(&b'\n') => {} // the line's end
                    b'"' | b'\r' => return self.decode(),
                    _ => {}
                }
            }
            let nl = newline.unwrap_or(rest.len());
            let mut line_end = start + nl;
            if nl > 0 && rest[nl - 1] == b'\r' {
                line_end -= 1;
            }
            self.pos += (nl + 1).min(rest.len());
            self.lines += 1;
            if line_end == start {
                continue; // a blank line is no record
            }
            self.spans.push((field, line_end));
            return Some(Record {
                line: self.lines,
                start,
                fields: Fields::Spans(self.text, &self.spans),
            });
        }
    }

    /// One record through csv_core, from `pos` (None: only blank lines were left).
    fn decode(&mut self) -> Option<Record<'_>> {
        let line = self.lines + 1;
        let start = self.pos;
        let input = &self.text[self.pos..self.end];
        self.core.reset();
        if self.out.is_empty() {
            self.out.resize(4096, 0);
            self.ends.resize(64, 0);
        }
        let (mut inp, mut outp, mut nends) = (0, 0, 0);
        let mut at_end = false;
        loop {
            at_end |= inp == input.len();
            let (res, i, o, e) = self.core.read_record(
                &input[inp..],
                &mut self.out[outp..],
                &mut self.ends[nends..],
            );
            inp += i;
            outp += o;
            nends += e;
            match res {
                // More input, or (with none left) the end of the text, which
                // csv_core reads as the end of a last record without a line break.
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => self.out.resize(self.out.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                ReadRecordResult::Record => {
                    self.unterminated |= at_end;
                    break;
                }
                ReadRecordResult::End => {
                    self.pos = self.end;
                    return None;
                }
            }
        }
        self.lines += memchr::memchr_iter(b'\n', &input[..inp]).count() as u64;
        self.pos += inp;
        Some(Record {
            line,
            start,
            fields: Fields::Decoded(&self.out, &self.ends[..nends]),
        })
    }
}

/// A record boundary near the middle of `bytes[from..]`, for reading the two
/// halves on both cores: the start of a line after an even number of quotes.
/// (A quote inside an unquoted field can mislead that count; a reader of the
/// first half then ends in an unterminated record, and should not split.)
pub fn split_point(bytes: &[u8], from: usize) -> Option<usize> {
    if bytes.len() - from < 1 << 20 {
        return None; // not worth a thread
    }
    let mut pos = from + (bytes.len() - from) / 2;
    let mut quotes = memchr::memchr_iter(b'"', &bytes[..pos]).count();
    for _ in 0..64 {
        let nl = pos + memchr::memchr(b'\n', &bytes[pos..])?;
        quotes += memchr::memchr_iter(b'"', &bytes[pos..nl]).count();
        pos = nl + 1;
        if quotes.is_multiple_of(2) {
            return (pos < bytes.len()).then_some(pos);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record with its line, as the csv crate reads it and as the scanner does.
    fn both(text: &str) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let want: Vec<Vec<String>> = reader
            .byte_records()
            .map(|r| {
                r.unwrap()
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect()
            })
            .collect();
        let mut s = Scanner::new(text.as_bytes(), 0, text.len(), 0);
        let mut got = vec![];
        while let Some(r) = s.next() {
            got.push(
                (0..r.len())
                    .map(|i| String::from_utf8_lossy(r.get(i).unwrap()).into_owned())
                    .collect(),
            );
        }
        (want, got)
    }

    #[test]
    fn agrees_with_the_csv_crate() {
        for text in [
            "a,b,c\n1,2,3\n",
            "a,b\r\n1,2\r\n\r\n3,4",
            "a,\"b,c\",d\n\"x\ny\",2,\"\"\"q\"\"\"\n",
            "\n\na,b\n\n",
            "a,b\rc,d\n",
            "\"open,x\n",
            "a,,\n,\n",
            "合肥市,账号\"\n",
            "x,\"y\"\r\n\"z\",w",
        ] {
            let (want, got) = both(text);
            assert_eq!(got, want, "{text:?}");
        }
    }

    #[test]
    fn lines_are_where_records_start() {
        let text = "h\n\na\n\"b\nc\"\r\n\r\nd\n";
        let mut s = Scanner::new(text.as_bytes(), 0, text.len(), 0);
        let mut lines = vec![];
        while let Some(r) = s.next() {
            lines.push(r.line);
        }
        assert_eq!(lines, [1, 3, 4, 7]);
    }

    #[test]
    fn a_cut_inside_quotes_shows() {
        let text = b"a,\"x\ny\",b\nc,d\n";
        let mut s = Scanner::new(text, 0, 5, 0); // cut after `a,"x\n`
        while s.next().is_some() {}
        assert!(s.unterminated());
        let mut s = Scanner::new(text, 0, 11, 0); // a whole record
        while s.next().is_some() {}
        assert!(!s.unterminated());
    }

    #[test]
    fn a_long_mixed_text_reads_as_the_csv_crate_reads_it() {
        // Quoted fields, a line break inside quotes, CRs before and not
        // before a line feed, blank lines, and a last line without a line break.
        let mut text = String::new();
        for i in 0..3000 {
            text.push_str(&match i % 500 {
                7 => format!("\"q{i}\",x\n"),
                8 => format!("a,\"multi\r\nline {i}\"\r\n"),
                9 => "\r\n\n".to_string(),
                10 => format!("bare\rcr,{i}\n"),
                _ => format!("id{i},合肥市,name {i}\r\n"),
            });
        }
        text.push_str("last,line");
        let (want, got) = both(&text);
        // Six blank pairs of lines; six bare CRs that end a record; the last line.
        assert_eq!(got.len(), 3000 - 6 + 6 + 1);
        assert!(got == want);
    }

    proptest::proptest! {
        #[test]
        fn any_text_reads_as_the_csv_crate_reads_it(
            text in proptest::string::string_regex("[a ,\"\r\n合]{0,60}").unwrap()
        ) {
            let (want, got) = both(&text);
            proptest::prop_assert_eq!(got, want);
        }
    }
}
