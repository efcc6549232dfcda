pub mod asyncapi;
pub mod docs;
pub mod key_order;
