//! User data stream subscription requests (events arrive on the same connection).

use super::models::{Empty, Subscription};
use super::requests;

requests! {
    api: crate::api::spot::Api;

    /// Subscribes to the logged-on account's user data stream. Needs a session authenticated
    /// with `session.logon` (Ed25519 key); sends no parameters.
    user_data_stream_subscribe => UserDataStreamSubscribe("userDataStream.subscribe", None) -> Subscription {}

    /// Closes one subscription, or all of them without `subscription_id`.
    user_data_stream_unsubscribe => UserDataStreamUnsubscribe("userDataStream.unsubscribe", None) -> Empty {
        opt subscription_id: val u64 = "subscriptionId"; "The subscription to close (default: all).",
    }

    /// The session's active user data subscriptions.
    session_subscriptions => SessionSubscriptions("session.subscriptions", None) -> Vec<Subscription> {}

    /// Subscribes to the user data stream of the client's API key by signature, on any session.
    /// The engine adds `apiKey`, `timestamp` and `signature`.
    user_data_stream_subscribe_signature => UserDataStreamSubscribeSignature("userDataStream.subscribe.signature", Signed) -> Subscription {}
}
