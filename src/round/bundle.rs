//! A round's publication as one verifiable package: the files of its
//! record, the published table, the reference redraw script, a README in
//! Chinese and English saying how to check each file with sha256sum,
//! ssh-keygen and python3, and SHA256SUMS over all of it.
//!
//! A bundle directory is itself a round as `choucha verify` reads it.

use std::path::{Path, PathBuf};

use crate::base::digest::sha256_hex;
use crate::base::fsio;
use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::log::chain::LOG_FILE;
use crate::proof::keys;
use crate::proof::tlog::CHECKPOINT_DIR;
use crate::roster::ROSTER_FILE;
use crate::sampling::manifest::MANIFEST_FILE;
use crate::sampling::plan::QUOTAS_FILE;
use crate::t;

/// The checksum file, in `sha256sum -c` form.
pub const SUMS_FILE: &str = "SHA256SUMS";
/// The namespace of SHA256SUMS.sig (`ssh-keygen -Y verify -n`).
pub const BUNDLE_NAMESPACE: &str = "choucha-bundle";
/// The independent redraw, shipped so that the draw can be redone without choucha.
const REFERENCE_SCRIPT: &str = include_str!("../../tools/reference/choucha_v1.py");

/// What to bundle.
pub struct BundleRequest<'a> {
    /// A new directory, or a file ending in `.zip`.
    pub output: &'a Path,
    /// Without the roster (where the list itself is not public): the log
    /// still commits to its digest, but the draw cannot be redone.
    pub with_roster: bool,
    /// Signs SHA256SUMS (SSHSIG, namespace `choucha-bundle`).
    pub signer: Option<&'a ssh_key::PrivateKey>,
    pub lang: Lang,
}

/// What went into the bundle: each file with its SHA-256, as SHA256SUMS lists them.
pub struct Bundled {
    pub files: Vec<(String, String)>,
    pub output: PathBuf,
    pub published: bool,
    pub signed: bool,
}

