//! Sessions and the login limit, in memory: a server restart signs everyone
//! out, which is the safe way round. A session is a random token in an
//! HttpOnly cookie with its own random CSRF token; it ends on logout, after
//! [`IDLE`] without a request, or when the user's password or entry in
//! `users.json` changes (the hash it was opened with is kept to see that).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use subtle::ConstantTimeEq;

/// A session unused this long is over.
pub const IDLE: Duration = Duration::from_secs(30 * 60);
/// Failed logins of one user name before it is locked…
pub const MAX_FAILURES: u32 = 10;
/// …for this long (and failures older than this are forgotten).
pub const LOCKOUT: Duration = Duration::from_secs(15 * 60);
/// The most user names the limit tracks at once: a flood of made-up names
/// cannot grow it without bound (the oldest entries are forgotten first).
const MAX_TRACKED: usize = 100_000;

pub const COOKIE: &str = "choucha_session";

/// 32 random bytes in hex: a session or CSRF token.
pub fn token() -> Option<String> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Equal, compared in constant time.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[derive(Debug, Clone)]
pub struct Session {
    pub user: String,
    /// The user's hash when they signed in: another one now means the
    /// password was changed (or the user removed and added again).
    pub hash: String,
    pub csrf: String,
    pub last_seen: Instant,
}

#[derive(Default)]
pub struct Sessions {
    by_token: HashMap<String, Session>,
}

impl Sessions {
    /// Opens a session; returns its token.
    pub fn open(&mut self, user: &str, hash: &str, now: Instant) -> Option<(String, String)> {
        self.by_token
            .retain(|_, s| now.duration_since(s.last_seen) < IDLE);
        let token = token()?;
        let csrf = token_distinct(&token)?;
        self.by_token.insert(
            token.clone(),
            Session {
                user: user.to_string(),
                hash: hash.to_string(),
                csrf: csrf.clone(),
                last_seen: now,
            },
        );
        Some((token, csrf))
    }

    /// The live session of a token, its idle time restarted; an expired one is closed.
    pub fn touch(&mut self, token: &str, now: Instant) -> Option<Session> {
        let s = self.by_token.get_mut(token)?;
        if now.duration_since(s.last_seen) >= IDLE {
            self.by_token.remove(token);
            return None;
        }
        s.last_seen = now;
        Some(s.clone())
    }

    pub fn close(&mut self, token: &str) {
        self.by_token.remove(token);
    }
}

fn token_distinct(other: &str) -> Option<String> {
    let t = token()?;
    (t != other).then_some(t)
}

struct Failures {
    count: u32,
    first: Instant,
    locked_until: Option<Instant>,
}

/// The login limit: [`MAX_FAILURES`] failures of a name within [`LOCKOUT`]
/// lock it for [`LOCKOUT`], the right password included.
#[derive(Default)]
pub struct Limiter {
    by_name: HashMap<String, Failures>,
}

impl Limiter {
    /// How long the name stays locked, if it is.
    pub fn locked(&mut self, name: &str, now: Instant) -> Option<Duration> {
        let f = self.by_name.get(name)?;
        match f.locked_until {
            Some(until) if until > now => Some(until - now),
            Some(_) => {
                self.by_name.remove(name);
                None
            }
            None => None,
        }
    }

    pub fn failed(&mut self, name: &str, now: Instant) {
        if self.by_name.len() >= MAX_TRACKED && !self.by_name.contains_key(name) {
            self.by_name.retain(|_, f| match f.locked_until {
                Some(until) => until > now,
                None => now.duration_since(f.first) < LOCKOUT,
            });
            if self.by_name.len() >= MAX_TRACKED {
                // Still full of live entries: forget the oldest unlocked one.
                let oldest = self
                    .by_name
                    .iter()
                    .filter(|(_, f)| f.locked_until.is_none())
                    .min_by_key(|(_, f)| f.first)
                    .map(|(k, _)| k.clone());
                if let Some(k) = oldest {
                    self.by_name.remove(&k);
                }
            }
        }
        let f = self.by_name.entry(name.to_string()).or_insert(Failures {
            count: 0,
            first: now,
            locked_until: None,
        });
        if now.duration_since(f.first) >= LOCKOUT {
            f.count = 0;
            f.first = now;
        }
        f.count += 1;
        if f.count >= MAX_FAILURES {
            f.locked_until = Some(now + LOCKOUT);
        }
    }

    pub fn succeeded(&mut self, name: &str) {
        self.by_name.remove(name);
    }
}

/// The value of cookie `name` in a `Cookie` header.
pub fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_failures_lock_a_name_for_fifteen_minutes_and_only_that_name() {
        let t0 = Instant::now();
        let mut l = Limiter::default();
        for _ in 0..MAX_FAILURES - 1 {
            l.failed("a", t0);
        }
        assert_eq!(l.locked("a", t0), None);
        l.failed("a", t0);
        assert_eq!(l.locked("a", t0), Some(LOCKOUT));
        assert_eq!(l.locked("b", t0), None);
        assert!(
            l.locked("a", t0 + LOCKOUT - Duration::from_secs(1))
                .is_some()
        );
        assert_eq!(l.locked("a", t0 + LOCKOUT), None);
        // Failures spread over more than the window do not add up.
        let mut l = Limiter::default();
        for i in 0..MAX_FAILURES {
            l.failed("c", t0 + (LOCKOUT / 5) * i);
        }
        assert_eq!(l.locked("c", t0 + LOCKOUT * 2), None);
    }

    #[test]
    fn a_session_ends_when_idle_and_on_close() {
        let t0 = Instant::now();
        let mut s = Sessions::default();
        let (tok, csrf) = s.open("u", "h", t0).unwrap();
        assert_ne!(tok, csrf);
        assert_eq!(tok.len(), 64);
        let later = t0 + IDLE - Duration::from_secs(1);
        assert_eq!(s.touch(&tok, later).unwrap().csrf, csrf);
        assert!(s.touch(&tok, later + IDLE).is_none());
        let (tok, _) = s.open("u", "h", t0).unwrap();
        s.close(&tok);
        assert!(s.touch(&tok, t0).is_none());
        assert!(s.touch("", t0).is_none());
    }

    #[test]
    fn cookies_and_tokens() {
        assert_eq!(cookie("a=1; choucha_session=xyz; b=2", COOKIE), Some("xyz"));
        assert_eq!(cookie("xchoucha_session=1", COOKIE), None);
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
    }
}
