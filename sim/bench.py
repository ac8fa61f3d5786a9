"""Throughput of the simulator's engines against a JAX peer and a plain Python loop.

Every implementation runs the same workload: SGD on a quadratic with eigenvalues spread over
``[1, 10]`` in a random basis, ``alpha = 1/L``, ``w0 = w* + 1``, float64, recording the per-step
mean of :math:`\\|w_t - w^*\\|^2` (the simulator engines also record its variance, maximum and
the mean iterate per block). JAX and the Python loop use the same eigenbasis form of the update
as the array engine, :math:`z \\leftarrow (1-\\alpha\\lambda)\\odot z + \\alpha\\lambda\\odot c_i`,
so the comparison is between execution models, not algebra.

Methodology: each implementation lives in its own fresh process and does one untimed warm-up
run (which absorbs JIT compilation for JAX and numba); then ``repeats`` rounds time one run of
each implementation in turn (round robin, never two at once, so load from elsewhere on the
machine hits all alike) and the best time is reported.
The Python loop is timed on a subset of trajectories and scaled linearly. Memory is reported
two ways: the growth of the process's peak resident set (``resource.getrusage().ru_maxrss``)
over its value after imports, including the warm-up (hence compilation), and the peak of
allocations traced by ``tracemalloc`` during one extra, untimed run (NumPy and Python
allocations; JAX's XLA buffers are invisible to it, so it is not reported for JAX).
"""

from __future__ import annotations

import contextlib
import importlib.util
import multiprocessing
import os
import resource
import signal
import sys
import threading
import time
import tracemalloc
from typing import Any

import numpy as np

PYTHON_LOOP_SUBSET = 64


def workload(*, dim: int, n: int, seed: int = 0):
    """The benchmark problem, its step size and start point."""
    from sim import QuadraticProblem

    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(dim, dim)))
    eig = np.linspace(1.0, 10.0, dim)
    h = (q * eig) @ q.T
    problem = QuadraticProblem(hessian=(h + h.T) / 2, data=rng.normal(size=(n, dim)))
    return problem, 1.0 / problem.L, problem.w_star + 1.0


def _maxrss_mib() -> float:
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024 if sys.platform != "darwin" else kib / 2**20


def _jax_runner(problem, alpha, w0, trajectories, steps):
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    spec = problem.spec()
    decay = jnp.asarray(1.0 - alpha * spec.eigvals)
    table = jnp.asarray(alpha * spec.eigvals * spec.centered)
    z0 = jnp.broadcast_to(
        jnp.asarray(spec.eigvecs.T @ (w0 - spec.w_star)), (trajectories, problem.dim)
    )
    n = problem.n

    def one(z, i):
        return decay * z + table[i]

    @jax.jit
    def run(key, z):
        def step(z, k):
            idx = jax.random.randint(k, (trajectories,), 0, n)
            z = jax.vmap(one)(z, idx)
            return z, jnp.mean(jnp.sum(z * z, axis=1))

        _, sq = jax.lax.scan(step, z, jax.random.split(key, steps))
        return sq

    key = jax.random.PRNGKey(0)
    return lambda: np.asarray(run(key, z0).block_until_ready())


def _python_runner(problem, alpha, w0, trajectories, steps):
    spec = problem.spec()
    decay = 1.0 - alpha * spec.eigvals
    table = alpha * spec.eigvals * spec.centered
    z0 = spec.eigvecs.T @ (w0 - spec.w_star)
    rng = np.random.default_rng(0)

    def run():
        total = np.zeros(steps + 1)
        for _ in range(trajectories):
            z = z0.copy()
            total[0] += z @ z
            for t, i in enumerate(rng.integers(problem.n, size=steps), start=1):
                z = decay * z + table[i]
                total[t] += z @ z
        return total / trajectories

    return run


class _AsProtocol:
    """The benchmark quadratic seen only through the problem protocol (no ``spec()``), so
    that it runs the array engine's general path with one ``sample_gradients`` call per step."""

    def __init__(self, problem):
        self.problem, self.dim, self.n = problem, problem.dim, problem.n
        self.w_star = problem.w_star

    def sample_gradients(self, w, idx, xp):
        return self.problem.sample_gradients(w, idx, xp)


def _engine_runner(problem, alpha, w0, trajectories, steps, engine, backend):
    from sim import simulate

    if engine == "protocol":
        problem, engine = _AsProtocol(problem), "array"

    return lambda: (
        simulate(
            problem,
            alpha=alpha,
            steps=steps,
            trajectories=trajectories,
            w0=w0,
            engine=engine,
            backend=backend,
        ).mean_sq_dist
    )