impl super::Round {
    /// Gathers the bundle under the round's lock (nothing is appended while
    /// it is copied) and writes it whole or not at all: a directory is built
    /// beside its final name and renamed into place; a zip is written atomically.
    pub fn bundle(&mut self, req: &BundleRequest<'_>) -> Result<Bundled> {
        let dir = self.dir.clone();
        let st = self.state().clone();
        if st.drawn.is_none() {
            return Err(Error::refused(t!("bundle.not-drawn")));
        }
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        let mut take = |name: &str, required: bool| -> Result<()> {
            let path = dir.join(name);
            crate::log::file::refuse_symlink(&path)?;
            match std::fs::read(&path) {
                Ok(bytes) => {
                    files.push((name.to_string(), bytes));
                    Ok(())
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => Ok(()),
                Err(e) => Err(Error::io(&path, e)),
            }
        };
        take(LOG_FILE, true)?;
        if req.with_roster {
            take(ROSTER_FILE, true)?;
        }
        take(MANIFEST_FILE, true)?;
        take(&format!("{MANIFEST_FILE}.sig"), false)?;
        if st.opened.quotas_sha256.is_some() {
            take(QUOTAS_FILE, true)?;
        }
        for name in crate::audit::verify::side_file_names(self.lines()?) {
            take(&name, false)?;
        }
        for (_, path) in super::checkpoint::checkpoint_files(&dir)? {
            let name = format!(
                "{CHECKPOINT_DIR}/{}",
                path.file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default()
            );
            take(&name, true)?;
        }
        // The published table: report.json is the bytes whose SHA-256 the
        // log's report-published record holds; the others are for reading.
        let published = st.published.is_some();
        if published {
            let table = self.report()?;
            let json = table.canonical();
            let recorded = table.published_record().table_sha256;
            if sha256_hex(&json) != recorded {
                return Err(Error::Discrepancy(t!("bundle.table-differs", recorded)));
            }
            files.push(("report.json".into(), json));
            files.push(("report.csv".into(), table.to_csv(req.lang)));
            files.push(("report.md".into(), table.to_markdown(req.lang).into_bytes()));
        }
        files.push(("choucha_v1.py".into(), REFERENCE_SCRIPT.as_bytes().to_vec()));
        files.push((
            "README.txt".into(),
            readme(&st, req.with_roster, published, req.signer.is_some()).into_bytes(),
        ));

        let sums: Vec<(String, String)> = files
            .iter()
            .map(|(name, bytes)| (name.clone(), sha256_hex(bytes)))
            .collect();
        let mut sums_text = String::new();
        for (name, digest) in &sums {
            sums_text.push_str(&format!("{digest}  {name}\n"));
        }
        files.push((SUMS_FILE.into(), sums_text.clone().into_bytes()));
        if let Some(key) = req.signer {
            let armored = keys::sign(key, BUNDLE_NAMESPACE, sums_text.as_bytes())?;
            files.push((format!("{SUMS_FILE}.sig"), armored.into_bytes()));
        }
        write_bundle(req.output, &files)?;
        Ok(Bundled {
            files: sums,
            output: req.output.to_path_buf(),
            published,
            signed: req.signer.is_some(),
        })
    }
}

fn is_zip(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

/// Writes the files into a new directory (built as a sibling, then renamed)
/// or a zip archive (written atomically). An existing output is refused.
fn write_bundle(output: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    if std::fs::symlink_metadata(output).is_ok() {
        return Err(Error::refused(t!("bundle.exists", path = output.display())));
    }
    if is_zip(output) {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default());
        let top = output
            .file_stem()
            .map_or("bundle".into(), |s| s.to_string_lossy().into_owned());
        for (name, bytes) in files {
            let zip_err =
                |e: zip::result::ZipError| Error::io(output, std::io::Error::other(e.to_string()));
            zip.start_file(format!("{top}/{name}"), options)
                .map_err(zip_err)?;
            std::io::Write::write_all(&mut zip, bytes).map_err(|e| Error::io(output, e))?;
        }
        let bytes = zip
            .finish()
            .map_err(|e| Error::io(output, std::io::Error::other(e.to_string())))?
            .into_inner();
        return fsio::write_new_atomic(output, &bytes);
    }
    let parent = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let building = tempfile::Builder::new()
        .prefix(".choucha-bundle-")
        .tempdir_in(parent)
        .map_err(|e| Error::io(parent, e))?;
    for (name, bytes) in files {
        let path = building.path().join(name);
        if let Some(d) = path.parent() {
            std::fs::create_dir_all(d).map_err(|e| Error::io(d, e))?;
        }
        fsio::write_new_atomic(&path, bytes)?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(building.path(), std::fs::Permissions::from_mode(0o755));
    }
    let built = building.keep();
    if let Err(e) = std::fs::rename(&built, output) {
        let _ = std::fs::remove_dir_all(&built);
        return Err(Error::io(output, e));
    }
    fsio::sync_dir(parent)
}

/// The README of a bundle: what each file is and how to check it without
/// choucha, in Chinese and in English.
fn readme(
    st: &crate::log::state::RoundState,
    with_roster: bool,
    published: bool,
    signed: bool,
) -> String {
    let roster_digest = st
        .roster
        .as_ref()
        .map_or(String::new(), |r| r.roster_sha256.clone());
    let mut zh = vec![
        format!("{}（{}）核验材料包", st.opened.round, st.opened.population),
        String::new(),
        "1. 核对每个文件未被改动：sha256sum -c SHA256SUMS".into(),
    ];
    let mut en = vec![
        format!(
            "Verification bundle of {} ({})",
            st.opened.round, st.opened.population
        ),
        String::new(),
        "1. Every file is as bundled: sha256sum -c SHA256SUMS".into(),
    ];
    if signed {
        zh.push("   SHA256SUMS 的签名：ssh-keygen -Y verify -f allowed_signers -I 办公室 -n choucha-bundle -s SHA256SUMS.sig < SHA256SUMS".into());
        en.push("   Its signature: ssh-keygen -Y verify -f allowed_signers -I office -n choucha-bundle -s SHA256SUMS.sig < SHA256SUMS".into());
    }
    if with_roster {
        zh.push(format!(
            "2. 名册承诺：sha256sum roster.tsv 应得 {roster_digest}，与日志 roster-committed 记录及抽签前公布的摘要一致"
        ));
        en.push(format!(
            "2. The roster commitment: sha256sum roster.tsv gives {roster_digest}, as the log's roster-committed record and the digest published before the seed"
        ));
        zh.push("3. 不依赖 choucha 重做抽样：python3 choucha_v1.py --round .（逐字节重现 manifest.json）".into());
        en.push("3. Redo the draw without choucha: python3 choucha_v1.py --round . (gives manifest.json byte for byte)".into());
    } else {
        zh.push(format!(
            "2. 本材料包不含名册（名单未公开）；日志承诺的名册摘要为 {roster_digest}，持有名册者可用 sha256sum roster.tsv 核对"
        ));
        en.push(format!(
            "2. The roster is not in this bundle (the list is not public); the log commits to its digest {roster_digest}, which anyone holding it can check with sha256sum roster.tsv"
        ));
    }
    zh.push(
        "   allowed_signers 文件为一行：办公室 加上 office-key.pub 的内容（随通报公布的公钥）"
            .into(),
    );
    en.push("   allowed_signers is one line: office followed by the contents of office-key.pub (the key published with the notice)".into());
    zh.push("4. 抽样清单的签名：ssh-keygen -Y verify -f allowed_signers -I 办公室 -n choucha-manifest -s manifest.json.sig < manifest.json".into());
    en.push("4. The sample's signature: ssh-keygen -Y verify -f allowed_signers -I office -n choucha-manifest -s manifest.json.sig < manifest.json".into());
    if published {
        zh.push("5. 通报表格：sha256sum report.json 应等于日志 report-published 记录中的 table_sha256；report.csv 与 report.md 为同一表格的可读形式".into());
        en.push("5. The published table: sha256sum report.json equals table_sha256 in the log's report-published record; report.csv and report.md are the same table to read".into());
    }
    zh.push("6. 全面复核（哈希链、名册、抽样、结果、报表、检查点）：choucha verify .  ，或按 SPEC.md 第 5、11 节用 Python 核对日志与检查点".into());
    en.push("6. Everything at once (chain, roster, draw, results, report, checkpoints): choucha verify . , or check the log and checkpoints in Python as SPEC.md sections 5 and 11 show".into());
    let mut out = zh.join("\n");
    out.push_str("\n\n");
    out.push_str(&en.join("\n"));
    out.push('\n');
    out
}
