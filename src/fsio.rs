//! Durable file writes: a file a command reports as written survives a crash.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::t;

/// A temporary file beside the final one. Round files are for auditors too:
/// on Unix they are made readable by all (0644), like files other tools
/// create, not private like ordinary temporary files.
fn temp_in(dir: &Path) -> Result<tempfile::NamedTempFile> {
    let mut b = tempfile::Builder::new();
    b.prefix(".choucha-tmp-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o644));
    }
    b.tempfile_in(dir).map_err(|e| Error::io(dir, e))
}

/// Flushes a directory's entries (a new or renamed file) to disk. On
/// Windows a directory cannot be opened as a file; NTFS journals renames
/// itself, so there is nothing to do.
pub fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io(dir, e))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// A temporary file beside `path` holding `bytes`, fsynced, ready to rename.
fn written_temp(path: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile> {
    let mut tmp = temp_in(path.parent().unwrap_or(Path::new(".")))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| Error::io(tmp.path(), e))?;
    Ok(tmp)
}

/// Writes `bytes` to `path` all at once or not at all: a temporary file in
/// the same directory, fsynced, renamed over `path`, then the directory fsynced.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    written_temp(path, bytes)?
        .persist(path)
        .map_err(|e| Error::io(path, e.error))?;
    sync_dir(path.parent().unwrap_or(Path::new(".")))
}

/// Like [`write_atomic`] but refuses to replace an existing file.
pub fn write_new_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    written_temp(path, bytes)?
        .persist_noclobber(path)
        .map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                Error::refused(t!("fsio.exists", path = path.display()))
            } else {
                Error::io(path, e.error)
            }
        })?;
    sync_dir(path.parent().unwrap_or(Path::new(".")))
}

/// Reads a whole file, naming it in the error.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

/// Reads an open file whole. A large one is read in two halves on both
/// cores: copying a log of a hundred megabytes out of the page cache, and
/// faulting in the memory it goes to, took a tenth of a second on one.
pub fn read_open(file: &mut std::fs::File) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let len = file.metadata().map_or(0, |m| m.len() as usize);
    #[cfg(any(unix, windows))]
    if len >= 8 << 20 {
        // Zeroed memory comes untouched from the OS, so each half's pages
        // are first touched by the thread that reads into them.
        let mut bytes = vec![0u8; len];
        let (a, b) = bytes.split_at_mut(len / 2);
        let f: &std::fs::File = file;
        let (first, second) = crate::par::join(
            || read_exact_at(f, a, 0),
            || read_exact_at(f, b, (len / 2) as u64),
        );
        first?;
        second?;
        // Anything beyond the length seen at first (the caller holds the
        // lock, so normally nothing) is read as well.
        let mut rest = Vec::new();
        let mut tail: &std::fs::File = f;
        std::io::Seek::seek(&mut tail, std::io::SeekFrom::Start(len as u64))?;
        tail.read_to_end(&mut rest)?;
        bytes.extend_from_slice(&rest);
        return Ok(bytes);
    }
    let mut bytes = Vec::with_capacity(len + 1);
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(unix)]
fn read_exact_at(f: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(f, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(f: &std::fs::File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(f, buf, offset) {
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A file written through a buffer into a temporary file beside its final
/// path, and renamed into place only by [`AtomicFile::commit`]: the same
/// guarantee as [`write_atomic`] without holding the whole content in memory.
/// It also hashes what it writes (a megabyte at a time: many small writes
/// cost only a copy each).
pub struct AtomicFile {
    path: std::path::PathBuf,
    tmp: tempfile::NamedTempFile,
    buf: Vec<u8>,
    hash: sha2::Sha256,
}

const CHUNK: usize = 1 << 20;

impl AtomicFile {
    pub fn create(path: &Path) -> Result<AtomicFile> {
        let dir = path.parent().unwrap_or(Path::new("."));
        let tmp = temp_in(dir)?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            tmp,
            buf: Vec::with_capacity(CHUNK + 4096),
            hash: <sha2::Sha256 as sha2::Digest>::new(),
        })
    }

    fn drain(&mut self) -> std::io::Result<()> {
        sha2::Digest::update(&mut self.hash, &self.buf);
        self.tmp.as_file_mut().write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }

    /// Flushes, fsyncs, renames into place, fsyncs the directory; returns the SHA-256 (hex).
    pub fn commit(mut self) -> Result<String> {
        let path = self.path.clone();
        self.drain().map_err(|e| Error::io(&path, e))?;
        self.tmp
            .as_file()
            .sync_all()
            .map_err(|e| Error::io(&path, e))?;
        self.tmp
            .persist(&path)
            .map_err(|e| Error::io(&path, e.error))?;
        sync_dir(path.parent().unwrap_or(Path::new(".")))?;
        Ok(crate::commit::hex(&sha2::Digest::finalize(self.hash)))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(buf);
        if self.buf.len() >= CHUNK {
            self.drain()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_file_read_in_halves_is_read_whole_and_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        // Past the size that is read on both cores, with an odd length.
        let bytes: Vec<u8> = (0..(9u32 << 20) + 7)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        std::fs::write(&path, &bytes).unwrap();
        let mut f = std::fs::File::open(&path).unwrap();
        assert!(read_open(&mut f).unwrap() == bytes);
        let small = dir.path().join("small");
        std::fs::write(&small, b"abc").unwrap();
        assert_eq!(
            read_open(&mut std::fs::File::open(&small).unwrap()).unwrap(),
            b"abc"
        );
    }
}
