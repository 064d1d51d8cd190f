// Build script: parses and validates isa-spec/spec/*.spec and generates the op tables.
// A bad spec fails the build with `isa-spec/spec/FILE:LINE: message`.

#[path = "gen/specparse.rs"]
pub mod specparse;
mod gen {
    #[path = "../gen/codegen.rs"]
    pub mod codegen;
    pub use super::specparse;
}

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec");
    println!("cargo:rerun-if-changed=spec");
    println!("cargo:rerun-if-changed=gen");
    let spec = match specparse::load_dir(&dir, "isa-spec/spec/") {
        Ok(s) => s,
        Err(errs) => {
            for e in &errs {
                eprintln!("{e}");
                println!("cargo:warning={e}");
            }
            panic!(
                "{} error(s) in the ISA spec; first: {}",
                errs.len(),
                errs[0]
            );
        }
    };
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("generated.rs");
    std::fs::write(&out, gen::codegen::generate(&spec)).expect("write generated.rs");
}
