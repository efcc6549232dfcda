//! [`Credentials`]: an API key with the secret or private key that signs for it.

use std::{fmt, path::Path};

use super::keys::{signer_from_pem, Signer};
use crate::{Error, Result};

/// The three kinds of API keys Binance issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// A shared secret; requests are signed with HMAC-SHA256 (hex signature).
    Hmac,
    /// An RSA key pair; requests are signed with RSASSA-PKCS1-v1_5 SHA-256 (base64 signature).
    Rsa,
    /// An Ed25519 key pair (base64 signature). The only type that can log a session on (`session.logon`).
    Ed25519,
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyType::Hmac => "HMAC",
            KeyType::Rsa => "RSA",
            KeyType::Ed25519 => "Ed25519",
        })
    }
}

/// An API key and the secret or private key that signs requests for it.
///
/// Keys are validated when the credentials are built, so [`Credentials::sign`] cannot fail.
/// `Debug` shows only the first 4 characters of the API key and never the secret or private key.
///
/// ```
/// use binance_ws::{auth::KeyType, Credentials};
///
/// // Binance's published example HMAC key (not a real account).
/// let creds = Credentials::hmac(
///     "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
///     "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
/// );
/// assert_eq!(creds.key_type(), KeyType::Hmac);
/// assert!(!creds.can_logon());
/// assert_eq!(
///     creds.sign(b"timestamp=1578963600000"),
///     "d84e6641b1e328e7b418fff030caed655c266299c9355e36ce801ed14631eed4"
/// );
/// // Debug output never contains the secret.
/// assert_eq!(format!("{creds:?}"), "Credentials { api_key: \"vmPU…\", key_type: Hmac }");
///
/// // Ed25519 and RSA keys come from PEM text or files.
/// let pem = "-----BEGIN PRIVATE KEY-----\n\
///            MC4CAQAwBQYDK2VwBCIEIIJEYWtGBrhACmb9Dvy+qa8WEf0lQOl1s4CLIAB9m89u\n\
///            -----END PRIVATE KEY-----\n";
/// let ed = Credentials::from_pem("my-api-key", pem)?;
/// assert_eq!(ed.key_type(), KeyType::Ed25519);
/// assert!(ed.can_logon());
/// # Ok::<(), binance_ws::Error>(())
/// ```
#[derive(Clone)]
pub struct Credentials {
    api_key: String,
    key_type: KeyType,
    signer: Signer,
}

/// Environment variable holding the API key.
const ENV_API_KEY: &str = "BINANCE_API_KEY";
/// Environment variable holding an HMAC secret key.
const ENV_SECRET_KEY: &str = "BINANCE_SECRET_KEY";
/// Environment variable holding the path of a PEM private key (Ed25519 or RSA).
const ENV_PRIVATE_KEY_PATH: &str = "BINANCE_PRIVATE_KEY_PATH";

impl Credentials {
    /// Credentials for an HMAC API key: the API key and its secret key.
    pub fn hmac(api_key: impl Into<String>, secret: impl Into<String>) -> Credentials {
        let secret = secret.into();
        Credentials { api_key: api_key.into(), key_type: KeyType::Hmac, signer: Signer::hmac(&secret) }
    }

    /// Credentials from an API key and the PEM text of its private key.
    ///
    /// The key type is detected from the PEM: PKCS#8 `PRIVATE KEY` holding an Ed25519 or RSA key, or
    /// PKCS#1 `RSA PRIVATE KEY`. Encrypted keys must be decrypted first.
    pub fn from_pem(api_key: impl Into<String>, pem: &str) -> Result<Credentials> {
        let signer = signer_from_pem(pem)?;
        let key_type = match signer {
            Signer::Hmac(_) => KeyType::Hmac,
            Signer::Rsa(..) => KeyType::Rsa,
            Signer::Ed25519(_) => KeyType::Ed25519,
        };
        Ok(Credentials { api_key: api_key.into(), key_type, signer })
    }

