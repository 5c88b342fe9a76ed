"""``numtorch run --nproc-per-node N prog.py [args]``: start N ranks of a program, as ``torchrun``.

The ranks are an MPI job: this command runs ``mpiexec`` (the one installed beside this Python by
the ``mpich`` wheel, else the one on PATH), and each rank runs the program on numtorch as plain
``numtorch run`` does, with ``RANK``, ``LOCAL_RANK``, ``WORLD_SIZE``, ``LOCAL_WORLD_SIZE``,
``MASTER_ADDR`` and ``MASTER_PORT`` set. Several machines: ``--hosts a,b`` or ``--hostfile
FILE`` (one host per line), passed on to ``mpiexec``, with N ranks on each host.

When a rank dies, ``mpiexec`` stops the others; this command then says which rank it was.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading

OPTIONS = ("--nproc-per-node", "--nproc_per_node", "--hosts", "--hostfile")

_BAD_END = re.compile(rb"PID (\d+) RUNNING AT (\S+)")
_EXIT_STRING = re.compile(rb"EXIT STRING: (.+?)\s*$")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="numtorch run",
        description="Run N ranks of a PyTorch program on numtorch, as an MPI job.",
    )
    parser.add_argument("--nproc-per-node", "--nproc_per_node", type=int, required=True,
                        help="ranks to start on each host")  # fmt: skip
    hosts = parser.add_mutually_exclusive_group()
    hosts.add_argument("--hosts", help="comma-separated host names (default: this machine)")
    hosts.add_argument("--hostfile", help="a file naming one host per line")
    parser.add_argument("--master-addr", "--master_addr", default=None,
                        help="MASTER_ADDR for the ranks (default: the first host)")  # fmt: skip
    parser.add_argument("--master-port", "--master_port", type=int, default=29500)
    parser.add_argument("program", help="the Python file to run")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the program")
    return parser


def mpiexec() -> str:
    """The mpiexec of the MPI that mpi4py uses (the mpich wheel puts it beside Python)."""
    beside = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    found = beside if os.path.exists(beside) else shutil.which("mpiexec")
    if found is None:
        raise SystemExit(
            "numtorch run: --nproc-per-node needs MPI: pip install 'numtorch[mpi]' "
            "(mpi4py and the mpich wheel, which provides mpiexec)"
        )
    return found


def _host_list(opts) -> list:
    if opts.hosts:
        return [h for h in opts.hosts.split(",") if h]
    if opts.hostfile:
        with open(opts.hostfile) as f:
            lines = [line.split("#")[0].strip() for line in f]
        return [line.split(":")[0] for line in lines if line]
    return []


def command(opts, pid_dir: str) -> list:
    """The mpiexec command line that starts the ranks."""
    hosts = _host_list(opts)
    n = opts.nproc_per_node * max(len(hosts), 1)
    master = opts.master_addr or (hosts[0] if hosts else "127.0.0.1")
    cmd = [mpiexec(), "-n", str(n), "-ppn", str(opts.nproc_per_node)]
    if opts.hosts:
        cmd += ["-hosts", opts.hosts]
    elif opts.hostfile:
        cmd += ["-f", opts.hostfile]
    env = {"MASTER_ADDR": master, "MASTER_PORT": str(opts.master_port), "NUMTORCH_PIDS": pid_dir}
    for name, value in env.items():
        cmd += ["-genv", name, value]
    return cmd + [sys.executable, "-m", __name__, opts.program, *opts.args]


def _relay(stream, sink, report: list) -> None:
    """Copy mpiexec's output through, noting its report of a rank that ended badly."""
    for line in iter(stream.readline, b""):
        sink.write(line)
        sink.flush()
        for pattern in (_BAD_END, _EXIT_STRING):
            match = pattern.search(line)
            if match:
                report.append(match.groups())


def _blame(report: list, pid_dir: str) -> str | None:
    """'rank R (pid P on HOST) ...' for the rank mpiexec reported, when it ran here."""
    where = next((g for g in report if len(g) == 2), None)
    if where is None:
        return None
    how = next((g[0].decode() for g in report if len(g) == 1), "failed")
    pid, host = (x.decode() for x in where)
    path = os.path.join(pid_dir, pid)
    rank = open(path).read() if os.path.exists(path) else "?"
    return (
        f"numtorch run: rank {rank} (pid {pid} on {host}) ended: {how}; mpiexec stopped the others"
    )


def main(argv: list) -> int:
    opts = build_parser().parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="numtorch-run-") as pid_dir:
        process = subprocess.Popen(command(opts, pid_dir), stdout=subprocess.PIPE)
        report = []
        relay = threading.Thread(target=_relay, args=(process.stdout, sys.stdout.buffer, report))
        relay.start()
        code = process.wait()
        relay.join()
        line = _blame(report, pid_dir) if code else None
    if line:
        print(line, file=sys.stderr)
    return code


def _rank_main(program: str, args: list) -> int:
    """One rank: torchrun's variables from MPI's, then the program as ``numtorch run`` runs it."""
    env = os.environ
    env["RANK"], env["WORLD_SIZE"] = env.get("PMI_RANK", "0"), env.get("PMI_SIZE", "1")
    env["LOCAL_RANK"] = env.get("MPI_LOCALRANKID", env["RANK"])
    env["LOCAL_WORLD_SIZE"] = env.get("MPI_LOCALNRANKS", env["WORLD_SIZE"])
    pid_dir = env.pop("NUMTORCH_PIDS", "")
    if os.path.isdir(pid_dir):
        with open(os.path.join(pid_dir, str(os.getpid())), "w") as f:
            f.write(env["RANK"])
    from .run import run_program

    return run_program(program, args)


if __name__ == "__main__":
    sys.exit(_rank_main(sys.argv[1], sys.argv[2:]))
