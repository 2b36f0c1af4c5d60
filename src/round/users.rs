//! The people who may sign in to `choucha serve`: `users.json` in the
//! round, one entry per user with a role, an inspector's regions (strata)
//! and an argon2id hash of the password. It is private to the office: mode
//! 0600, replaced atomically, changed only under the round's lock, and
//! never copied into the log (the log names a user only as `entered_by`).

use std::path::Path;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::{Deserialize, Serialize};

use crate::base::fsio;
use crate::error::{Error, Result};
use crate::t;

pub const USERS_FILE: &str = "users.json";
const USERS_FORMAT: &str = "choucha-users/1";

/// Passwords shorter than this are refused (NIST SP 800-63B's minimum).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// And longer than this, so that hashing one costs a bounded time.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// What a user may do on the server (the rules are `serve`'s; the role is kept here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Runs the round and manages users.
    Admin,
    /// Enters the results of their own regions.
    Inspector,
    /// Reads everything, changes nothing.
    Auditor,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Inspector => "inspector",
            Role::Auditor => "auditor",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub name: String,
    pub role: Role,
    /// An inspector's strata; empty for the other roles.
    #[serde(default)]
    pub regions: Vec<String>,
    /// The PHC string of an argon2id hash.
    pub hash: String,
}

impl User {
    /// Whether the password is this user's (argon2 compares in constant time).
    pub fn password_is(&self, password: &str) -> bool {
        match PasswordHash::new(&self.hash) {
            Ok(h) => argon2::Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok(),
            Err(_) => false,
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct UsersFile {
    format: String,
    users: Vec<User>,
}

/// The users of a round, as its file holds them.
#[derive(Debug, Default, Clone)]
pub struct Users {
    pub users: Vec<User>,
}

impl Users {
    /// Reads `users.json` of the round in `dir`; no file is no users.
    pub fn load(dir: &Path) -> Result<Users> {
        let path = dir.join(USERS_FILE);
        crate::log::file::refuse_symlink(&path)?;
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Users::default()),
            Err(e) => return Err(Error::io(&path, e)),
        };
        let file: UsersFile = serde_json::from_slice(&bytes)
            .map_err(|e| Error::input(t!("users.unreadable", file = path.display(), error = e)))?;
        if file.format != USERS_FORMAT {
            return Err(Error::input(t!(
                "users.unreadable",
                file = path.display(),
                error = format!("format {:?}, expected {USERS_FORMAT:?}", file.format)
            )));
        }
        Ok(Users { users: file.users })
    }

    pub fn get(&self, name: &str) -> Option<&User> {
        self.users.iter().find(|u| u.name == name)
    }

    fn save(&self, dir: &Path) -> Result<()> {
        let file = UsersFile {
            format: USERS_FORMAT.to_string(),
            users: self.users.clone(),
        };
        let mut bytes = serde_json::to_vec_pretty(&file)
            .map_err(|e| Error::input(t!("users.unreadable", file = USERS_FILE, error = e)))?;
        bytes.push(b'\n');
        let path = dir.join(USERS_FILE);
        crate::log::file::refuse_symlink(&path)?;
        fsio::write_atomic_mode(&path, &bytes, 0o600)
    }
}

/// A user name: 1 to 64 letters, digits, `.`, `_` or `-` (Chinese names
/// included), so that it can stand in a log field and a page as it is.
fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(Error::input(t!("users.bad-name", name)))
    }
}

/// An argon2id hash (the crate's defaults: OWASP's m=19 MiB, t=2, p=1) with
/// a fresh random salt.
fn hash_password(password: &str) -> Result<String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS || password.len() > MAX_PASSWORD_BYTES {
        return Err(Error::input(t!(
            "users.password-length",
            min = MIN_PASSWORD_CHARS,
            max = MAX_PASSWORD_BYTES
        )));
    }
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt)
        .map_err(|e| Error::io("getrandom", std::io::Error::other(e.to_string())))?;
    let salt = SaltString::encode_b64(&salt)
        .map_err(|e| Error::input(t!("users.hash-failed", error = e)))?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::input(t!("users.hash-failed", error = e)))
}

/// A hash of nothing anyone knows, to compare against when a name has no
/// user: a login then takes as long whether or not the name exists.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        hash_password("decoy password, never a user's").unwrap_or_default()
    });
    &DECOY
}

impl super::Round {
    /// The users of this round.
    pub fn users(&self) -> Result<Users> {
        Users::load(self.dir())
    }

    /// Adds a user. An inspector needs at least one region, each a stratum
    /// of the committed roster (when there is one yet); the other roles take none.
    pub fn add_user(
        &mut self,
        name: &str,
        role: Role,
        regions: &[String],
        password: &str,
    ) -> Result<()> {
        check_name(name)?;
        let mut users = self.users()?;
        if users.get(name).is_some() {
            return Err(Error::refused(t!("users.exists", name)));
        }
        let regions = self.check_regions(role, regions)?;
        let hash = hash_password(password)?;
        users.users.push(User {
            name: name.to_string(),
            role,
            regions,
            hash,
        });
        users.save(self.dir())
    }

    pub fn remove_user(&mut self, name: &str) -> Result<()> {
        let mut users = self.users()?;
        let before = users.users.len();
        users.users.retain(|u| u.name != name);
        if users.users.len() == before {
            return Err(Error::refused(t!("users.no-such", name)));
        }
        users.save(self.dir())
    }

    /// Sets a new password; the user's sessions on a running server end.
    pub fn set_password(&mut self, name: &str, password: &str) -> Result<()> {
        let mut users = self.users()?;
        let hash = hash_password(password)?;
        let Some(user) = users.users.iter_mut().find(|u| u.name == name) else {
            return Err(Error::refused(t!("users.no-such", name)));
        };
        user.hash = hash;
        users.save(self.dir())
    }

    fn check_regions(&self, role: Role, regions: &[String]) -> Result<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        for r in regions {
            let r = crate::input::text::normalize_field(r).into_owned();
            if !r.is_empty() && !out.contains(&r) {
                out.push(r);
            }
        }
        match role {
            Role::Inspector if out.is_empty() => {
                return Err(Error::input(t!("users.inspector-needs-region")));
            }
            Role::Admin | Role::Auditor if !out.is_empty() => {
                return Err(Error::input(t!("users.region-only-inspector")));
            }
            _ => {}
        }
        if let Some(roster) = &self.state().roster {
            for r in &out {
                if !roster.strata.contains_key(r) {
                    let accepted: Vec<&str> = roster.strata.keys().map(String::as_str).collect();
                    return Err(Error::input(t!(
                        "users.unknown-region",
                        region = r,
                        accepted = accepted.join(", ")
                    )));
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_is_argon2id_salted_and_checks_only_its_password() {
        let a = hash_password("correct horse").unwrap();
        let b = hash_password("correct horse").unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "a fresh salt each time");
        let user = User {
            name: "u".into(),
            role: Role::Auditor,
            regions: vec![],
            hash: a,
        };
        assert!(user.password_is("correct horse"));
        assert!(!user.password_is("correct horsE"));
        assert!(hash_password("short").is_err());
        assert!(hash_password(&"x".repeat(MAX_PASSWORD_BYTES + 1)).is_err());
    }

    #[test]
    fn names_are_plain_words() {
        for ok in ["li.ming", "张三", "insp-01"] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a b", "a\"b", "a\nb", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }
}
