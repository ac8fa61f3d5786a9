"""Running simulation chunks on a Dask cluster, results in chunk order.

A chunk is a pure function of (problem spec, parameters, seed, trajectory range), so it may run
on any worker. :func:`sim.simulate` folds the per-block statistics strictly in global block
order, so as long as the results come back in chunk order the distributed result is
bit-for-bit the single-process one, whatever the number of workers or the order in which the
chunks finish.

``scheduler="dask-local"`` starts a :class:`distributed.LocalCluster` for the duration of the
call: one worker in this process (``processes=False``) with two threads. Threads rather than
processes because the engines already use every core inside a chunk (numba's blocks, the GPU),
so worker processes would add only their start-up (spawning, importing NumPy and numba, loading
compiled kernels: seconds) and the pickling of the spec and of every result; a second thread
overlaps one chunk's host-side work (draw keys, copies) with another's kernel. Across machines,
pass a ``dask.distributed.Client`` connected to the cluster; the numba engine then uses
``NUMBA_NUM_THREADS`` threads per chunk (default: every core), so give each worker process
one thread and set ``NUMBA_NUM_THREADS`` to its share of the cores.
"""

from __future__ import annotations

import collections
import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

LOCAL = "dask-local"


def map_chunks(scheduler: Any, fn: Callable[[Any], Any], chunk_args: Iterable[Any]) -> list:
    """``[fn(a) for a in chunk_args]``, evaluated on a Dask cluster, in the order of ``chunk_args``.

    Args:
        scheduler: a ``dask.distributed.Client``, or ``"dask-local"`` for a temporary in-process
            cluster (see the module docstring).
        fn: a picklable function of one argument (for :func:`sim.simulate`, the chunk runner).
        chunk_args: one argument per chunk (for :func:`sim.simulate`, ``(start, count)``).

    Returns:
        The results, ``result[k] = fn(chunk_args[k])``.
    """
    return list(iter_chunks(scheduler, fn, chunk_args))


def iter_chunks(scheduler: Any, fn: Callable[[Any], Any], chunk_args: Iterable[Any], *,
                window: int | None = None) -> Iterator:
    """Like :func:`map_chunks`, but yields the results in order while at most ``window`` chunks
    are in flight, so memory holds O(window) results instead of all of them.

    Args:
        scheduler, fn, chunk_args: as in :func:`map_chunks`.
        window: chunks submitted ahead of the one being yielded, ``>= 1``; default twice the
            number of worker threads.
    """
    if window is not None and (isinstance(window, bool) or not isinstance(window, int)
                               or window < 1):
        raise ValueError(f"window must be an integer >= 1 or None, got {window!r}")
    if isinstance(scheduler, str):
        if scheduler != LOCAL:
            raise ValueError(f"scheduler must be a dask.distributed.Client or {LOCAL!r}, "
                             f"got {scheduler!r}")
        return _on_local_cluster(fn, chunk_args, window)
    if not _is_client(scheduler):
        raise TypeError(f"scheduler must be a dask.distributed.Client or {LOCAL!r}, "
                        f"got {type(scheduler).__name__}")
    return _ordered(scheduler, fn, chunk_args, window)


def _on_local_cluster(fn: Callable[[Any], Any], chunk_args: Iterable[Any],
                      window: int | None) -> Iterator:
    # the cluster lives while the results are consumed
    with _local_client() as client:
        yield from _ordered(client, fn, chunk_args, window)


def _call(fn: Callable[[Any], Any], arg: Any) -> Any:
    return fn(arg)


def _ordered(client: Any, fn: Callable[[Any], Any], chunk_args: Iterable[Any],
             window: int | None) -> Iterator:
    if window is None:
        window = 2 * max(1, sum(client.nthreads().values()))
    # The function (holding the problem's data) travels to the workers once, not per chunk;
    # a fresh key per call, so that releasing it cannot race with a later call's scatter.
    fn_future = client.scatter(fn, broadcast=True, hash=False)
    pending: collections.deque = collections.deque()
    try:
        for arg in chunk_args:
            pending.append(client.submit(_call, fn_future, arg, pure=False))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
        fn_future.release()


def _is_client(obj: Any) -> bool:
    try:
        from distributed import Client
    except ImportError:
        return False
    return isinstance(obj, Client)


@contextlib.contextmanager
def _local_client() -> Iterator:
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ImportError(f"scheduler={LOCAL!r} needs dask.distributed; install the 'dask' "
                          "extra") from exc
    with (LocalCluster(processes=False, n_workers=1, threads_per_worker=2,
                       dashboard_address=":0") as cluster,
          Client(cluster, set_as_default=False) as client):
        yield client
