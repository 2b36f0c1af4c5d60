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
