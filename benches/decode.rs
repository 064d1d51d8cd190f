//! Decode throughput bench (placeholder until the golden corpus loader lands).
fn main() {}
