//! `choucha witness cosign`: a witness checks a log's new checkpoint against
//! the last one it cosigned, and adds its C2SP cosignature.

use crate::base::fsio;
use crate::cli::WitnessCosignArgs;
use crate::error::{Error, Result};
use crate::proof::keys;
use crate::proof::tlog::ConsistencyProof;
use crate::proof::witness::Step;
use crate::round::{CosignRequest, cosign as cosign_checkpoint, read_note};
use crate::t;

pub fn cosign(args: &WitnessCosignArgs) -> Result<()> {
    if let Some(record) = args
        .output
        .as_deref()
        .and_then(crate::round::record_file_of_any_round)
    {
        return Err(Error::input(t!(
            "cmd.witness.output-is-record",
            file = record.display()
        )));
    }
    let note = read_note(&args.checkpoint)?;
    let (_, log_key) = super::checkpoint::verifying_key(&args.log_pubkey)?;
    let key = keys::load_private(&args.key)?;
    let signing = keys::ed25519_signing(&key)?;
    // The witness's name: as given, else the key's comment (keygen sets it
    // to the file's name).
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| key.comment().to_string());
    crate::proof::note::check_name(&name)
        .map_err(|e| Error::input(t!("cmd.witness.bad-name", name, error = e)))?;
    let proof = match &args.proof {
        None => None,
        Some(p) => Some(
            serde_json::from_slice::<ConsistencyProof>(&fsio::read(p)?).map_err(|e| {
                Error::input(t!(
                    "cmd.checkpoint.not-consistency-proof",
                    path = p.display(),
                    error = e
                ))
            })?,
        ),
    };
    let time = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let file = args.checkpoint.display().to_string();
    let done = cosign_checkpoint(&CosignRequest {
        note: &note,
        note_file: &file,
        log_key: &log_key,
        witness_key: &signing,
        witness_name: &name,
        state: &args.state,
        proof: proof.as_ref(),
        time,
    })?;
    match &args.output {
        Some(path) => fsio::write_output(path, done.note.as_bytes())?,
        None => out!("{}", done.note),
    }
    let cp = &done.checkpoint;
    let what = match done.step {
        Step::First => t!("cmd.witness.first", origin = cp.origin, size = cp.size),
        Step::Same => t!("cmd.witness.same", origin = cp.origin, size = cp.size),
        Step::Extends { from } => t!(
            "cmd.witness.extends",
            origin = cp.origin,
            from,
            size = cp.size
        ),
    };
    errln!("{}", t!("cmd.witness.cosigned", name, what));
    Ok(())
}