def _receive(conn: Any) -> Any:
    """``conn.recv()``, waiting in short polls so that a Ctrl-C is acted on within 0.2 s.

    A SIGINT that arrives while the parent blocks it (as its children start) may be handled by
    another thread of the process; a main thread blocked in one long read would then never see
    the KeyboardInterrupt. Each poll returns to the interpreter, which raises it.
    """
    while not conn.poll(0.2):
        pass
    return conn.recv()


def _die_with_parent() -> None:
    """On Linux, ask the kernel to send SIGTERM to this process when its parent dies.

    A measuring process may be in the middle of a run of hours when the command that started it
    is killed outright (SIGKILL, a CI timeout); without this it would run on as an orphan.
    Elsewhere this is a no-op (a killed parent then leaves the run to finish).
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the request took effect
        os._exit(1)


def _serve(kind: str, options: dict[str, Any], conn: Any) -> None:
    """Child-process body: set up and warm up, then time one run per ``"run"`` request.

    Replies ``{"ready": ...}`` after the warm-up, the seconds of each run, and on ``"finish"``
    the memory figures. Any failure is sent as ``{"error": ...}``.
    """
    _die_with_parent()
    try:
        base = _maxrss_mib()
        problem, alpha, w0 = workload(dim=options["dim"], n=options["n"])
        traj, steps = options["trajectories"], options["steps"]
        timed_traj = min(traj, PYTHON_LOOP_SUBSET) if kind == "python" else traj
        if kind == "jax":
            run = _jax_runner(problem, alpha, w0, traj, steps)
        elif kind == "python":
            run = _python_runner(problem, alpha, w0, timed_traj, steps)
        else:
            engine, backend = kind.split("/")
            run = _engine_runner(problem, alpha, w0, traj, steps, engine, backend)
        run()
        conn.send({"ready": True, "timed_trajectories": timed_traj})
        while conn.recv() == "run":
            began = time.perf_counter()
            run()
            conn.send((time.perf_counter() - began) * traj / timed_traj)
        rss = _maxrss_mib() - base
        traced = None
        if kind != "jax":
            tracemalloc.start()
            run()
            traced = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        conn.send({"peak_rss_growth_mib": rss, "peak_traced_mib": traced})
    except Exception as exc:  # noqa: BLE001 - reported as a row, not a crash of the benchmark
        conn.send({"error": f"{type(exc).__name__}: {exc}"})
    finally:
        conn.close()


def implementations() -> list[tuple[str, str]]:
    """``(key, label)`` of every available implementation, simulator engines first."""
    from sim.backend import cupy_available
    from sim.engines import available_engines

    rows = [(f"{e}/numpy", f"sim {e} (NumPy)") for e in available_engines("numpy")]
    rows.append(("protocol/numpy", "sim array, protocol problem (NumPy)"))
    if cupy_available():
        rows += [(f"{e}/cupy", f"sim {e} (CuPy)") for e in available_engines("cupy")]
        rows.append(("protocol/cupy", "sim array, protocol problem (CuPy)"))
    if importlib.util.find_spec("jax") is not None:  # imported by its own process only
        rows.append(("jax", "JAX jit+vmap+scan (CPU)"))
    rows.append(("python", f"Python loop per trajectory ({PYTHON_LOOP_SUBSET} timed, scaled)"))
    return rows


@contextlib.contextmanager
def _ctrl_c_held():
    """Hold a Ctrl-C that arrives inside the block and act on it when the block ends.

    Inside the block the implementations are looked up (which imports CuPy where it is
    installed) and their processes started. A KeyboardInterrupt raised in the middle of a
    third-party import can be swallowed by that library (the Ctrl-C is then lost) or turned into
    an unrelated error; one raised inside ``Process.start`` can leave a child running that the
    parent no longer knows of. So while the block runs, SIGINT only sets a flag, and it is
    blocked for the calling thread, so that the children, which inherit the mask across exec,
    never see the Ctrl-C the terminal sends to the whole process group (the parent stops them).
    On leaving, the mask and the handler are restored and a held Ctrl-C is handed to the
    previous handler, which raises KeyboardInterrupt. Only the main thread handles signals;
    elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = signal.getsignal(signal.SIGINT)
    if callable(previous):
        signal.signal(signal.SIGINT, lambda signum, _frame: held.append(signum))
    blocks = hasattr(signal, "pthread_sigmask")
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if blocks else None
    try:
        yield
    finally:
        if blocks:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a pending SIGINT lands in held
        if callable(previous):
            signal.signal(signal.SIGINT, previous)
            if held:
                previous(signal.SIGINT, None)


def _stop(workers: list[dict[str, Any]]) -> None:
    """Kill the measuring processes and wait for them (on an interruption or an error)."""
    for w in workers:
        if w["proc"].is_alive():
            w["proc"].kill()
    for w in workers:
        w["proc"].join()


