//! Request signing and credentials.
//!
//! Binance authorizes `SIGNED` requests with a `signature` parameter computed over a canonical payload:
//! every parameter except `signature`, sorted by name, rendered as `name=value` and joined with `&`,
//! as raw UTF-8 without percent-encoding. Three key types exist:
//!
//! | key type | signature |
//! |---|---|
//! | HMAC secret | HMAC-SHA256, lowercase hex |
//! | RSA private key | RSASSA-PKCS1-v1_5 with SHA-256, base64 |
//! | Ed25519 private key | Ed25519, base64 |
//!
//! Only Ed25519 keys can authenticate a whole session (`session.logon`).

mod credentials;
mod keys;
mod payload;

pub use credentials::{Credentials, KeyType};
pub(crate) use payload::recv_window_number;
pub use payload::{sign_params, signature_payload};

#[cfg(test)]
mod tests;
