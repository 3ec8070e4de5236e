#!/usr/bin/env python3
"""The service's hot paths against the bare stack, on the same machine and database.

The bare stack is `bench/baseline/`: actix-web, diesel and r2d2 with none of the
service's logic. For each backend this script imports a registry with the service,
then sends the same wrk load, in turns, to the service and to the bare server on that
database, and prints how many requests per second each answered:

    read        observer's GET /api/v1/organizations/{bin}   vs  GET /read/{bin}
    audited     admin's GET of the same (a read, contacts     vs  GET /audited/{bin}
                shown, one audit row written)                     (a read and one insert)
    write       PUT /api/v1/rollouts/aitu/status/{bin}        vs  PUT /write/{bin}
                (status row, event, audit row)                    (three inserted rows)

The ratio is service ÷ bare: 1.0 means the service's logic costs nothing, 0.5 means it
halves the throughput (the bound the service keeps to). Figures go to stdout and, in
detail, to bench/out/baseline-<backend>.json. A measurement, not a test: it never
fails because a figure misses its bound. Standard library only (Python 3.11+), wrk.

    python3 bench/baseline.py [--backend sqlite|postgres|both] [--rows N] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import registry as reg
import status as st

BASELINE_DIR = reg.BENCH_DIR / "baseline"
READ_ARGS = ["-t2", "-c32"]
# As bench/status.py: one wrk thread, eight connections, each PUT a transaction.
WRITE_ARGS = ["-t1", "-c8"]

# wrk's script for the bare writes: the same body as status.py's updates, BINs in turn.
BARE_WRITE_SCRIPT = r"""
local cycle = {"in_progress", "migrated", "verified"}
local bins = {}
for line in io.lines(os.getenv("AITU_BENCH_UNITS")) do
  bins[#bins + 1] = line:match("^(%d+)")
end
local sent = 0
function request()
  sent = sent + 1
  local body = '{"status":"' .. cycle[sent % 3 + 1] .. '","accounts_active":' .. (sent % 997 + 1) .. '}'
  return wrk.format("PUT", "/write/" .. bins[(sent % #bins) + 1],
    {["Content-Type"] = "application/json"}, body)
end
"""


def build_baseline() -> Path:
    reg.log("cargo build --release in bench/baseline (its own workspace)")
    result = subprocess.run(["cargo", "build", "--release", "--manifest-path",
                             str(BASELINE_DIR / "Cargo.toml")])
    if result.returncode != 0:
        raise SystemExit(f"building bench/baseline failed with exit code {result.returncode}")
    target = Path(os.environ.get("CARGO_TARGET_DIR") or BASELINE_DIR / "target")
    if not target.is_absolute():
        target = Path.cwd() / target
    binary = target / "release" / "aitu-baseline"
    if not binary.is_file():
        raise SystemExit(f"the build finished but {binary} is missing")
    return binary


def wrk_rate(wrk: str, args: list[str], url: str, duration: int, headers: dict[str, str],
             script: Path | None = None, env: dict | None = None) -> dict:
    """Requests per second that answered 2xx, and wrk's own figures."""
    cmd = [wrk, *args, f"-d{duration}s", "--timeout", "30s"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    if script is not None:
        cmd += ["-s", str(script)]
    cmd.append(url)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 120, env=env)
    out: dict = {"exit_code": r.returncode}
    rps = reg.WRK_RPS_RE.search(r.stdout)
    total = reg.WRK_TOTAL_RE.search(r.stdout)
    non2xx = reg.WRK_NON2XX_RE.search(r.stdout)
    errors = reg.WRK_ERRORS_RE.search(r.stdout)
    if r.returncode != 0 or rps is None or total is None:
        raise RuntimeError(f"wrk failed ({r.returncode}): {reg.tail(r.stderr or r.stdout, 3)}")
    requests = int(total.group(1))
    bad = int(non2xx.group(1)) if non2xx else 0
    out["requests"] = requests
    out["non_2xx"] = bad
    out["socket_errors"] = errors.group(1).strip() if errors else None
    # wrk's rate counts every answer; the one reported counts the good ones.
    out["requests_per_s"] = float(rps.group(1)) * (requests - bad) / requests if requests else 0
    return out


def wait_for(url_check, proc: subprocess.Popen, log_path: Path, what: str) -> None:
    deadline = time.monotonic() + reg.READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode}: "
                               f"{reg.tail(log_path.read_text(errors='replace'), 5)}")
        if url_check():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer within {reg.READY_TIMEOUT_S:.0f} s")


def run_backend(backend: str, args, binary: Path, bare: Path, workdir: Path, csv_path: Path,
                orgs: list[reg.Org], wrk: str) -> dict:
    result: dict = {"backend": backend, "rounds": [], "notes": []}
    pg: reg.PgDatabase | None = None
    proc: subprocess.Popen | None = None
    try:
        database_url, pg = reg.fresh_database(backend, workdir, "baseline.db", args.pg_url)
        port = reg.free_port()
        env = reg.service_env(database_url, port)
        imported = reg.BackendResult(backend)
        if not reg.run_import(binary, env, csv_path, len(orgs), imported):
            raise RuntimeError(f"import failed: {imported.error}")
        if pg is not None:
            pg.psql("ANALYZE", url=pg.url)
        admin = reg.provision_token(binary, env, imported)
        observer = reg.provision_token(binary, env, imported, role="observer")
        if not admin or not observer:
            raise RuntimeError("could not make API tokens: " + "; ".join(imported.notes))
        bin_ = orgs[len(orgs) // 2].bin
        units = workdir / f"bare-units-{backend}.txt"
        units.write_text("".join(f"{o.bin}\n" for o in orgs))
        script = workdir / "bare-write.lua"
        script.write_text(BARE_WRITE_SCRIPT)
        base = f"http://{reg.HOST}:{port}"
        updated = 0
        for round_ in range(1, args.rounds + 1):
            figures: dict = {}
            # The service.
            log_path = workdir / f"serve-{backend}.log"
            with log_path.open("w") as server_log:
                proc = subprocess.Popen([str(binary), "serve"], env=env, cwd=reg.REPO_ROOT,
                                        stdout=server_log, stderr=subprocess.STDOUT)
            api = reg.Api(port, observer)
            reg.wait_ready(api, proc, log_path)
            for _ in range(reg.WARMUP_REQUESTS):
                api.get(f"/api/v1/organizations/{bin_}")
            api.close()
            reg.log(f"{backend} round {round_}: the service")
            figures["read"] = {"service": wrk_rate(
                wrk, READ_ARGS, f"{base}/api/v1/organizations/{bin_}", args.duration,
                {"Authorization": f"Bearer {observer}"})}
            figures["audited"] = {"service": wrk_rate(
                wrk, READ_ARGS, f"{base}/api/v1/organizations/{bin_}", args.duration,
                {"Authorization": f"Bearer {admin}"})}
            # Each round moves units of its own, all not started when it begins.
            writes = st.throughput_wrk(port, admin, orgs[round_ - 1::args.rounds], 0, 8,
                                       args.duration, args.seed, proc.pid, workdir)
            updated += writes["updates_ok"]
            figures["write"] = {"service": {"requests_per_s": writes["updates_per_s"],
                                            "requests": writes["updates_ok"] + writes["errors"],
                                            "non_2xx": writes["errors"]}}
            reg.stop_server(proc)
            # The bare stack, on the same database.
            log_path = workdir / f"bare-{backend}.log"
            with log_path.open("w") as bare_log:
                proc = subprocess.Popen([str(bare), database_url, f"{reg.HOST}:{port}"],
                                        stdout=bare_log, stderr=subprocess.STDOUT)
            api = reg.Api(port, None)
            wait_for(lambda: api.get(f"/read/{bin_}")[0] == 200, proc, log_path,
                     "the bare server")
            for _ in range(reg.WARMUP_REQUESTS):
                api.get(f"/read/{bin_}")
            api.close()
            reg.log(f"{backend} round {round_}: the bare stack")
            figures["read"]["bare"] = wrk_rate(wrk, READ_ARGS, f"{base}/read/{bin_}",
                                               args.duration, {})
            figures["audited"]["bare"] = wrk_rate(wrk, READ_ARGS, f"{base}/audited/{bin_}",
                                                  args.duration, {})
            figures["write"]["bare"] = wrk_rate(
                wrk, WRITE_ARGS, base, args.duration, {}, script,
                dict(os.environ, AITU_BENCH_UNITS=str(units)))
            reg.stop_server(proc)
            proc = None
            result["rounds"].append(figures)
        result["status_updates_ok"] = updated
        for path in ("read", "audited", "write"):
            service = [r[path]["service"]["requests_per_s"] for r in result["rounds"]]
            bare_ = [r[path]["bare"]["requests_per_s"] for r in result["rounds"]]
            result[path] = {"service": statistics.median(service),
                            "bare": statistics.median(bare_)}
            failed = sum(r[path][side].get("non_2xx", 0)
                         for r in result["rounds"] for side in ("service", "bare"))
            if failed:
                result["notes"].append(f"{path}: {failed} answers were not 2xx "
                                       "(left out of the rates)")
    except Exception as e:  # noqa: BLE001 - reported in the table, the other backend runs
        result["error"] = str(e)
    finally:
        if proc is not None:
            reg.stop_server(proc)
        if pg is not None:
            pg.drop()
    return result


def table(results: list[dict], args) -> str:
    lines = [f"bare stack vs service: {args.rows:,} organizations, wrk {args.duration} s "
             f"per figure, median of {args.rounds} rounds (requests/s that answered 2xx)", "",
             "| backend | path | service | bare stack | service ÷ bare |",
             "|---|---|---|---|---|"]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['backend']} | failed: {r['error']} | | | |")
            continue
        for path in ("read", "audited", "write"):
            s, b = r[path]["service"], r[path]["bare"]
            ratio = f"{s / b:.2f}" if b else "n/a"
            lines.append(f"| {r['backend']} | {path} | {s:,.0f} | {b:,.0f} | {ratio} |")
    for r in results:
        lines += [f"- {r['backend']}: {note}" for note in r.get("notes", [])]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rows", type=int, default=20000,
                        help="organizations to import (default 20000)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="turns of service then bare stack; the median is shown")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.rows < 100 or args.rounds < 1 or args.duration < 1:
        parser.error("--rows must be at least 100, --rounds and --duration at least 1")
    wrk, why = reg.ensure_wrk()
    if wrk is None:
        raise SystemExit(f"wrk is needed: {why}")
    binary = reg.build_release()
    bare = build_baseline()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    results = []
    with tempfile.TemporaryDirectory(prefix="aitu-baseline-") as tmp:
        workdir = Path(tmp)
        generator = reg.RegistryGenerator(args.rows, args.seed)
        orgs = generator.generate()
        csv_path = workdir / "organizations.csv"
        generator.write_csv(csv_path)
        for backend in backends:
            results.append(run_backend(backend, args, binary, bare, workdir, csv_path, orgs,
                                       wrk))
    reg.OUT_DIR.mkdir(exist_ok=True)
    for r in results:
        (reg.OUT_DIR / f"baseline-{r['backend']}.json").write_text(json.dumps(r, indent=2))
    print(table(results, args))
    return 0 if all("error" not in r for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
