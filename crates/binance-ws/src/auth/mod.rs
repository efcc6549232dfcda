//! Signing and credentials (lands with its helper).
/// Placeholder until auth lands.
#[derive(Clone)]
pub struct Credentials;
