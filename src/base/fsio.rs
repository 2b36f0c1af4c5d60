//! Durable file writes: a file a command reports as written survives a crash.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::t;

/// A temporary file beside the final one. Round files are for auditors too:
/// on Unix they are made readable by all (0644), like files other tools
/// create, not private like ordinary temporary files.
fn temp_in(dir: &Path) -> Result<tempfile::NamedTempFile> {
    temp_with_mode(dir, 0o644)
}

fn temp_with_mode(dir: &Path, mode: u32) -> Result<tempfile::NamedTempFile> {
    let mut b = tempfile::Builder::new();
    b.prefix(".choucha-tmp-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
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
        std::fs::File::open(dir)
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
    written_temp_mode(path, bytes, 0o644)
}

fn written_temp_mode(path: &Path, bytes: &[u8], mode: u32) -> Result<tempfile::NamedTempFile> {
    let mut tmp = temp_with_mode(path.parent().unwrap_or(Path::new(".")), mode)?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| Error::io(tmp.path(), e))?;
    Ok(tmp)
}

/// Writes `bytes` to `path` all at once or not at all: a temporary file in
/// the same directory, fsynced, renamed over `path`, then the directory fsynced.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    stage(path, bytes)?.commit()
}

/// Like [`write_atomic`], with the file's mode on Unix (0600 for the
/// users' password hashes: never readable by others, not even while written).
pub fn write_atomic_mode(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    Staged {
        path: path.to_path_buf(),
        tmp: written_temp_mode(path, bytes, mode)?,
    }
    .commit()
}

/// Writes an output file the user named. A regular file (or a new one) is
/// replaced atomically, as [`write_atomic`] does; a symbolic link is
/// followed, so that its target is replaced and the link stays; anything
/// else (a device such as `/dev/null`, a FIFO, a socket) is opened and
/// written into, never renamed over: renaming over `/dev/null` would leave a
/// regular file where every other program expects the device.
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<()> {
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    match std::fs::metadata(&target) {
        Ok(m) if !m.is_file() && !m.is_dir() => {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(&target)
                .map_err(|e| Error::io(path, e))?;
            f.write_all(bytes)
                .and_then(|()| f.flush())
                .map_err(|e| Error::io(path, e))
        }
        _ => write_atomic(&target, bytes),
    }
}

/// The first half of [`write_atomic`]: `bytes` written and fsynced beside
/// `path`, not yet in its place. It can be written while the command still
/// decides whether to go on; dropped without [`Staged::commit`], it is removed.
pub struct Staged {
    path: std::path::PathBuf,
    tmp: tempfile::NamedTempFile,
}

pub fn stage(path: &Path, bytes: &[u8]) -> Result<Staged> {
    Ok(Staged {
        path: path.to_path_buf(),
        tmp: written_temp(path, bytes)?,
    })
}

impl Staged {
    /// Renames the file into place and fsyncs the directory.
    pub fn commit(self) -> Result<()> {
        let path = self.path;
        self.tmp
            .persist(&path)
            .map_err(|e| Error::io(&path, e.error))?;
        sync_dir(path.parent().unwrap_or(Path::new(".")))
    }
}

/// Like [`write_atomic`] but refuses to replace an existing file.
pub fn write_new_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_new_atomic_mode(path, bytes, 0o644)
}

/// Like [`write_new_atomic`], with the file's mode on Unix (0600 for a
/// private key: it is never readable by others, not even while written).
pub fn write_new_atomic_mode(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    written_temp_mode(path, bytes, mode)?
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

/// A file's bytes as read. A large file goes into memory the kernel is
/// asked to back with 2 MB pages (on Linux): a roster or log of 50–150 MB
/// is then faulted in with a few dozen page faults instead of tens of
/// thousands (reading and checking a 53 MB roster took 12 ms where it took
/// 44), and the sample list's reads at random places of a file cross
/// fewer pages.
pub struct Bytes(Store);

enum Store {
    Heap(Vec<u8>),
    #[cfg(target_os = "linux")]
    Huge(memmap2::MmapMut),
}

/// Files at least this large are read into 2 MB pages, in two halves.
const LARGE: usize = 8 << 20;

impl Bytes {
    /// `len` zero bytes; for a large `len`, in memory advised to use huge
    /// pages (if the kernel refuses the advice, ordinary pages serve).
    fn zeroed(len: usize) -> Bytes {
        #[cfg(target_os = "linux")]
        if len >= LARGE
            && let Ok(map) = memmap2::MmapMut::map_anon(len)
        {
            let _ = map.advise(memmap2::Advice::HugePage);
            return Bytes(Store::Huge(map));
        }
        Bytes(Store::Heap(vec![0u8; len]))
    }

    pub fn into_vec(self) -> Vec<u8> {
        match self.0 {
            Store::Heap(v) => v,
            #[cfg(target_os = "linux")]
            Store::Huge(m) => m.to_vec(),
        }
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Bytes {
        Bytes(Store::Heap(v))
    }
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match &self.0 {
            Store::Heap(v) => v,
            #[cfg(target_os = "linux")]
            Store::Huge(m) => m,
        }
    }
}

impl std::ops::DerefMut for Bytes {
    fn deref_mut(&mut self) -> &mut [u8] {
        match &mut self.0 {
            Store::Heap(v) => v,
            #[cfg(target_os = "linux")]
            Store::Huge(m) => m,
        }
    }
}

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bytes({} bytes)", self.len())
    }
}

impl PartialEq for Bytes {
    fn eq(&self, other: &Bytes) -> bool {
        **self == **other
    }
}

impl Eq for Bytes {}

