//! Shared enums and types.
