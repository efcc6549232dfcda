//! listenKeys of one futures product: one per account, valid for a configurable time (Binance: 60 minutes)
//! from `userDataStream.start` or the last `userDataStream.ping`; `userDataStream.stop` closes it.

use std::collections::HashMap;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::exchange::{AccountId, Reject};

/// What a key is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStatus {
    /// Valid, for this account.
    Active(AccountId),
    /// Its time ran out at this epoch ms.
    Expired(u64),
    /// Closed with `userDataStream.stop` (or replaced after expiring).
    Closed,
    /// Never issued.
    Unknown,
}

#[derive(Debug, Clone)]
struct Key {
    account: AccountId,
    expires_at: u64,
    closed: bool,
}

/// The keys of one product.
pub struct ListenKeys {
    ttl_ms: u64,
    keys: HashMap<String, Key>,
    by_account: HashMap<AccountId, String>,
    /// `userDataStream.ping`s that extended a key, per account (tests observe the client's keepalives here).
    keepalives: HashMap<AccountId, u64>,
    rng: StdRng,
}

/// -1125.
pub fn no_such_key() -> Reject {
    Reject::new(-1125, "This listenKey does not exist.")
}

impl ListenKeys {
    /// Keys living `ttl_ms` without keepalive; key strings come from `seed`.
    pub fn new(ttl_ms: u64, seed: u64) -> ListenKeys {
        ListenKeys {
            ttl_ms,
            keys: HashMap::new(),
            by_account: HashMap::new(),
            keepalives: HashMap::new(),
            rng: StdRng::seed_from_u64(seed),
        }
    }

    fn active_key(&self, account: AccountId, now_ms: u64) -> Option<&String> {
        self.by_account.get(&account).filter(|k| self.keys.get(*k).is_some_and(|x| !x.closed && x.expires_at > now_ms))
    }

    /// userDataStream.start: the account's active key with its validity extended, or a new key.
    pub fn start(&mut self, account: AccountId, now_ms: u64) -> String {
        if let Some(k) = self.active_key(account, now_ms).cloned() {
            if let Some(x) = self.keys.get_mut(&k) {
                x.expires_at = now_ms + self.ttl_ms;
            }
            return k;
        }
        const ALPHA: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let key: String = (0..64).map(|_| ALPHA[self.rng.random_range(0..ALPHA.len())] as char).collect();
        if let Some(old) = self.by_account.insert(account, key.clone()) {
            if let Some(x) = self.keys.get_mut(&old) {
                x.closed = true;
            }
        }
        self.keys.insert(key.clone(), Key { account, expires_at: now_ms + self.ttl_ms, closed: false });
        key
    }

    /// userDataStream.ping: extends the account's active key; -1125 when it has none.
    pub fn ping(&mut self, account: AccountId, now_ms: u64) -> Result<String, Reject> {
        let k = self.active_key(account, now_ms).cloned().ok_or_else(no_such_key)?;
        if let Some(x) = self.keys.get_mut(&k) {
            x.expires_at = now_ms + self.ttl_ms;
        }
        *self.keepalives.entry(account).or_default() += 1;
        Ok(k)
    }

    /// How many `userDataStream.ping`s extended the account's keys so far.
    pub fn keepalives(&self, account: AccountId) -> u64 {
        self.keepalives.get(&account).copied().unwrap_or(0)
    }

    /// The account's active key at `now_ms` and when it expires.
    pub fn active(&self, account: AccountId, now_ms: u64) -> Option<(String, u64)> {
        let k = self.active_key(account, now_ms)?;
        Some((k.clone(), self.keys[k].expires_at))
    }

    /// userDataStream.stop: closes the account's active key; -1125 when it has none.
    pub fn stop(&mut self, account: AccountId, now_ms: u64) -> Result<(), Reject> {
        let k = self.active_key(account, now_ms).cloned().ok_or_else(no_such_key)?;
        if let Some(x) = self.keys.get_mut(&k) {
            x.closed = true;
        }
        self.by_account.remove(&account);
        Ok(())
    }

    /// What `key` is at `now_ms`.
    pub fn status(&self, key: &str, now_ms: u64) -> KeyStatus {
        match self.keys.get(key) {
            None => KeyStatus::Unknown,
            Some(k) if k.closed => KeyStatus::Closed,
            Some(k) if k.expires_at <= now_ms => KeyStatus::Expired(k.expires_at),
            Some(k) => KeyStatus::Active(k.account),
        }
    }

    /// When `key` expires (None when it is not active).
    pub fn expires_at(&self, key: &str) -> Option<u64> {
        self.keys.get(key).filter(|k| !k.closed).map(|k| k.expires_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_lives_while_pinged_and_a_new_one_follows_expiry() {
        let mut k = ListenKeys::new(1000, 7);
        let a = AccountId(1);
        let key = k.start(a, 0);
        assert_eq!(key.len(), 64);
        assert_eq!(k.start(a, 500), key, "an active key is returned again");
        assert_eq!(k.ping(a, 1400).unwrap(), key);
        assert_eq!((k.keepalives(a), k.active(a, 1400)), (1, Some((key.clone(), 2400))));
        assert_eq!(k.status(&key, 2399), KeyStatus::Active(a));
        assert_eq!(k.status(&key, 2400), KeyStatus::Expired(2400));
        assert_eq!(k.ping(a, 2400).unwrap_err().code, -1125);
        assert_eq!((k.keepalives(a), k.active(a, 2400)), (1, None), "a failed ping extends nothing");
        let fresh = k.start(a, 2500);
        assert_ne!(fresh, key);
        assert_eq!(k.status(&key, 2500), KeyStatus::Closed);
        k.stop(a, 2600).unwrap();
        assert_eq!(k.status(&fresh, 2600), KeyStatus::Closed);
        assert_eq!(k.stop(a, 2600).unwrap_err().code, -1125);
        assert_eq!(k.status("nope", 0), KeyStatus::Unknown);
    }
}
