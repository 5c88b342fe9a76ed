"""torch.distributed, DDP and DistributedSampler.

The collectives and DDP run for real under MPI: the programs in ``distributed_programs/`` are
started with 2 and 3 ranks by ``mpiexec`` (or the ``numtorch run --nproc-per-node`` launcher),
and assert inside every rank. Those tests skip where mpi4py is not installed (the ``mpi``
extra). What needs no process group (the sampler, errors before init, futures) runs here.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
from helpers import torch

import numtorch
import numtorch.distributed as dist
from numtorch.utils.data.distributed import DistributedSampler

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROGRAMS = os.path.join(ROOT, "tests", "distributed_programs")
requires_mpi = pytest.mark.skipif(not dist.is_available(), reason="mpi4py (the mpi extra) missing")


def _env():
    path = os.environ.get("PYTHONPATH", "")
    return dict(os.environ, PYTHONPATH=ROOT + (os.pathsep + path if path else ""))


def _run(args, timeout=240):
    return subprocess.run(
        args, env=_env(), cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def _mpiexec(n: int, program: str, *args: str):
    from numtorch.cli.launch import mpiexec

    return _run([mpiexec(), "-n", str(n), sys.executable, os.path.join(PROGRAMS, program), *args])


def _launch(*args: str, timeout=240):
    return _run([sys.executable, "-m", "numtorch.cli", "run", *args], timeout)


@requires_mpi
@pytest.mark.parametrize("ranks", [2, 3])
@pytest.mark.parametrize("program", ["collectives.py", "ddp.py"])
def test_under_mpi(program, ranks):
    done = _mpiexec(ranks, program)
    assert done.returncode == 0, done.stdout + done.stderr
    # the ranks' output lines may interleave: look for each rank's report anywhere
    assert all(f"rank {r} of {ranks}: ok" in done.stderr for r in range(ranks)), done.stderr


@requires_mpi
def test_killed_rank_ends_the_job_and_is_named():
    done = _launch("--nproc-per-node", "2", os.path.join(PROGRAMS, "failures.py"), "kill")
    assert done.returncode != 0
    assert "rank 1 step 2" in done.stdout and "rank 0 step 5" not in done.stdout
    assert "numtorch run: rank 1 (pid" in done.stderr and "Killed" in done.stderr


@requires_mpi
def test_hung_rank_times_out():
    done = _launch("--nproc-per-node", "2", os.path.join(PROGRAMS, "failures.py"), "hang")
    assert done.returncode != 0
    assert "[rank 0] DistributedDataParallel gradient all_reduce timed out after 3s" in done.stderr


@requires_mpi
def test_rank_missing_at_ddp_construction_times_out():
    done = _launch("--nproc-per-node", "2", os.path.join(PROGRAMS, "failures.py"), "late")
    assert done.returncode != 0
    assert "[rank 0] DistributedDataParallel construction timed out after 3s" in done.stderr


@requires_mpi
@pytest.mark.parametrize("ranks", [2, 3])
def test_ranks_meet_at_tcp_and_file_stores(ranks, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    program = os.path.join(PROGRAMS, "stores.py")
    done = _launch(
        "--nproc-per-node", str(ranks), "--master-port", str(port), program, str(tmp_path / "fs")
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert all(f"rank {r} of {ranks}: stores ok" in done.stderr for r in range(ranks))


@requires_mpi
def test_spawned_workers_form_a_group():
    done = _launch(os.path.join(PROGRAMS, "spawned.py"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": [30.0, 30.0, 30.0] grad [[0.5, 0.5]]") == 2, done.stdout
    assert "rank 0" in done.stdout and "rank 1" in done.stdout
    # NOTE: the workers' lines reach the terminal through mpiexec's forwarding, which can deliver
    # a worker's newline after the parent's last line: the order of the two is not checked
    assert done.stdout.count("parent: workers done") == 1, done.stdout


@requires_mpi
def test_spawned_worker_error_reaches_the_parent():
    done = _launch(os.path.join(PROGRAMS, "spawn_failures.py"), "raise", timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "caught 1: ValueError: worker one fails" in done.stdout


@requires_mpi
def test_spawned_workers_end_with_their_parent():
    program = os.path.join(PROGRAMS, "spawn_failures.py")
    parent = subprocess.Popen(
        [sys.executable, "-m", "numtorch.cli", "run", program, "orphan"],
        env=_env(), stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    lines = [parent.stdout.readline() for _ in range(3)]
    workers = [int(line.split()[1]) for line in lines if line.startswith("worker")]
    assert len(workers) == 2, lines
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 90  # the workers notice within 0.5 s, on a loaded machine later
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in workers)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie has ended
        return f.read().split(") ")[1][0] != "Z"


@requires_mpi
def test_ddp_example_prints_the_single_process_curve():
    example = os.path.join(ROOT, "examples", "ddp_digits.py")
    two = _launch("--nproc-per-node", "2", example, "--epochs", "2")
    one = _launch(example, "--epochs", "2")
    assert two.returncode == 0, two.stdout + two.stderr
    assert two.stdout == one.stdout and two.stdout.startswith("epoch 1: loss 0.")


def test_import_is_cheap_and_needs_no_mpi():
    code = (
        "import sys, numtorch.distributed as d; print(d.is_initialized(), 'mpi4py' in sys.modules)"
    )
    done = _run([sys.executable, "-c", code])
    assert done.stdout.split() == ["False", "False"], done.stderr


def test_errors_before_init_match_pytorch():
    tdist = torch.distributed

    for name, args in [
        ("get_rank", ()),
        ("get_world_size", ()),
        ("barrier", ()),
        ("all_reduce", (None,)),
    ]:
        with pytest.raises(ValueError) as want:
            getattr(tdist, name)(*[torch.ones(1) if a is None else a for a in args])
        with pytest.raises(ValueError) as got:
            getattr(dist, name)(*[numtorch.ones(1) if a is None else a for a in args])
        assert str(got.value) == str(want.value)
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        numtorch.nn.parallel.DistributedDataParallel(numtorch.nn.Linear(1, 1))
    with pytest.raises(ValueError, match="Unknown backend type ucc"):
        dist.init_process_group("ucc")


def test_names_match_pytorch():
    tdist = torch.distributed

    for op in ("SUM", "AVG", "PRODUCT", "MIN", "MAX"):
        assert repr(getattr(dist.ReduceOp, op)) == repr(getattr(tdist.ReduceOp, op))
        assert str(getattr(dist.ReduceOp, op)) == str(getattr(tdist.ReduceOp, op))
    for name in ("GLOO", "gloo", "NCCL", "mpi"):
        assert dist.Backend(name) == tdist.Backend(name)
    assert dist.default_pg_timeout == tdist.default_pg_timeout
    assert dist.GroupMember.NON_GROUP_MEMBER == tdist.GroupMember.NON_GROUP_MEMBER


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("drop_last", [False, True])
def test_distributed_sampler_matches_pytorch(shuffle, drop_last):
    TorchSampler = torch.utils.data.distributed.DistributedSampler

    for n in (0, 1, 5, 7, 10, 33):
        for replicas in (1, 2, 3, 4):
            for rank in range(replicas):
                for seed, epoch in ((0, 0), (5, 3)):
                    args = (range(n), replicas, rank, shuffle, seed, drop_last)
                    got, want = DistributedSampler(*args), TorchSampler(*args)
                    got.set_epoch(epoch)
                    want.set_epoch(epoch)
                    assert list(got) == list(want) and len(got) == len(want), args
    assert numtorch.utils.data.DistributedSampler is DistributedSampler
    with pytest.raises(
        ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"
    ):
        DistributedSampler(range(3), num_replicas=2, rank=2)


def test_futures_chain_and_complete_once():
    fut = numtorch.futures.Future()
    doubled = fut.then(lambda f: f.value() * 2)
    seen = []
    fut.add_done_callback(lambda f: seen.append(f.value()))
    fut.set_result(21)
    assert doubled.wait() == 42 and seen == [21] and fut.done()
    with pytest.raises(RuntimeError, match="Future can only be marked completed once"):
        fut.set_result(1)
    with pytest.raises(RuntimeError, match="nothing will complete this future"):
        numtorch.futures.Future().wait()


def test_launcher_passes_the_host_list_to_mpiexec(tmp_path, monkeypatch):
    from numtorch.cli import launch

    monkeypatch.setattr(launch, "mpiexec", lambda: "mpiexec")
    parse = launch.build_parser().parse_args
    cmd = launch.command(parse(["--nproc-per-node", "2", "--hosts", "a,b", "p.py", "-x"]), "d")
    assert cmd[:7] == ["mpiexec", "-n", "4", "-ppn", "2", "-hosts", "a,b"]
    assert cmd[cmd.index("MASTER_ADDR") + 1] == "a" and cmd[-2:] == ["p.py", "-x"]
    hostfile = tmp_path / "hosts"
    hostfile.write_text("# the cluster\nnode1:8\n\nnode2\nnode3  # spare\n")
    cmd = launch.command(parse(["--nproc-per-node", "3", "--hostfile", str(hostfile), "p.py"]), "d")
    assert cmd[:7] == ["mpiexec", "-n", "9", "-ppn", "3", "-f", str(hostfile)]
    assert cmd[cmd.index("MASTER_ADDR") + 1] == "node1"
    cmd = launch.command(parse(["--nproc-per-node", "2", "p.py"]), "d")
    assert cmd[:5] == ["mpiexec", "-n", "2", "-ppn", "2"] and "-hosts" not in cmd
    assert cmd[cmd.index("MASTER_ADDR") + 1] == "127.0.0.1"