    /// Like [`Credentials::from_pem`], reading the PEM from a file.
    pub fn from_pem_file(api_key: impl Into<String>, path: impl AsRef<Path>) -> Result<Credentials> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Key(format!("cannot read private key file {}: {e}", path.display())))?;
        Credentials::from_pem(api_key, &text)
            .map_err(|e| Error::Key(format!("{} (in {})", key_message(e), path.display())))
    }

    /// Credentials for an Ed25519 API key from its PEM private key file; fails if the key is not Ed25519.
    pub fn ed25519(api_key: impl Into<String>, pem_path: impl AsRef<Path>) -> Result<Credentials> {
        Credentials::from_pem_file_expecting(api_key, pem_path.as_ref(), KeyType::Ed25519)
    }

    /// Credentials for an RSA API key from its PEM private key file; fails if the key is not RSA.
    pub fn rsa(api_key: impl Into<String>, pem_path: impl AsRef<Path>) -> Result<Credentials> {
        Credentials::from_pem_file_expecting(api_key, pem_path.as_ref(), KeyType::Rsa)
    }

    fn from_pem_file_expecting(api_key: impl Into<String>, path: &Path, want: KeyType) -> Result<Credentials> {
        let creds = Credentials::from_pem_file(api_key, path)?;
        if creds.key_type != want {
            return Err(Error::Key(format!(
                "{} holds an {} key, but an {want} key was asked for",
                path.display(),
                creds.key_type
            )));
        }
        Ok(creds)
    }

    /// Credentials from the environment: `BINANCE_API_KEY`, plus either `BINANCE_SECRET_KEY` (an HMAC secret)
    /// or `BINANCE_PRIVATE_KEY_PATH` (a PEM file with an Ed25519 or RSA private key).
    pub fn from_env() -> Result<Credentials> {
        Credentials::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`Credentials::from_env`] with the variables read through `lookup` (for tests, or other sources).
    /// Empty values count as unset; surrounding whitespace (a stray newline) is trimmed.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Credentials> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let api_key = get(ENV_API_KEY);
        let secret = get(ENV_SECRET_KEY);
        let key_path = get(ENV_PRIVATE_KEY_PATH);
        match (api_key, secret, key_path) {
            (None, None, None) => Err(Error::Key(format!(
                "{ENV_API_KEY} is not set, and neither is {ENV_SECRET_KEY} (HMAC) or {ENV_PRIVATE_KEY_PATH} (Ed25519/RSA PEM file)"
            ))),
            (None, _, _) => Err(Error::Key(format!("{ENV_API_KEY} is not set"))),
            (Some(_), None, None) => Err(Error::Key(format!(
                "{ENV_API_KEY} is set but neither {ENV_SECRET_KEY} (HMAC) nor {ENV_PRIVATE_KEY_PATH} (Ed25519/RSA PEM file) is"
            ))),
            (Some(_), Some(_), Some(_)) => Err(Error::Key(format!(
                "both {ENV_SECRET_KEY} and {ENV_PRIVATE_KEY_PATH} are set; set only the one matching the API key's type"
            ))),
            (Some(key), Some(secret), None) => Ok(Credentials::hmac(key.trim(), secret.trim())),
            (Some(key), None, Some(path)) => Credentials::from_pem_file(key.trim(), path.trim()),
        }
    }

    /// The API key (sent as `apiKey`).
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// Which kind of key signs the requests.
    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// Whether these credentials can authenticate a session with `session.logon` (Ed25519 keys only).
    pub fn can_logon(&self) -> bool {
        self.key_type == KeyType::Ed25519
    }

    /// Signs a payload (see [`super::signature_payload`]): HMAC-SHA256 as lowercase hex, RSA PKCS#1 v1.5
    /// SHA-256 as base64, Ed25519 as base64.
    pub fn sign(&self, payload: &[u8]) -> String {
        self.signer.sign(payload)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix: String = self.api_key.chars().take(4).collect();
        f.debug_struct("Credentials")
            .field("api_key", &format_args!("\"{prefix}…\""))
            .field("key_type", &self.key_type)
            .finish()
    }
}

fn key_message(e: Error) -> String {
    match e {
        Error::Key(m) => m,
        other => other.to_string(),
    }
}
