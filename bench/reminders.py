#!/usr/bin/env python3
"""Benchmark of the reminder engine: one pass delivering N due reminders over SMTP.

Builds the service and the SMTP sink (examples/smtp_sink.rs) in release mode, imports
N overdue central state bodies, each with its own IT head address, into a fresh SQLite
and/or PostgreSQL database, points the service's mail at the sink and runs one
`aitu-tracker remind --ignore-window` under `/usr/bin/time -v`. Reports messages per
second (delivery alone and overall), the split between planning+enqueue and delivery,
the peak memory of the pass, and that the sink received exactly N messages. Prints a
table and writes the figures as JSON to bench/out/reminders-<backend>.json.

This is a measurement, not a test: it never fails because a figure misses its
target. Standard library only (Python 3.11+).

    python3 bench/reminders.py [--count N] [--backend sqlite|postgres|both]
                               [--pg-url URL] [--pool-size N] [--head same|empty]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import registry  # noqa: E402  (the BIN generator, names, psql helper, time -v parsing)
from registry import (  # noqa: E402
    HOST, OUT_DIR, REPO_ROOT, PgDatabase, fmt_num, free_port, git_commit, load_average,
    log, parse_time_v, strip_time_v, tail,
)

TARGETS = {"delivery_messages_per_s_min": 500}
SINK_READY_TIMEOUT_S = 30.0
# After the pass exits, how long to wait for the sink to report the last messages.
SINK_SETTLE_TIMEOUT_S = 15.0
REMIND_TIMEOUT_S = 3600
SINK_PROBE_MESSAGES = 3000
SINK_PROBE_PARALLEL = 4

PASS_RE = re.compile(
    r"(\d+) queued, (\d+) skipped \(no address\), (\d+) deferred to tomorrow, (\d+) sent, "
    r"(\d+) retrying, (\d+) failed, (\d+) cancelled")
DRY_RE = re.compile(r"(\d+) reminder\(s\) due; dry run")
SINK_LINE_RE = re.compile(
    r"count=(\d+) connections=(\d+) bytes=(\d+) first=([\d.]+) last=([\d.]+)")

# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------

CSV_HEADER = ["bin", "kind", "parent_bin", "region", "headcount", "name_kk", "name_ru",
              "name_en", "it_head_name", "it_head_email", "it_head_phone", "head_name",
              "head_email"]


def write_csv(path: Path, count: int, seed: int, head: str) -> list[str]:
    """N central state bodies (roots, region `republican`) with distinct IT head
    addresses; returns the IT head addresses.

    The head of the organization is written to as well once a unit is more than 7
    days overdue (and the parent's IT head and coordinators from 14 days: there are
    none here). To keep it to one email per unit, `head=same` gives the head the IT
    head's address (one person in two roles gets it once) and `head=empty` leaves it
    out (the head's item is then recorded as skipped)."""
    gen = registry.RegistryGenerator(count, seed)
    emails: list[str] = []
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(CSV_HEADER)
        for i in range(count):
            org = registry.Org(bin=gen.bins.next(), level=0, parent=None, region="republican",
                               headcount=gen.rng.randrange(50, 5001), name_kk="", name_ru="",
                               name_en="")
            name_kk, name_ru, name_en = gen.names(0, None, i, org)
            it_name, it_email = gen.person()
            # Distinct addresses: the generator's own may repeat.
            local, domain = it_email.split("@", 1)
            it_email = f"{local.rstrip('0123456789')}.{i + 1:05d}@{domain}"
            emails.append(it_email)
            head_name, _ = gen.person()
            if head == "same":
                head_name, head_email = it_name, it_email
            else:
                head_email = ""
            w.writerow([org.bin, "central_state_body", "", "republican",
                        org.headcount, name_kk, name_ru, name_en, it_name, it_email,
                        gen.phone(), head_name, head_email])
    assert len(set(emails)) == count, "IT head addresses must be distinct"
    return emails


# ---------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------

def pin(binary: Path, workdir: Path) -> Path:
    """A private copy: another build replacing the file cannot change the binary mid-run."""
    copy = workdir / "bin" / binary.name
    copy.parent.mkdir(exist_ok=True)
    shutil.copy2(binary, copy)
    return copy


def describe_binary(binary: Path) -> dict:
    digest = hashlib.sha256()
    with binary.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    stat = binary.stat()
    return {"path": str(binary), "sha256": digest.hexdigest()[:16],
            "modified": dt.datetime.fromtimestamp(stat.st_mtime, dt.timezone.utc)
            .isoformat(timespec="seconds")}


def worktree_changes() -> list[str]:
    """Files changed in the work tree (what a build from it contains beyond the commit)."""
    try:
        r = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                           cwd=REPO_ROOT, capture_output=True, text=True, timeout=10)
        return [line[3:] for line in r.stdout.splitlines() if line.strip()]
    except (OSError, subprocess.SubprocessError):
        return []


