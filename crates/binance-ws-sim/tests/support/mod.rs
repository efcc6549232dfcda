pub mod asyncapi;
pub mod key_order;
