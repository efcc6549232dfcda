//! Decoding of response frames (lands with the engine).
