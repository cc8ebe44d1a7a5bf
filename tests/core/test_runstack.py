"""`make run`'s last step: web, worker and beat come up together and Ctrl-C stops them all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
PORT = 8765


def _healthy() -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.mark.slow
def test_runstack_serves_and_ctrl_c_stops_web_worker_and_beat(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CASEWORK_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
    }
    env.pop("DATABASE_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    stack = subprocess.Popen(
        [sys.executable, "manage.py", "runstack", "--addr", f"127.0.0.1:{PORT}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not _healthy() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _healthy(), "the web server did not come up"
        children = psutil.Process(stack.pid).children(recursive=True)
        commands = [" ".join(child.cmdline()) for child in children]
        assert any("runserver" in c for c in commands)
        assert any("celery" in c and "--beat" in c for c in commands)
        stack.send_signal(signal.SIGINT)
        stack.wait(timeout=30)
        _gone, alive = psutil.wait_procs(children, timeout=30)
        assert alive == []
        assert not _healthy()
    finally:
        if stack.poll() is None:
            stack.kill()
    output = stack.stdout.read().decode() if stack.stdout else ""
    assert f"http://127.0.0.1:{PORT}/" in output
    assert "legal_xq" in output
