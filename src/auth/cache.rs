//! A short-lived memory of API tokens this instance has just checked.
//!
//! Every API request presents its token; looking it up in the database each time (a
//! blocking hop to the thread pool, a pooled connection and a join over tokens, users and
//! organizations) cost more than the request it guarded. A token checked within the last
//! `auth.token_cache_seconds` is accepted from memory instead.
//!
//! What stays exact: a token's expiry is checked on every request; revoking a token,
//! deactivating or changing an account, or moving an organization through this instance
//! takes effect here at once (the entries concerned are dropped). What a cache cannot
//! know is a change made through another instance or the CLI: there it takes effect
//! within `token_cache_seconds`. Web sessions are never cached, so logout and
//! deactivation end them at once everywhere.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;

use super::CurrentUser;

/// Entries kept at most; when full, expired entries go, and if that frees nothing the
/// whole memory is dropped (it refills from the database).
const MAX_ENTRIES: usize = 10_000;

pub struct TokenCache {
    ttl: Duration,
    entries: RwLock<HashMap<String, Entry>>,
}

struct Entry {
    user: CurrentUser,
    /// The token's own expiry, checked on every use.
    expires_at: Option<NaiveDateTime>,
    checked_at: Instant,
}

impl TokenCache {
    /// A cache keeping checks for `ttl`; a zero `ttl` keeps nothing.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: RwLock::new(HashMap::new()),
        }
    }

    pub fn is_enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    /// The user of the token with this hash, if it was checked recently and has not
    /// expired since.
    pub fn get(&self, token_hash: &str, now: NaiveDateTime) -> Option<CurrentUser> {
        if !self.is_enabled() {
            return None;
        }
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(token_hash)?;
        let fresh =
            entry.checked_at.elapsed() < self.ttl && entry.expires_at.is_none_or(|at| at > now);
        fresh.then(|| entry.user.clone())
    }

    /// Remembers a token the database has just accepted.
    pub fn put(&self, token_hash: String, user: CurrentUser, expires_at: Option<NaiveDateTime>) {
        if !self.is_enabled() {
            return;
        }
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&token_hash) {
            let ttl = self.ttl;
            entries.retain(|_, e| e.checked_at.elapsed() < ttl);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(
            token_hash,
            Entry {
                user,
                expires_at,
                checked_at: Instant::now(),
            },
        );
    }

    /// Forgets every token of this account (revoked token, deactivation, new role or scope).
    pub fn forget_user(&self, user_id: &str) {
        self.entries
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, e| e.user.id != user_id);
    }

    /// Forgets everything (an organization moved, so scopes may have new paths).
    pub fn clear(&self) {
        self.entries
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Role, Via};

    fn user(id: &str) -> CurrentUser {
        CurrentUser {
            id: id.into(),
            email: format!("{id}@example.kz"),
            display_name: id.into(),
            role: Role::Observer,
            scope: None,
            via: Via::Token {
                id: format!("t-{id}"),
            },
        }
    }

    fn at(hour: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2025, 9, 1)
            .and_then(|d| d.and_hms_opt(hour, 0, 0))
            .expect("a valid time")
    }

    #[test]
    fn a_remembered_token_is_returned_until_it_expires() {
        let cache = TokenCache::new(Duration::from_secs(60));
        cache.put("h1".into(), user("u1"), Some(at(12)));
        assert_eq!(cache.get("h1", at(11)).map(|u| u.id), Some("u1".into()));
        assert!(cache.get("h1", at(12)).is_none(), "expired at 12:00");
        assert!(cache.get("h2", at(11)).is_none(), "never checked");
    }

    #[test]
    fn entries_last_only_the_configured_time() {
        let cache = TokenCache::new(Duration::from_millis(20));
        cache.put("h1".into(), user("u1"), None);
        assert!(cache.get("h1", at(11)).is_some());
        std::thread::sleep(Duration::from_millis(30));
        assert!(cache.get("h1", at(11)).is_none());
    }

    #[test]
    fn a_zero_time_to_live_keeps_nothing() {
        let cache = TokenCache::new(Duration::ZERO);
        cache.put("h1".into(), user("u1"), None);
        assert!(cache.get("h1", at(11)).is_none());
    }

    #[test]
    fn forgetting_a_user_drops_only_their_tokens() {
        let cache = TokenCache::new(Duration::from_secs(60));
        cache.put("h1".into(), user("u1"), None);
        cache.put("h2".into(), user("u1"), None);
        cache.put("h3".into(), user("u2"), None);
        cache.forget_user("u1");
        assert!(cache.get("h1", at(11)).is_none());
        assert!(cache.get("h2", at(11)).is_none());
        assert!(cache.get("h3", at(11)).is_some());
        cache.clear();
        assert!(cache.get("h3", at(11)).is_none());
    }

    #[test]
    fn a_full_cache_makes_room() {
        let cache = TokenCache::new(Duration::from_secs(60));
        for i in 0..MAX_ENTRIES {
            cache.put(format!("h{i}"), user("u"), None);
        }
        cache.put("new".into(), user("u"), None);
        assert!(cache.get("new", at(11)).is_some());
        let len = cache.entries.read().map(|e| e.len()).unwrap_or(0);
        assert!(len <= MAX_ENTRIES, "{len}");
    }
}
