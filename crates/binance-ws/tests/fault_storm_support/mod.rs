//! The fault storm's parts: the seeded injector, the record of what the clients reported, the matching of the
//! two, the trader, and the process probes (panics, memory).

pub mod checks;
pub mod injector;
pub mod observe;
pub mod probes;
pub mod trader;
