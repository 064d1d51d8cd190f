//! `e2kemu`: the emulator command line.

fn main() {
    println!("e2kemu {}", env!("CARGO_PKG_VERSION"));
}
