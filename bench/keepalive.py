"""Keep-alive connections to a multi-worker uvicorn, spread evenly over its workers.

The kernel hands each new connection to whichever worker accepts first, and the worker
keeps it for the connection's life: 8 connections opened at once were seen all on one of
two workers, the other idle (bench/tracking_page.py, 2026-12-06), and a run's p99 then
depends on that draw. :func:`open_spread` opens more and keeps ``count`` spread evenly
over the workers, as many clients' connections spread over time.
"""

from __future__ import annotations

import asyncio
import re
import subprocess

Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


def holders(port: int, connections: list[Connection]) -> list[str | None]:
    """The server process holding each of ``connections`` (``ss``; None: not found)."""
    listing = subprocess.run(["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],
                             capture_output=True, text=True).stdout
    by_port = {}
    for line in listing.splitlines():
        fields, pid = line.split(), re.search(r"pid=(\d+)", line)
        if len(fields) >= 4 and pid:
            by_port[int(fields[3].rsplit(":", 1)[1])] = pid.group(1)
    return [by_port.get(writer.get_extra_info("sockname")[1]) for _, writer in connections]


async def open_spread(host: str, port: int, count: int, workers: int, balance: bool = True
                      ) -> tuple[list[Connection], list[int]]:
    """``count`` keep-alive connections and how many each server process holds, most
    first; with ``balance`` and several ``workers``, spread evenly over them."""
    connections = [await asyncio.open_connection(host, port) for _ in range(count)]
    if balance and workers > 1:
        share = -(-count // workers)
        for _ in range(20):  # until each worker holds its share (the kernel's draw, again)
            held = [h for h in holders(port, connections) if h is not None]
            if len(set(held)) >= workers and min(held.count(h) for h in set(held)) >= share:
                break
            connections += [await asyncio.open_connection(host, port) for _ in range(count)]
            await asyncio.sleep(0.05)
        by_worker: dict[str | None, list[Connection]] = {}
        for connection, holder in zip(connections, holders(port, connections)):
            by_worker.setdefault(holder, []).append(connection)
        queues, kept = list(by_worker.values()), []
        while len(kept) < count:  # round robin over the workers
            for queue in queues:
                if queue and len(kept) < count:
                    kept.append(queue.pop(0))
        for queue in queues:
            for _, writer in queue:
                writer.close()
        connections = kept
    held: dict[str | None, int] = {}
    for holder in holders(port, connections):
        held[holder] = held.get(holder, 0) + 1
    return connections, sorted(held.values(), reverse=True)
