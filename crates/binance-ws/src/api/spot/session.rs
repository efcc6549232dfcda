//! Session authentication requests. [`crate::api::ApiClient`] normally logs on by itself; these
//! are for explicit control.

use super::models::SessionStatus;
use super::requests;

requests! {
    api: crate::api::spot::Api;

    /// Authenticates the connection with the client's API key (Ed25519 keys only); later
    /// signed requests then need no `apiKey`/`signature`. The engine adds `apiKey`,
    /// `timestamp` and `signature`.
    session_logon => SessionLogon("session.logon", Signed) -> SessionStatus {}

    /// Which API key (if any) authenticates the connection.
    session_status => SessionStatusRequest("session.status", None) -> SessionStatus {}

    /// Forgets the authenticated API key; the connection stays open.
    session_logout => SessionLogout("session.logout", None) -> SessionStatus {}
}
