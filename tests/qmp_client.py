#!/usr/bin/env python3
"""Drives e2kemu with the QEMU project's own QMP client library (qemu.qmp):
the asyncio QMPClient (greeting, negotiation, commands, errors, events and a
failed-migration flow) and qmp-shell with piped input (plain and -H for HMP).
Usage: qmp_client.py E2KEMU_BINARY REPO_ROOT. Exits non-zero on any mismatch."""

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time

from qemu.qmp import EventListener, ExecuteError, QMPClient

E2KEMU, ROOT = sys.argv[1], sys.argv[2]
TMP = tempfile.mkdtemp(prefix="e2kemu-pyqmp-")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start(name, *args):
    sock = os.path.join(TMP, name)
    out = open(os.path.join(TMP, name + ".out"), "wb")
    proc = subprocess.Popen(
        [E2KEMU, "-qmp", f"unix:{sock},server=on,wait=off", *args],
        cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    for _ in range(500):
        if os.path.exists(sock):
            break
        time.sleep(0.01)
    return proc, sock


def check(cond, what):
    if not cond:
        raise SystemExit(f"FAILED: {what}")


async def client_flow():
    proc, sock = start("a.sock", "-S", "tests/guests/counter.s")
    qmp = QMPClient("e2kemu-test")
    await asyncio.wait_for(qmp.connect(sock), 10)
    check(qmp.greeting is not None, "greeting parsed")
    st = await qmp.execute("query-status")
    check(st == {"running": False, "singlestep": False, "status": "prelaunch"}, f"status {st}")
    try:
        await qmp.execute("no-such-command")
        check(False, "unknown command must fail")
    except ExecuteError as e:
        check(e.error_class == "CommandNotFound", f"class {e.error_class}")
        check(str(e) == "The command no-such-command has not been found", f"desc {e}")
    try:
        await qmp.execute("migrate", {"uri": 1})
        check(False, "mistyped uri must fail")
    except ExecuteError as e:
        check(str(e) == "Invalid parameter type for 'uri', expected: string", f"desc {e}")
    await qmp.execute("migrate-set-capabilities",
                      {"capabilities": [{"capability": "events", "state": True}]})
    listener = EventListener()
    with qmp.listen(listener):
        await qmp.execute("cont")
        ev = await asyncio.wait_for(listener.get(), 10)
        check(ev["event"] == "RESUME", f"event {ev}")
        # a migration whose connection is refused after migrate returned
        port = free_port()
        ret = await qmp.execute("migrate", {"uri": f"tcp:127.0.0.1:{port}"})
        check(ret == {}, f"migrate returns at once: {ret}")
        seen = []
        while "failed" not in seen:
            ev = await asyncio.wait_for(listener.get(), 10)
            if ev["event"] == "MIGRATION":
                seen.append(ev["data"]["status"])
        check(seen == ["setup", "failed"], f"MIGRATION events {seen}")
    info = await qmp.execute("query-migrate")
    want = f"Failed to connect to '127.0.0.1:{port}': Connection refused"
    check(info == {"status": "failed", "error-desc": want}, f"query-migrate {info}")
    text = await qmp.execute("human-monitor-command", {"command-line": "info migrate"})
    check(f"Migration status: failed ({want})\r\n" in text, f"info migrate {text!r}")
    st = await qmp.execute("query-status")
    check(st["status"] == "running", f"source keeps running: {st}")
    await qmp.execute("quit")
    try:
        await qmp.disconnect()
    except EOFError:
        pass  # the server exits after quit, as QEMU does
    check(proc.wait(10) == 0, "exit status after quit")


def shell_flow():
    proc, sock = start("b.sock", "-S", "tests/guests/counter.s")
    port = free_port()
    script = ("query-status\n"
              f"migrate uri=tcp:127.0.0.1:{port}\n"
              "query-migrate\n")
    r = subprocess.run([sys.executable, "-m", "qemu.qmp.qmp_shell", sock],
                       input=script, capture_output=True, text=True, timeout=30)
    out = r.stdout
    check("prelaunch" in out, f"qmp-shell query-status: {out!r} {r.stderr!r}")
    check("Connection refused" in out or "setup" in out, f"qmp-shell query-migrate: {out!r}")
    r = subprocess.run([sys.executable, "-m", "qemu.qmp.qmp_shell", "-H", sock],
                       input="info status\nquit\n", capture_output=True, text=True,
                       timeout=30)
    check("VM status: paused (prelaunch)" in r.stdout, f"qmp-shell -H: {r.stdout!r} {r.stderr!r}")
    check(proc.wait(10) == 0, "quit through qmp-shell -H")


asyncio.run(client_flow())
shell_flow()
print("qmp_client.py: all checks passed")