def run_benchmark(
    *, trajectories: int = 10_000, steps: int = 1000, dim: int = 10, n: int = 256, repeats: int = 3,
    keys: Any = None,
) -> dict[str, Any]:
    """Time every available implementation on one workload; see the module docstring.

    ``keys`` (keys of :func:`implementations`, e.g. ``"cupy-fused/cupy"``) restricts the run to
    those implementations; default all.

    Returns:
        ``{"workload": {...}, "rows": [{"key", "label", "seconds", "traj_steps_per_s",
        "ratio_vs_jax", "peak_rss_growth_mib", ...}]}``; ``ratio_vs_jax`` is the throughput
        relative to JAX (> 1 is faster), None without JAX.
    """
    options = {"trajectories": trajectories, "steps": steps, "dim": dim, "n": n, "repeats": repeats}
    ctx = multiprocessing.get_context("spawn")
    workers: list[dict[str, Any]] = []
    try:
        with _ctrl_c_held():
            for key, label in implementations():
                if keys is not None and key not in keys:
                    continue
                mine, theirs = ctx.Pipe()
                proc = ctx.Process(target=_serve, args=(key, options, theirs), daemon=True)
                proc.start()
                theirs.close()
                workers.append({"key": key, "label": label, "conn": mine, "proc": proc,
                                "times": []})
        return _measure(workers, options)
    except BaseException:
        _stop(workers)
        raise


def _measure(workers: list[dict[str, Any]], options: dict[str, Any]) -> dict[str, Any]:
    """Collect the warm-ups, the timed rounds and the memory figures of started workers."""
    trajectories, steps, repeats = (options[k] for k in ("trajectories", "steps", "repeats"))
    for w in workers:
        w["row"] = _receive(w["conn"])
    # Round robin: one timed run of each implementation per round, one at a time, so a change
    # in the machine's load affects every implementation alike.
    for _ in range(repeats):
        for w in workers:
            if "error" not in w["row"]:
                w["conn"].send("run")
                reply = _receive(w["conn"])
                if isinstance(reply, dict):
                    w["row"] = reply
                else:
                    w["times"].append(reply)
    rows = []
    for w in workers:
        if "error" not in w["row"]:
            w["conn"].send("finish")
            w["row"] = {**w["row"], **_receive(w["conn"])}
        w["proc"].join()
        row = {"key": w["key"], "label": w["label"], **w["row"]}
        row.pop("ready", None)
        if "error" not in row:
            row["seconds"] = min(w["times"])
            row["all_seconds"] = w["times"]
            row["traj_steps_per_s"] = trajectories * steps / row["seconds"]
        rows.append(row)
    jax_rate = next((r.get("traj_steps_per_s") for r in rows if r["key"] == "jax"), None)
    for row in rows:
        rate = row.get("traj_steps_per_s")
        row["ratio_vs_jax"] = rate / jax_rate if rate and jax_rate else None
    return {
        "workload": {
            "problem": "quadratic",
            **options,
            "dtype": "float64",
            "alpha": "1/L",
            "eigenvalues": "linspace(1, 10, dim)",
        },
        "rows": rows,
    }


def format_table(report: dict[str, Any]) -> str:
    """The benchmark as a plain-text table."""
    w = report["workload"]
    lines = [
        f"workload: quadratic, d={w['dim']}, n={w['n']}, {w['trajectories']} trajectories x "
        f"{w['steps']} steps, float64, alpha=1/L; best of {w['repeats']} round-robin rounds "
        "after a warm-up (compile time excluded)",
        f"{'implementation':<44} {'time [s]':>10} {'traj-steps/s':>13} {'vs JAX':>7} "
        f"{'RSS +MiB':>9} {'traced MiB':>10}",
    ]
    for r in report["rows"]:
        if "error" in r:
            lines.append(f"{r['label']:<44} failed: {r['error']}")
            continue
        ratio = f"{r['ratio_vs_jax']:.2f}x" if r["ratio_vs_jax"] else "-"
        traced = "n/a" if r["peak_traced_mib"] is None else f"{r['peak_traced_mib']:.1f}"
        lines.append(
            f"{r['label']:<44} {r['seconds']:>10.3f} {r['traj_steps_per_s']:>13.3e} "
            f"{ratio:>7} {r['peak_rss_growth_mib']:>9.1f} {traced:>10}"
        )
    lines.append(
        "vs JAX: throughput relative to JAX (> 1 is faster). Python loop: timed on "
        f"{PYTHON_LOOP_SUBSET} trajectories, scaled linearly. RSS +MiB: growth of peak RSS "
        "(getrusage ru_maxrss) over the post-import value, fresh process per row, "
        "warm-up included. traced MiB: tracemalloc peak of one untimed run (not "
        "available for XLA buffers)."
    )
    return "\n".join(lines)
