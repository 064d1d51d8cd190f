//! The e2k CPU: architectural state, pre-decoding of bundles, and the reference
//! interpreter with its decoded-bundle cache.

pub mod exec;
pub mod fast;
pub mod fault;
pub mod fixedvec;
pub mod lean;
pub mod predecode;
pub mod regwrite;
pub mod special;
pub mod state;
pub mod tcache;

pub use exec::{Scratch, Step};
pub use fault::Fault;
pub use state::Cpu;
