"""Upload bounds (core.uploads), in a child process with no database.

- A zip bomb: a valid XLSX whose sheet, padded with blanks, expands to `--bomb-mb` MB.
  Ours: `check_file` refusing it from the sizes its members declare (time and peak memory,
  tracemalloc). Baseline, same run: openpyxl in read-only mode (streaming) reading it,
  which is what the import did before the bound.
- The row bound's cost: reading a CSV of `--upload-rows` rows through `uploads.bounded`
  (rows, columns and cells counted) against the bare csv.reader on the same file.

    python -m benchmarks --only uploads
"""

import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

ORDER = 95
MB = 1024 * 1024


def add_arguments(parser) -> None:
    parser.add_argument("--bomb-mb", type=int, default=300, help="zip bomb, MB expanded")
    parser.add_argument("--upload-rows", type=int, default=200_000, help="CSV rows")


def run(args) -> list[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "epicommand.settings"}
    root = Path(__file__).resolve().parents[1]
    arguments = [str(args.bomb_mb), str(args.upload_rows)]
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_uploads", *arguments],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    r = json.loads(done.stdout.strip().splitlines()[-1])
    return [
        f"zip bomb    {r['file_kb']:.0f} KB expanding to {r['bomb_mb']} MB",
        f"{'':<11} {'refused from the declared sizes (ours)':<44} {r['ours_ms']:8.1f} ms  "
        f"peak {r['ours_peak_mb']:6.2f} MB",
        f"{'':<11} {'baseline: openpyxl read-only reading it':<44} {r['raw_ms']:8.1f} ms  "
        f"peak {r['raw_peak_mb']:6.2f} MB  (ours {r['raw_ms'] / r['ours_ms']:,.0f}x faster)",
        f"rows bound  {r['rows']:,} CSV rows",
        f"{'':<11} {'through uploads.bounded (ours)':<44} {r['bounded_ms']:8.1f} ms  "
        f"= {r['bounded_ms'] / r['bare_ms']:4.2f}x baseline",
        f"{'':<11} {'baseline: bare csv.reader':<44} {r['bare_ms']:8.1f} ms",
    ]


def _bomb(path: Path, expanded_mb: int) -> Path:
    import openpyxl

    small = path.with_name("small.xlsx")
    book = openpyxl.Workbook()
    book.active.append(["name", "id_number", "region_code"])
    book.save(small)
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for member in source.infolist():
            data = source.read(member)
            if member.filename != "xl/worksheets/sheet1.xml":
                out.writestr(member, data)
                continue
            head, tail = data.split(b"<sheetData>", 1)
            with out.open(member.filename, "w", force_zip64=True) as sheet:
                sheet.write(head + b"<sheetData>")
                for _ in range(expanded_mb):
                    sheet.write(b" " * MB)
                sheet.write(tail)
    return path


def _measured(call) -> tuple[float, float]:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        call()
    finally:
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return seconds * 1000, peak / MB


def child(bomb_mb: int, rows: int) -> dict:
    import django

    django.setup()
    import openpyxl

    from epicommand.core import policy, uploads

    policy.active = lambda at=None: policy.EDITIONS["9"]  # no database: the default rules

    with tempfile.TemporaryDirectory(prefix="epicommand-bench-") as folder:
        return _measure_all(Path(folder) / "bomb.xlsx", bomb_mb, rows, openpyxl, uploads)


def _measure_all(path: Path, bomb_mb: int, rows: int, openpyxl, uploads) -> dict:
    bomb = _bomb(path, bomb_mb)

    def ours():
        with open(bomb, "rb") as f:
            try:
                uploads.check_file(f, "bomb.xlsx")
            except uploads.Refused:
                return
        raise RuntimeError("the bomb was not refused")

    def raw():
        book = openpyxl.load_workbook(bomb, read_only=True)
        for _row in book.worksheets[0].iter_rows(values_only=True):
            pass
        book.close()

    ours_ms, ours_peak = _measured(ours)
    raw_ms, raw_peak = _measured(raw)

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for n in range(rows + 1):
        writer.writerow([f"居民{n}", f"1301091980{n:08d}", "", "CHN", "M", "1980-01-01", ""])
    text = buffer.getvalue()

    def bare():
        for _ in enumerate(csv.reader(io.StringIO(text)), start=1):
            pass

    def bounded():
        for _ in uploads.bounded(enumerate(csv.reader(io.StringIO(text)), start=1)):
            pass

    bare_ms = min(_timed(bare) for _ in range(3))
    bounded_ms = min(_timed(bounded) for _ in range(3))
    return {
        "file_kb": bomb.stat().st_size / 1024,
        "bomb_mb": bomb_mb,
        "ours_ms": ours_ms,
        "ours_peak_mb": ours_peak,
        "raw_ms": raw_ms,
        "raw_peak_mb": raw_peak,
        "rows": rows,
        "bare_ms": bare_ms,
        "bounded_ms": bounded_ms,
    }


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


if __name__ == "__main__":
    print(json.dumps(child(int(sys.argv[1]), int(sys.argv[2]))))
