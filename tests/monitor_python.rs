//! Drives e2kemu with the QEMU project's Python QMP client (`qemu.qmp`, installed
//! by `.ci/run` with `pip install qemu.qmp`): the async QMPClient, including a
//! migration that fails after `migrate` returned, and `qmp-shell` fed through a
//! pipe. The script is tests/qmp_client.py.

#[path = "migration_common.rs"]
mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn qemu_qmp_client_and_qmp_shell() {
    let probe = Command::new("python3")
        .args(["-c", "import qemu.qmp"])
        .output();
    match probe {
        Ok(o) if o.status.success() => {}
        other => panic!(
            "the QEMU QMP client is missing (pip install qemu.qmp; .ci/run installs it): {other:?}"
        ),
    }
    let script = common::root().join("tests/qmp_client.py");
    let mut child = Command::new("python3")
        .arg(&script)
        .arg(common::bin())
        .arg(common::root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run python3");
    let end = Instant::now() + Duration::from_secs(120);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > end {
            let _ = child.kill();
            panic!("qmp_client.py did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains("all checks passed"), "{text}");
}