def target_dir() -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR") or REPO_ROOT / "target")
    return target if target.is_absolute() else REPO_ROOT / target


def build(service: bool) -> tuple[Path, Path]:
    """(the service, the SMTP sink), both release builds; the service only if `service`."""
    cmds = [["cargo", "build", "--release", "--example", "smtp_sink"]]
    if service:
        cmds.insert(0, ["cargo", "build", "--release"])
    for cmd in cmds:
        log(" ".join(cmd) + " (waits if another cargo holds the build lock)")
        result = subprocess.run(cmd, cwd=REPO_ROOT)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed with exit code {result.returncode}")
    binary = target_dir() / "release" / "aitu-tracker"
    sink = target_dir() / "release" / "examples" / "smtp_sink"
    for path in (binary, sink):
        if not path.is_file():
            raise SystemExit(f"the build finished but {path} is missing")
    return binary, sink


# ---------------------------------------------------------------------------
# The SMTP sink
# ---------------------------------------------------------------------------

class Sink:
    """examples/smtp_sink on a free port of 127.0.0.1; follows its status lines."""

    def __init__(self, binary: Path, threads: int = 16):
        self.proc = subprocess.Popen([str(binary), "--threads", str(threads)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.lock = threading.Lock()
        self.state = {"count": 0, "connections": 0, "bytes": 0, "first": 0.0, "last": 0.0}
        self.port: int | None = None
        ready = threading.Event()

        def follow() -> None:
            for line in self.proc.stdout:
                line = line.strip()
                if line.startswith("listening "):
                    self.port = int(line.rsplit(":", 1)[1])
                    ready.set()
                    continue
                m = SINK_LINE_RE.match(line)
                if m:
                    with self.lock:
                        self.state = {
                            "count": int(m.group(1)), "connections": int(m.group(2)),
                            "bytes": int(m.group(3)), "first": float(m.group(4)),
                            "last": float(m.group(5)),
                        }
            ready.set()

        self.reader = threading.Thread(target=follow, daemon=True)
        self.reader.start()
        if not ready.wait(SINK_READY_TIMEOUT_S) or self.port is None:
            self.stop()
            raise RuntimeError("the SMTP sink did not start: "
                               + tail(self.proc.stderr.read() if self.proc.stderr else "", 3))

    def snapshot(self) -> dict:
        with self.lock:
            return dict(self.state)

    def wait_for(self, count: int, timeout: float) -> dict:
        """Waits (bounded) until the sink reports `count` messages and nothing more comes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.snapshot()["count"] >= count:
                break
            time.sleep(0.05)
        time.sleep(0.3)  # one more status line if anything else arrives
        return self.snapshot()

    def peak_rss_mb(self) -> float | None:
        return registry.peak_rss_mb(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()  # the sink exits when its stdin closes
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


def probe_message(size: int) -> bytes:
    line = "Бақылау хаты: the sink is measured alone, without the service. "
    body = (line * (size // len(line.encode()) + 1))
    text = ("From: aitu-tracker <noreply@aitu-tracker.invalid>\r\n"
            "To: probe@example.kz\r\nSubject: sink probe\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            + "\r\n".join(body[i:i + 70] for i in range(0, len(body), 70)) + "\r\n")
    return text.encode()[: size] + b"\r\n"


def measure_sink(sink_binary: Path, messages: int, size: int) -> dict:
    """The sink's capacity with Python's smtplib as the client: one connection sending
    sequentially (the shape of the service's delivery), then several in parallel. These
    are lower bounds: the Python client is the slower side."""
    sink = Sink(sink_binary)
    out: dict = {"message_bytes": size, "client": "python smtplib"}
    try:
        data = probe_message(size)

        def send(n: int, offset: int) -> None:
            with smtplib.SMTP(HOST, sink.port, timeout=30) as s:
                s.ehlo()
                for i in range(n):
                    s.sendmail("noreply@aitu-tracker.invalid", [f"probe{offset + i}@example.kz"],
                               data)

        start = time.perf_counter()
        send(messages, 0)
        wall = time.perf_counter() - start
        got = sink.wait_for(messages, SINK_SETTLE_TIMEOUT_S)["count"]
        out["sequential"] = {"connections": 1, "messages": messages, "received": got,
                             "seconds": wall, "messages_per_s": messages / wall}

        per = messages // SINK_PROBE_PARALLEL
        errors: list[str] = []

        def worker(k: int) -> None:
            try:
                send(per, messages + k * per)
            except (OSError, smtplib.SMTPException) as e:
                errors.append(f"{type(e).__name__}: {e}")

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(SINK_PROBE_PARALLEL)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        wall = time.perf_counter() - start
        total = per * SINK_PROBE_PARALLEL
        got = sink.wait_for(messages + total, SINK_SETTLE_TIMEOUT_S)["count"] - messages
        out["parallel"] = {"connections": SINK_PROBE_PARALLEL, "messages": total,
                           "received": got, "seconds": wall, "messages_per_s": total / wall,
                           "errors": errors[:3]}
        out["sink_peak_rss_mb"] = sink.peak_rss_mb()
    finally:
        sink.stop()
    return out


# ---------------------------------------------------------------------------
# One backend
# ---------------------------------------------------------------------------

@dataclass
class BackendResult:
    backend: str
    error: str | None = None
    imported: dict = field(default_factory=dict)
    dry_run: dict = field(default_factory=dict)
    run: dict = field(default_factory=dict)
    sink: dict = field(default_factory=dict)
    phases: dict = field(default_factory=dict)
    database: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def timed(binary: Path, args: list[str], env: dict, timeout: float) -> tuple[dict, str, str, float, float]:
    """Runs the service's CLI under /usr/bin/time -v: (measured, stdout, own stderr,
    start and end as unix times)."""
    cmd = ["/usr/bin/time", "-v", str(binary), *args]
    start = time.time()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO_ROOT,
                       timeout=timeout)
    end = time.time()
    measured = parse_time_v(r.stderr)
    measured["exit_code"] = r.returncode
    if "max_rss_kib" in measured:
        measured["peak_mb"] = measured["max_rss_kib"] / 1024
    return measured, r.stdout, strip_time_v(r.stderr), start, end


def service_env(database_url: str, smtp_port: int, pool_size: int,
                delivery_workers: int | None = None) -> dict[str, str]:
    env = registry.service_env(database_url, free_port())
    env.update({
        "AITU__REMINDERS__ENABLED": "false",
        "AITU__MAIL__TRANSPORT": "smtp",
        "AITU__MAIL__SMTP_URL": f"smtp://{HOST}:{smtp_port}?tls=none",
        "AITU__MAIL__POOL_SIZE": str(pool_size),
    })
    if delivery_workers is not None:
        # Only when asked: a build without the key refuses unknown settings.
        env["AITU__REMINDERS__DELIVERY_WORKERS"] = str(delivery_workers)
    return env


def pg_counters(pg: PgDatabase) -> dict | None:
    """Transactions and rows of the benchmark database so far (pg_stat_database)."""
    r = subprocess.run(
        ["psql", pg.admin_url, "-X", "-At", "-F", " ", "-c",
         "SELECT pg_stat_force_next_flush(); "
         f"SELECT xact_commit, xact_rollback, tup_returned, tup_fetched, tup_inserted, "
         f"tup_updated FROM pg_stat_database WHERE datname = '{pg.name}'"],
        capture_output=True, text=True, timeout=60)
    lines = [l for l in r.stdout.splitlines() if l.strip()]
    if r.returncode != 0 or not lines:
        return None
    keys = ["xact_commit", "xact_rollback", "tup_returned", "tup_fetched", "tup_inserted",
            "tup_updated"]
    return dict(zip(keys, (int(v) for v in lines[-1].split())))


def outbox_counts(backend: str, db_path: Path | None, pg: PgDatabase | None) -> dict:
    sql = ("SELECT 'message:' || state, count(*) FROM reminder_messages GROUP BY state "
           "UNION ALL SELECT 'item:' || state, count(*) FROM reminder_items GROUP BY state")
    out: dict = {}
    if backend == "sqlite":
        import sqlite3
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as c:
            rows = c.execute(sql).fetchall()
    else:
        r = subprocess.run(["psql", pg.url, "-X", "-At", "-F", "\t", "-c", sql],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            return {"error": tail(r.stderr, 2)}
        rows = [line.split("\t") for line in r.stdout.splitlines() if line.strip()]
    for key, n in rows:
        out[key] = int(n)
    return out


def run_backend(backend: str, args, binary: Path, sink_binary: Path, workdir: Path,
                csv_path: Path) -> BackendResult:
    result = BackendResult(backend)
    pg: PgDatabase | None = None
    sink: Sink | None = None
    db_path: Path | None = None
    expected = args.count
    try:
        if backend == "sqlite":
            db_path = workdir / "reminders.db"
            for suffix in ("", "-wal", "-shm"):
                Path(str(db_path) + suffix).unlink(missing_ok=True)
            database_url = f"sqlite://{db_path}"
        else:
            pg = PgDatabase(args.pg_url)
            pg.create()
            database_url = pg.url

        sink = Sink(sink_binary)
        log(f"{backend}: SMTP sink on {HOST}:{sink.port}")
        env = service_env(database_url, sink.port, args.pool_size, args.delivery_workers)

        # 1. The registry.
        log(f"{backend}: importing {expected} organizations")
        measured, stdout, stderr, start, end = timed(
            binary, ["import", "organizations", str(csv_path)], env, REMIND_TIMEOUT_S)
        result.imported = {**measured, "output": stdout.strip()}
        if measured["exit_code"] != 0:
            result.error = f"import failed (exit {measured['exit_code']}): {tail(stderr, 5)}"
            return result
        if pg is not None:
            pg.psql("ANALYZE", url=pg.url)
            result.notes.append("ANALYZE was run after the import")

        # 2. Planning alone: a dry run writes and sends nothing.
        log(f"{backend}: remind --dry-run --ignore-window")
        measured, stdout, stderr, start, end = timed(
            binary, ["remind", "--dry-run", "--ignore-window"], env, REMIND_TIMEOUT_S)
        m = DRY_RE.search(stdout)
        preview = [line for line in stdout.splitlines() if line.startswith("aitu ")]
        result.dry_run = {
            **measured,
            "planned": int(m.group(1)) if m else None,
            "preview_to_send": sum(1 for line in preview if "SKIPPED" not in line),
            "preview_skipped": sum(1 for line in preview if "SKIPPED" in line),
            "roles": sorted({line.split()[2] for line in preview if len(line.split()) > 2}),
        }
        if measured["exit_code"] != 0:
            result.error = f"remind --dry-run failed: {tail(stderr, 5)}"
            return result
        if result.dry_run["preview_to_send"] != expected:
            result.notes.append(f"the dry run plans {result.dry_run['preview_to_send']} emails "
                                f"to send, expected {expected}")

        # 3. The pass.
        pass_env = env
        counters_before = pg_counters(pg) if pg is not None else None
        before = sink.snapshot()
        if before["count"]:
            result.notes.append(f"the sink had {before['count']} messages before the pass")
        log(f"{backend}: remind --ignore-window ({expected} messages expected)")
        measured, stdout, stderr, start, end = timed(
            binary, ["remind", "--ignore-window"], pass_env, REMIND_TIMEOUT_S)
        m = PASS_RE.search(stdout)
        report = dict(zip(["queued", "skipped", "deferred", "sent", "retrying", "failed",
                           "cancelled"], (int(g) for g in m.groups()))) if m else {}
        result.run = {**measured, "output": stdout.strip(), "report": report,
                      "started_at_unix": start, "ended_at_unix": end}
        if stderr.strip():
            result.run["stderr_tail"] = tail(stderr, 10)
        if measured["exit_code"] != 0:
            result.error = f"remind failed (exit {measured['exit_code']}): {tail(stderr, 5)}"
        sent = report.get("sent")
        if sent != expected:
            result.notes.append(f"the pass reports {sent} sent, expected {expected}")

        got = sink.wait_for(before["count"] + expected, SINK_SETTLE_TIMEOUT_S)
        received = got["count"] - before["count"]
        result.sink = {**got, "received": received, "connections_during_pass":
                       got["connections"] - before["connections"],
                       "bytes_per_message": (got["bytes"] - before["bytes"]) / received
                       if received else None,
                       "peak_rss_mb": sink.peak_rss_mb(), "port": sink.port}
        if received != expected:
            result.notes.append(f"the sink received {received} messages, expected {expected}")

        # Phases: the sink stamps the first and last message received.
        wall = measured.get("wall_s") or (end - start)
        result.phases["wall_s"] = wall
        result.phases["overall_messages_per_s"] = (sent or 0) / wall if wall else None
        result.phases["plan_dry_run_s"] = result.dry_run.get("wall_s")
        if received >= 2 and got["first"] >= start:
            first, last = got["first"], got["last"]
            result.phases["until_first_message_s"] = first - start
            result.phases["delivery_s"] = last - first
            result.phases["after_last_message_s"] = end - last
            # N-1 intervals between the first and the last message.
            result.phases["delivery_messages_per_s"] = (received - 1) / (last - first)
            dry = result.dry_run.get("wall_s")
            if dry is not None:
                result.phases["enqueue_estimate_s"] = max(0.0, first - start - dry)
        else:
            result.notes.append("the sink's timestamps do not allow splitting the phases")

        if counters_before is not None:
            after = pg_counters(pg)
            if after is not None and sent:
                delta = {k: after[k] - counters_before[k] for k in after}
                result.database["pg_stat_database_delta"] = delta
                # Includes planning's few statements and the pass's own connections.
                result.database["transactions_per_message"] = (
                    (delta["xact_commit"] + delta["xact_rollback"]) / sent)
        result.database["outbox"] = outbox_counts(backend, db_path, pg)
        log(f"{backend}: {stdout.strip()}; sink received {received}")
    except Exception as e:  # noqa: BLE001 - one backend failing must not stop the other
        result.error = f"{type(e).__name__}: {e}"
    finally:
        if sink is not None:
            sink.stop()
        if pg is not None:
            pg.drop()
    return result


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

def fmt_s(value) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def table(results: list[BackendResult], args, sink_probe: dict) -> str:
    header = ["backend", "sent", "sink got", "SMTP conns", "plan (dry run) s",
              "until 1st msg s", "delivery s", "delivery msg/s", "overall msg/s", "peak RSS MB"]
    rows = []
    for r in results:
        ph = r.phases
        rows.append([
            r.backend,
            str(r.run.get("report", {}).get("sent", "n/a")),
            str(r.sink.get("received", "n/a")),
            str(r.sink.get("connections_during_pass", "n/a")),
            fmt_s(ph.get("plan_dry_run_s")),
            fmt_s(ph.get("until_first_message_s")),
            fmt_s(ph.get("delivery_s")),
            fmt_num(ph.get("delivery_messages_per_s")),
            fmt_num(ph.get("overall_messages_per_s")),
            fmt_num(r.run.get("peak_mb"), 1) if r.run.get("peak_mb") else "n/a",
        ])
    rows.append(["targets", "", "", "", "", "", "",
                 f">= {TARGETS['delivery_messages_per_s_min']}", "", ""])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    workers = ("service default" if args.delivery_workers is None
               else str(args.delivery_workers))
    lines = [f"reminder benchmark: {args.count} due reminders, one pass, SMTP pool_size "
             f"{args.pool_size}, delivery_workers {workers}, head={args.head}"]
    seq = sink_probe.get("sequential", {})
    par = sink_probe.get("parallel", {})
    if seq:
        lines.append(f"sink alone ({sink_probe['client']}, {sink_probe['message_bytes']} B "
                     f"messages): {fmt_num(seq.get('messages_per_s'))} msg/s on 1 connection, "
                     f"{fmt_num(par.get('messages_per_s'))} msg/s on "
                     f"{par.get('connections', '?')} (client-bound lower bounds)")
    elif sink_probe.get("skipped"):
        lines.append(f"sink alone: not measured ({sink_probe['skipped']})")
    for row in [header, *rows]:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    return "\n".join(lines)


def details(results: list[BackendResult]) -> str:
    out = []
    for r in results:
        if r.error:
            out.append(f"{r.backend}: ERROR {r.error}")
        for note in r.notes:
            out.append(f"{r.backend}: note: {note}")
        if r.run.get("output"):
            out.append(f"{r.backend}: pass: {r.run['output']}")
        tpm = r.database.get("transactions_per_message")
        if tpm is not None:
            out.append(f"{r.backend}: {tpm:.1f} PostgreSQL transactions per message sent "
                       f"(pg_stat_database)")
        enq = r.phases.get("enqueue_estimate_s")
        if enq is not None:
            out.append(f"{r.backend}: enqueue (and the first send) took about {enq:.2f} s "
                       f"beyond the dry run's {r.phases['plan_dry_run_s']:.2f} s")
    return "\n".join(out)


def write_json(result: BackendResult, meta: dict) -> Path:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"reminders-{result.backend.replace('+', '-')}.json"
    doc = {
        **meta,
        "backend": result.backend,
        "error": result.error,
        "notes": result.notes,
        "phases": result.phases,
        "import": result.imported,
        "dry_run": result.dry_run,
        "pass": result.run,
        "sink": result.sink,
        "database": result.database,
        "targets": TARGETS,
    }
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10000,
                        help="due reminders (organizations, one email each; default 10000)")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres",
                        help="PostgreSQL server to create the benchmark database on")
    parser.add_argument("--pool-size", type=int, default=4,
                        help="mail.pool_size: SMTP connections kept open (default 4)")
    parser.add_argument("--delivery-workers", type=int, default=None,
                        help="reminders.delivery_workers (default: the service's own "
                             "default; only for builds that have the setting)")
    parser.add_argument("--head", choices=["same", "empty"], default="same",
                        help="the organization head's address: the IT head's (default) "
                             "or none (the head's item is recorded as skipped)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--binary", type=Path,
                        help="benchmark this aitu-tracker binary instead of building one "
                             "from the work tree (the sink is still built)")
    parser.add_argument("--no-sink-probe", dest="sink_probe", action="store_false",
                        help="do not measure the sink alone first")
    args = parser.parse_args()
    if args.count < 2:
        parser.error("--count must be at least 2")
    if not Path("/usr/bin/time").exists():
        parser.error("/usr/bin/time is needed (package `time`)")

    if args.binary is not None and not args.binary.is_file():
        parser.error(f"--binary {args.binary}: no such file")
    built, sink_binary = build(service=args.binary is None)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    workdir = Path(tempfile.mkdtemp(prefix="aitu-bench-reminders-"))
    results: list[BackendResult] = []
    sink_probe: dict = {"skipped": "--no-sink-probe"}
    source: dict = {}
    try:
        source = {"binary": describe_binary(args.binary or built),
                  "given_with_--binary": args.binary is not None}
        if args.binary is None:
            source["worktree_changes"] = worktree_changes()
        binary = pin(args.binary or built, workdir)
        sink_binary = pin(sink_binary, workdir)
        if args.sink_probe:
            log(f"measuring the SMTP sink alone ({SINK_PROBE_MESSAGES} messages, twice)")
            sink_probe = measure_sink(sink_binary, SINK_PROBE_MESSAGES, 12000)
        csv_path = workdir / "organizations.csv"
        start = time.perf_counter()
        write_csv(csv_path, args.count, args.seed, args.head)
        log(f"generated {args.count} overdue central state bodies in "
            f"{time.perf_counter() - start:.1f} s")
        meta = {
            "benchmark": "reminders",
            "count": args.count,
            "pool_size": args.pool_size,
            "delivery_workers": args.delivery_workers,
            "head": args.head,
            "seed": args.seed,
            "commit": git_commit(),
            "source": source,
            "started_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                        "python": platform.python_version()},
            "load_average_at_start": load_average(),
            "sink_probe": sink_probe,
        }
        for backend in backends:
            result = run_backend(backend, args, binary, sink_binary, workdir, csv_path)
            results.append(result)
            path = write_json(result, {**meta, "load_average_after": load_average()})
            log(f"{result.backend}: figures written to {path.relative_to(REPO_ROOT)}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print(table(results, args, sink_probe))
    if source:
        bin_info = source["binary"]
        origin = ("given with --binary" if source["given_with_--binary"]
                  else f"built from {git_commit()}")
        print(f"service binary: {bin_info['path']} (sha256 {bin_info['sha256']}…, {origin})")
    if source.get("worktree_changes"):
        print("  work tree changes in that build: " + ", ".join(source["worktree_changes"]))
    extra = details(results)
    if extra:
        print()
        print(extra)
    return 0


if __name__ == "__main__":
    sys.exit(main())