impl Default for Bytes {
    fn default() -> Bytes {
        Bytes::from(Vec::new())
    }
}

impl Clone for Bytes {
    fn clone(&self) -> Bytes {
        Bytes::from(self.to_vec())
    }
}

/// Reads a large file whole (see [`Bytes`]), naming it in the error.
pub fn read_large(path: &Path) -> Result<Bytes> {
    std::fs::File::open(path)
        .and_then(|mut f| read_open(&mut f))
        .map_err(|e| Error::io(path, e))
}

/// Reads an open file whole. A large one is read in two halves on both
/// cores: copying a log of a hundred megabytes out of the page cache, and
/// faulting in the memory it goes to, took a tenth of a second on one.
pub fn read_open(file: &mut std::fs::File) -> std::io::Result<Bytes> {
    use std::io::Read;
    let len = file.metadata().map_or(0, |m| m.len() as usize);
    #[cfg(any(unix, windows))]
    if len >= LARGE {
        // Zeroed memory comes untouched from the OS, so each half's pages
        // are first touched by the thread that reads into them.
        let mut bytes = Bytes::zeroed(len);
        let (a, b) = bytes.split_at_mut(len / 2);
        let f: &std::fs::File = file;
        let (first, second) = crate::base::par::join(
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
        if rest.is_empty() {
            return Ok(bytes);
        }
        let mut whole = bytes.into_vec();
        whole.extend_from_slice(&rest);
        return Ok(whole.into());
    }
    let mut bytes = Vec::with_capacity(len + 1);
    file.read_to_end(&mut bytes)?;
    Ok(bytes.into())
}

/// A source read at offsets, from more than one thread at once: a file, or
/// bytes in memory.
pub trait ReadAt: Sync {
    /// Reads at `offset` into `buf`; returns how many bytes (0 at the end).
    fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<usize>;
}

#[cfg(any(unix, windows))]
impl ReadAt for std::fs::File {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
        #[cfg(unix)]
        return std::os::unix::fs::FileExt::read_at(self, buf, offset);
        #[cfg(windows)]
        return std::os::windows::fs::FileExt::seek_read(self, buf, offset);
    }
}

impl ReadAt for [u8] {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
        let from = usize::try_from(offset).map_or(self.len(), |o| o.min(self.len()));
        let n = buf.len().min(self.len() - from);
        buf[..n].copy_from_slice(&self[from..from + n]);
        Ok(n)
    }
}

/// Reads at `offset` until `buf` is full or the source ends; returns how
/// many bytes were read.
pub fn fill_at(
    src: &(impl ReadAt + ?Sized),
    buf: &mut [u8],
    offset: u64,
) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match src.read_at(&mut buf[n..], offset + n as u64) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
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
/// Made by [`AtomicFile::hashing`], it also hashes what it writes (a megabyte
/// at a time: many small writes cost only a copy each).
pub struct AtomicFile {
    path: std::path::PathBuf,
    tmp: tempfile::NamedTempFile,
    buf: Vec<u8>,
    hash: Option<sha2::Sha256>,
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
            hash: None,
        })
    }

    /// Like [`AtomicFile::create`], for a file whose SHA-256 [`AtomicFile::commit`] returns.
    pub fn hashing(path: &Path) -> Result<AtomicFile> {
        let mut f = AtomicFile::create(path)?;
        f.hash = Some(<sha2::Sha256 as sha2::Digest>::new());
        Ok(f)
    }

    fn drain(&mut self) -> std::io::Result<()> {
        if let Some(hash) = &mut self.hash {
            sha2::Digest::update(hash, &self.buf);
        }
        self.tmp.as_file_mut().write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }

    /// Flushes, fsyncs, renames into place, fsyncs the directory; returns
    /// the SHA-256 (hex) of the file when it was made by [`AtomicFile::hashing`].
    pub fn commit(mut self) -> Result<Option<String>> {
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
        Ok(self
            .hash
            .map(|h| crate::base::digest::hex(&sha2::Digest::finalize(h))))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // A piece as large as the buffer goes straight to the file (after
        // what is buffered): copying it into the buffer first would only
        // double the work for a caller that formats in blocks, as sample.csv's writer does.
        if buf.len() >= CHUNK {
            self.drain()?;
            if let Some(hash) = &mut self.hash {
                sha2::Digest::update(hash, buf);
            }
            self.tmp.as_file_mut().write_all(buf)?;
            return Ok(buf.len());
        }
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
        assert!(*read_open(&mut f).unwrap() == *bytes);
        let small = dir.path().join("small");
        std::fs::write(&small, b"abc").unwrap();
        assert_eq!(
            &*read_open(&mut std::fs::File::open(&small).unwrap()).unwrap(),
            b"abc"
        );
    }

    #[test]
    fn an_atomic_file_holds_and_hashes_small_and_large_pieces_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out");
        let piece = |n: usize, k: u8| -> Vec<u8> { (0..n).map(|i| (i as u8) ^ k).collect() };
        // Small pieces around buffer-sized and larger ones that go straight through.
        let pieces = [
            piece(10, 1),
            piece(CHUNK + 3, 2),
            piece(CHUNK - 1, 3),
            piece(5, 4),
            piece(3 * CHUNK, 5),
            piece(7, 6),
        ];
        let mut f = AtomicFile::hashing(&path).unwrap();
        for p in &pieces {
            f.write_all(p).unwrap();
        }
        let digest = f.commit().unwrap().unwrap();
        let want = pieces.concat();
        assert!(std::fs::read(&path).unwrap() == want);
        assert_eq!(digest, crate::base::digest::sha256_hex(&want));
    }
}
