pub mod asyncapi;
