"""Reading documents: speed of the PDF readers, and memory that does not grow with pages.

    python bench/documents.py            # about a minute on 2 cores
    python bench/documents.py --smoke    # 3 and 10 pages, a 64 KiB page: seconds (for CI)

Side by side in one run:
- seconds per 100 pages for pypdfium2 (what longcli uses) and pypdf, on a 1,000-page PDF
  and on the real PDFs in ../shared/data/docs;
- peak RSS of `longcli summarize --method extractive` on a 100-page and a 1,000-page PDF,
  and on the 1,000 pages' text as a .txt file: pages are read one at a time, so the PDF
  should cost about what its text does;
- a 50 MB HTML page: read as text as it is parsed, without main-content heuristics (with
  a warning): seconds and peak RSS of the reading alone.

Each measurement runs `longcli` in a child process (peak memory is per process).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT.parent / "shared" / "data" / "docs"
sys.path.insert(0, str(ROOT))


def pages(n: int) -> list[list[str]]:
    line = "Line {k}: cargo of ship {p}-{k} was weighed, taxed and moved to shed {k}."
    return [
        [f"Page {p}: the harbour master Ilse Varga logged {p} ships on a grey morning."]
        + [line.format(k=k, p=p) for k in range(30)]
        for p in range(1, n + 1)
    ]


def read_seconds(path: Path) -> dict[str, float]:
    """Seconds to read every page's text with pypdfium2 and, when installed, pypdf (the
    comparison only: `pip install pypdf`)."""
    import pypdfium2

    started = time.perf_counter()
    document = pypdfium2.PdfDocument(str(path))
    for i in range(len(document)):
        page = document[i]
        page.get_textpage().get_text_range()
        page.close()
    count = len(document)
    document.close()
    pdfium = time.perf_counter() - started
    try:
        import pypdf
    except ImportError:
        return {"pages": count, "pypdfium2": pdfium}
    started = time.perf_counter()
    for page in pypdf.PdfReader(str(path)).pages:
        page.extract_text()
    return {"pages": count, "pypdfium2": pdfium, "pypdf": time.perf_counter() - started}


def peak_rss_mib(args: list[str]) -> tuple[float, float]:
    """(peak RSS in MiB, seconds) of one `longcli` child process."""
    script = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter()\n"
        "r = subprocess.run([sys.executable, '-m', 'longcli', *sys.argv[1:]], "
        "stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)\n"
        "assert r.returncode == 0, r.stderr\n"
        "print(json.dumps([resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
        "time.perf_counter() - t]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=True
    )
    kib, seconds = json.loads(out.stdout)
    return kib / 1024, seconds


def peak_rss_read(path: Path) -> tuple[float, float]:
    """(peak RSS in MiB, seconds) of reading a document's text in a child process."""
    script = (
        "import json, resource, sys, time\n"
        "from pathlib import Path\n"
        "from longcli.text.decode import Source\n"
        "from longcli.text.documents import open_document\n"
        "t = time.perf_counter()\n"
        "path = Path(sys.argv[1])\n"
        "chars = sum(len(b) for b in open_document(Source(str(path), path)).blocks)\n"
        "print(json.dumps([resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
        "time.perf_counter() - t]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True
    )
    kib, seconds = json.loads(out.stdout)
    return kib / 1024, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="tiny inputs, seconds (for CI)")
    args = parser.parse_args()
    from tests.support.documents import make_html, make_pdf

    few, many, html_kib = (3, 10, 64) if args.smoke else (100, 1000, 50 * 1024)
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        small, big = work / f"{few}.pdf", work / f"{many}.pdf"
        small.write_bytes(make_pdf(pages(few)))
        big.write_bytes(make_pdf(pages(many)))
        text = work / f"{many}.txt"
        text.write_text("\n\n".join("\n".join(p) for p in pages(many)))
        timed = read_seconds(big)
        rows.append({"what": f"read {many:,} generated pages", **timed})
        real_pdfs = sorted(DOCS.glob("*.pdf")) if DOCS.is_dir() and not args.smoke else []
        if not args.smoke and not DOCS.is_dir():
            print(f"documents: {DOCS} is missing; the real PDFs are skipped", file=sys.stderr)
        for real in real_pdfs:
            try:
                rows.append({"what": f"read {real.name}", **read_seconds(real)})
            except Exception as exc:  # the encrypted sample, for one
                rows.append({"what": f"read {real.name}", "error": type(exc).__name__})
        base = ["summarize", "--method", "extractive", "--words", "200", "-q", "--no-cache"]
        for path in (small, big, text):
            mib, seconds = peak_rss_mib([*base, str(path)])
            rows.append({"what": f"summarize {path.name}", "peak_rss_mib": mib, "seconds": seconds})
        html = work / f"{html_kib}k.html"
        paragraph = "The harbour was busy and the sheds were full of cargo. " * 40
        sections = [(f"Day {n}", [paragraph]) for n in range((html_kib << 10) // 2300)]
        html.write_text(make_html("Harbour log", sections))
        mib, seconds = peak_rss_mib([*base, str(html)])
        rows.append(
            {
                "what": f"summarize a {html_kib:,} KiB HTML page",
                "peak_rss_mib": mib,
                "seconds": seconds,
            }
        )
    for row in rows:
        if "pypdfium2" in row:
            pages_read = max(int(row["pages"]), 1)  # type: ignore[call-overload]
            per100 = {
                k: 100 * float(row[k]) / pages_read  # type: ignore[arg-type]
                for k in ("pypdfium2", "pypdf")
                if k in row
            }
            other = "pypdf not installed"
            if "pypdf" in per100:
                ratio = per100["pypdf"] / max(per100["pypdfium2"], 1e-9)
                other = f"pypdf {per100['pypdf']:.3f} ({ratio:.0f}x)"
            print(f"{row['what']:42} s/100 pages: pypdfium2 {per100['pypdfium2']:.3f}, {other}")
        elif "peak_rss_mib" in row:
            print(
                f"{row['what']:42} peak RSS {row['peak_rss_mib']:.0f} MiB, {row['seconds']:.1f} s"
            )
        else:
            print(f"{row['what']:42} {row.get('error')}")
    if args.json:
        print(json.dumps(rows))


if __name__ == "__main__":
    main()
