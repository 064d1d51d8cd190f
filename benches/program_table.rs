//! The expected-output table of `benches/programs/README.md`, shared by the
//! `tiers` benchmark and the `bench_programs` test: each row names a program,
//! its `argv[1]` (`-` for none) and the exact line it prints.

/// One row of the table.
#[derive(Debug, Clone)]
pub struct Row {
    /// program name without `.s`
    pub name: String,
    /// `argv[1]`, None for the default size
    pub arg: Option<String>,
    /// the exact stdout, newline included
    pub stdout: String,
}

/// The rows of the three-column table (`| \`NAME.s\` | ARG | \`STDOUT\` |`) in
/// `readme`, in order.
pub fn rows(readme: &str) -> Vec<Row> {
    readme
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l
                .trim()
                .strip_prefix('|')?
                .strip_suffix('|')?
                .split('|')
                .collect();
            let [prog, arg, out] = cells[..] else {
                return None;
            };
            let unquote = |s: &str| {
                s.trim()
                    .strip_prefix('`')?
                    .strip_suffix('`')
                    .map(String::from)
            };
            let name = unquote(prog)?.strip_suffix(".s")?.to_string();
            let stdout = unquote(out)? + "\n";
            let arg = match arg.trim() {
                "-" => None,
                a => Some(a.to_string()),
            };
            Some(Row { name, arg, stdout })
        })
        .collect()
}
