"""Start-up: wall time of short ``dealradar`` processes, as a cron user pays them every run.

Runs each command as its own process through the installed ``dealradar`` script, ``--runs``
times, the commands interleaved so a drift of the machine's speed touches all of them alike:

* ``python -c pass``: the interpreter alone, the floor under every figure;
* ``dealradar --version`` and ``dealradar --help``;
* ``dealradar run --once`` against a migrated, empty SQLite database whose sources (the
  built-in defaults: the config file sets only ``database_url``) are none of them due.

The database is prepared in a temporary directory: ``dealradar sources`` migrates it and syncs
the config's sources, then every source's ``next_poll_at`` is moved far into the future.
Each figure is the process's wall time and its CPU time (user + system, its children
included), which other load on the machine disturbs less. ``--against DIR`` also measures
another checkout of dealradar (``git worktree add DIR REF``), interleaved with this one, by
running the same script with ``PYTHONPATH=DIR``. Run::

    .venv/bin/python -m bench.startup [--runs 15] [--against DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import machine, spread

SCRIPT = Path(sys.executable).with_name("dealradar")
HERE = Path(__file__).resolve().parent.parent


def prepare(directory: Path, env: dict[str, str]) -> Path:
    """A config file naming an empty database whose sources are synced and none due."""
    directory.mkdir()
    db = directory / "dealradar.db"
    config = directory / "dealradar.toml"
    config.write_text(f'database_url = "sqlite:///{db}"\n')
    subprocess.run(
        [SCRIPT, "--config", config, "sources"],
        check=True,
        capture_output=True,
        cwd=directory,
        env=env,
    )
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE sources SET next_poll_at = '2999-01-01 00:00:00.000000'")
    conn.close()
    return config


def timed(command: list[str | Path], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, cwd=cwd, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{command} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--against", type=Path, help="another checkout, measured interleaved")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    trees = {"": HERE} if args.against is None else {"this: ": HERE, "other: ": args.against}
    with tempfile.TemporaryDirectory(prefix="dealradar-startup-") as tmp:
        commands: dict[str, tuple[list[str | Path], Path, dict[str, str]]] = {}
        for index, (label, tree) in enumerate(trees.items()):
            env = {**os.environ, "PYTHONPATH": str(tree.resolve())}
            directory = Path(tmp) / str(index)
            config = prepare(directory, env)
            print(f"{label or 'tree: '}{tree.resolve()}, database {directory}/dealradar.db")
            if index == 0:
                commands["python -c pass"] = ([sys.executable, "-c", "pass"], directory, env)
            for name, argv in (
                ("dealradar --version", ["--version"]),
                ("dealradar --help", ["--help"]),
                ("dealradar run --once (nothing due)", ["--config", config, "run", "--once"]),
            ):
                commands[label + name] = ([SCRIPT, *argv], directory, env)
        for command in commands.values():  # warm the page cache and the bytecode cache
            timed(*command)
        wall: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                seconds, used = timed(*command)
                wall[name].append(seconds)
                cpu[name].append(used)
    print(f"seconds per process, median (range) over {args.runs} runs:")
    width = max(len(name) for name in commands)
    for name in commands:
        print(
            f"  {name:<{width}}  wall {spread(wall[name], '{:.3f}')}"
            f"  cpu {spread(cpu[name], '{:.3f}')}"
        )


if __name__ == "__main__":
    main()
