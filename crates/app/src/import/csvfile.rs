//! Reading one CSV file of an import folder: header check, line numbers,
//! cells by column name, and errors as `file:line: reason`.

use super::files::{self, Opened};
use crate::{AppError, Result};
use partnerdesk_domain::FieldError;
use std::path::Path;

/// Collected problems of one import; it fails as a whole if any.
#[derive(Default)]
pub struct Problems {
    pub list: Vec<String>,
    pub more: usize,
}

impl Problems {
    const MAX: usize = 100;

    pub fn add(&mut self, file: &str, line: u64, reason: impl std::fmt::Display) {
        self.push(format!("{file}:{line}: {reason}"));
    }

    /// A problem with a whole file (it cannot be read at all).
    pub fn add_file(&mut self, file: &str, reason: impl std::fmt::Display) {
        self.push(format!("{file}: {reason}"));
    }

    fn push(&mut self, problem: String) {
        if self.list.len() < Self::MAX {
            self.list.push(problem);
        } else {
            self.more += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn into_error(self) -> AppError {
        let mut msg = format!("the import was refused and nothing of it was kept; fix these rows and import again:\n{}", self.list.join("\n"));
        if self.more > 0 {
            msg.push_str(&format!("\n… and {} more", self.more));
        }
        AppError::Import(msg)
    }
}

/// Where an import's files are read from: its folder, or one file's bytes
/// in memory (what the fuzz targets feed it).
#[derive(Clone, Copy)]
pub enum Source<'a> {
    Folder(&'a Path),
    Bytes { name: &'a str, bytes: &'a [u8] },
}

impl Source<'_> {
    /// [`CsvFile::open`] of `name` here (from bytes: only the file they are).
    pub fn open(
        &self,
        name: &str,
        columns: &[&str],
        problems: &mut Problems,
    ) -> Result<Option<CsvFile>> {
        match *self {
            Source::Folder(dir) => CsvFile::open(dir, name, columns, problems),
            Source::Bytes { name: n, bytes } if n == name => Ok(CsvFile::from_reader(
                name,
                Box::new(std::io::Cursor::new(bytes.to_vec())),
                columns,
                problems,
            )),
            Source::Bytes { .. } => Ok(None),
        }
    }
}

pub struct CsvFile {
    pub name: String,
    reader: csv::Reader<Box<dyn std::io::Read + Send>>,
    columns: Vec<usize>,
    record: csv::StringRecord,
    pub line: u64,
}

pub struct Row<'a> {
    file: &'a CsvFile,
}

impl CsvFile {
    /// Opens `dir/name` if present and checks that every column in `columns` is there.
    /// Columns ending in `?` may have empty cells. A name that is not a
    /// regular file in the folder is a problem of the import ([`files`]).
    pub fn open(
        dir: &Path,
        name: &str,
        columns: &[&str],
        problems: &mut Problems,
    ) -> Result<Option<CsvFile>> {
        match files::open(dir, name)? {
            Opened::Absent => Ok(None),
            Opened::Refused(why) => {
                problems.add_file(name, why);
                Ok(None)
            }
            Opened::File(f) => Ok(Self::from_reader(
                name,
                Box::new(std::io::BufReader::with_capacity(1 << 20, f)),
                columns,
                problems,
            )),
        }
    }

    /// [`CsvFile::open`] over any reader (the fuzz targets read bytes).
    pub fn from_reader(
        name: &str,
        input: Box<dyn std::io::Read + Send>,
        columns: &[&str],
        problems: &mut Problems,
    ) -> Option<CsvFile> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(input);
        let headers = match reader.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                problems.add(name, 1, format!("cannot read the header row: {e}"));
                return None;
            }
        };
        let names: Vec<String> = headers
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
            .collect();
        let mut idx = Vec::with_capacity(columns.len());
        let mut missing = Vec::new();
        for c in columns {
            let c = c.trim_end_matches('?');
            match names.iter().position(|n| n == c) {
                Some(i) => idx.push(i),
                None => missing.push(c),
            }
        }
        if !missing.is_empty() {
            problems.add(
                name,
                1,
                format!(
                    "missing column(s) {}; the header must name: {}",
                    missing.join(", "),
                    columns
                        .iter()
                        .map(|c| c.trim_end_matches('?'))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            return None;
        }
        if let Some(dup) = names
            .iter()
            .enumerate()
            .find(|(i, n)| names[..*i].contains(n))
        {
            problems.add(
                name,
                1,
                format!(
                    "column {} appears twice",
                    partnerdesk_domain::limits::shown(dup.1)
                ),
            );
            return None;
        }
        Some(CsvFile {
            name: name.to_string(),
            reader,
            columns: idx,
            record: csv::StringRecord::new(),
            line: 1,
        })
    }

    /// The next row, or None at the end. A row the CSV reader cannot read is a problem.
    pub fn next_row(&mut self, problems: &mut Problems) -> Option<Row<'_>> {
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(true) => {
                    self.line = self
                        .record
                        .position()
                        .map(|p| p.line())
                        .unwrap_or(self.line + 1);
                    if self.record.len() == 1 && self.record.get(0) == Some("") {
                        continue; // a blank line
                    }
                    return Some(Row { file: self });
                }
                Ok(false) => return None,
                Err(e) => {
                    let line = e.position().map(|p| p.line()).unwrap_or(self.line + 1);
                    problems.add(&self.name, line, format!("unreadable CSV row: {e}"));
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        return None;
                    }
                }
            }
        }
    }
}

impl Row<'_> {
    pub fn line(&self) -> u64 {
        self.file.line
    }

    /// The cell of column number `i` (in the order given to `open`).
    pub fn cell(&self, i: usize) -> &str {
        self.file
            .columns
            .get(i)
            .and_then(|&c| self.file.record.get(c))
            .unwrap_or("")
    }

    /// A required cell: empty is an error naming the column.
    pub fn req(&self, i: usize, col: &str) -> std::result::Result<&str, FieldError> {
        let v = self.cell(i);
        if v.is_empty() {
            Err(FieldError::new(col, "is empty; a value is required"))
        } else {
            Ok(v)
        }
    }

    /// An optional cell: empty is None.
    pub fn opt(&self, i: usize) -> Option<&str> {
        Some(self.cell(i)).filter(|s| !s.is_empty())
    }
}
