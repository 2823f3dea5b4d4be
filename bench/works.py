"""Long works for the reader's bench: public-domain books, fetched outside the repository.

bench/reader_quality.py judges summaries on documents it was tuned on; this manifest adds
whole long works no rule was written for, in several languages and formats, split in two
halves by a fixed rule decided before any summary was read:

    half = "tune" if the first hex digit of sha256(work id) is below 9, else "heldout"

Rules are tuned on the "tune" half only; the "heldout" half is reported side by side and
its summaries are not read while working (reader_quality.py prints only its table unless
--show is given).

    python bench/works.py fetch                  # download into the cache, check sha256
    python bench/works.py fetch --from DIR       # copy local files (named as in the URL)
    python bench/works.py list                   # id, language, half, cached or not
    python bench/reader_quality.py --docs works-tune,works-heldout --methods extractive

The cache is ~/.cache/longcli-bench/works (LONGCLI_BENCH_WORKS overrides). Each file's
sha256 is that of the bytes at its URL, a file of a public GitHub repository pinned to a
commit, so a changed upstream file is refused, not silently measured:

- 13 Project Gutenberg novels in 5 European languages (GITenberg mirrors; public domain in
  the USA, the Project Gutenberg licence's trademark terms on the files as distributed);
- Chinese: 水浒传 in GB18030, as a reader downloads it (a site's banner on top); Japanese:
  two Aozora Bunko novels by Natsume Soseki in Shift_JIS with 《ruby》 and ［＃notes］
  markup (public domain). Each work's `encoding` is passed to longcli as --encoding;
- long PDFs: two NIST Special Publications (97 and 52 pages; US government works), one
  whose metadata title is the name of the Word file it was printed from;
- HTML with real navigation: two saved Wikipedia pages (menus, sidebars, <nav>,
  references; CC BY-SA 3.0) from Mozilla Readability's test pages.

Their licences (each work's `licence` line) and their size (14 MB) keep them out of this
repository. `--from DIR` finds a file by its name at the URL or by its cache name (the
work's id and extension). Exit 2 with one line when the data is missing or wrong.
"""

from __future__ import annotations

import argparse
import codecs
import hashlib
import os
import re
import shutil
import sys
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

DEFAULT_CACHE = Path("~/.cache/longcli-bench/works")
CACHE_ENV = "LONGCLI_BENCH_WORKS"
TUNE_BELOW_HEX = 9  # the split rule's threshold on sha256(id)'s first hex digit (6 / 7)
DOWNLOAD_TIMEOUT_S = 120
EXIT_MISSING = 2
_GITENBERG = "https://raw.githubusercontent.com/GITenberg"
_PG_LICENCE = "public domain in the USA (Project Gutenberg; PG licence terms on the file)"
_RAW = "https://raw.githubusercontent.com"
_AOZORA = "0984f7dc18a2270bdfd2ff99bf14fd1b3ebb4f65"  # aozorahack/aozorabunko_text
_AOZORA_LICENCE = "public domain (Natsume Soseki, died 1916; Aozora Bunko text)"
_NIST = "60a85fcc609e6a79839079b21be53a97e611b1b2"  # fractional-ciso/NIST-Cybersecurity-...
_NIST_LICENCE = "public domain in the USA (a NIST publication, a US government work)"
_READABILITY = "ab4027a8b37669745016869a37a504727992b2ba"  # mozilla/readability
_WIKIPEDIA_LICENCE = "CC BY-SA 3.0 (Wikipedia text; a saved page in mozilla/readability)"


# A raw file pinned to a commit: https://raw.githubusercontent.com/OWNER/REPO/<40 hex>/PATH
_PINNED_RAW = re.compile(rf"{re.escape(_RAW)}/[^/]+/[^/]+/[0-9a-f]{{40}}/.")
# longcli reads a file by its extension, and the cache keeps the URL's.
_SUFFIXES = {"txt": ("txt",), "html": ("html", "htm"), "pdf": ("pdf",), "epub": ("epub",)}


class Half(StrEnum):
    TUNE = "tune"
    HELDOUT = "heldout"


def half_of(work_id: str) -> Half:
    """The fixed split: a work's half follows from its id alone."""
    digit = int(hashlib.sha256(work_id.encode("utf-8")).hexdigest()[0], 16)
    return Half.TUNE if digit < TUNE_BELOW_HEX else Half.HELDOUT


@dataclass(frozen=True)
class Work:
    """One long work: where its bytes come from and what a reader knows of it."""

    id: str
    title: str
    author: str  # "" where the document names none (a Wikipedia page)
    language: str  # ISO 639-1
    format: str  # txt or html, as longcli reads it
    url: str
    sha256: str
    encoding: str = "utf-8"  # as the file's header says; longcli reads UTF-8 unless told
    licence: str = _PG_LICENCE

    @property
    def half(self) -> Half:
        return half_of(self.id)

    @property
    def filename(self) -> str:
        """The name in the cache: the id, with the URL's extension (longcli reads by it)."""
        return self.id + Path(self.url).suffix

    @property
    def source_name(self) -> str:
        """The file's own name at its URL, as `--from DIR` looks for it ("水浒传.txt")."""
        return urllib.parse.unquote(Path(self.url).name)


def _gitenberg(repo: str, commit: str, path: str) -> str:
    return f"{_GITENBERG}/{repo}/{commit}/{path}"


def _raw(repo: str, commit: str, path: str) -> str:
    """A file of a GitHub repository at a commit (the path percent-encoded: "水浒传.txt")."""
    return f"{_RAW}/{repo}/{commit}/{urllib.parse.quote(path)}"


WORKS: tuple[Work, ...] = (
    Work("barrili-notte-bizzarra", "Una notte bizzarra", "Anton Giulio Barrili", "it", "txt",
         _gitenberg("Una-notte-bizzarra_29636", "534fc36798bda4dfed1553497b4775f009a1a434",
                    "29636-8.txt"),
         "445ed79c1f22bf8d56dce5dd241da2a4b7a30def70c87297d49d5bd0a2ba9b91", "iso-8859-1"),
    Work("fontane-effi-briest", "Effi Briest", "Theodor Fontane", "de", "txt",
         _gitenberg("Effi-Briest_5323", "ad711db620a52853f8191bfd1a66e45fda0e51be",
                    "5323-8.txt"),
         "e826e41e136f6e4ef9ce38e4f703f9b936ff54d3395511d347a569f7435fc957", "iso-8859-1"),
    Work("flaubert-madame-bovary", "Madame Bovary", "Gustave Flaubert", "fr", "txt",
         _gitenberg("Madame-Bovary_14155", "defa45e6414550caa8293881e586bfcfbceadc67",
                    "14155-8.txt"),
         "d8383b0e43723286604abcc1a5e96728f462e679b9b4d569d4b469d8f705f862", "iso-8859-1"),
    Work("shelley-frankenstein", "Frankenstein; or, the Modern Prometheus",
         "Mary Wollstonecraft Shelley", "en", "txt",
         _gitenberg("Frankenstein_84", "c98a483bd1f34e7366126b81bcedd1a6faee636e", "84-0.txt"),
         "c29a4f56dd91aa894a3f17d5f96b356ccb499e3e2c5a27964de911845e39efab"),
    Work("verne-tour-du-monde", "Le tour du monde en quatre-vingts jours", "Jules Verne", "fr",
         "txt",
         _gitenberg("Le-tour-du-monde-en-quatre-vingts-jours_800",
                    "28573e09606c48b809d9e50c66c619822fefe0ea", "800-8.txt"),
         "e3fb834a4b93a4b936f0c91fb32ec130187df4159be6c296570d727bb325ec1b", "iso-8859-1"),
    Work("dickens-two-cities", "A Tale of Two Cities", "Charles Dickens", "en", "txt",
         _gitenberg("A-Tale-of-Two-Cities_98", "0f6111bc7237af7375295ec1754c2e57e19f67f1",
                    "98-0.txt"),
         "2fcfa071498b30724bd1bd714ba89e38477d632b86d74e87559f6259d3917e36"),
    Work("stoker-dracula", "Dracula", "Bram Stoker", "en", "txt",
         _gitenberg("Dracula_345", "5216d6ea255fbf8966426a160b68251b18f16907", "345-8.txt"),
         "665ff65cfa74655e6eba4e51deee9a05a8387abaa3170e0c6b65c44a7eea680c", "iso-8859-1"),
    Work("melville-moby-dick", "Moby Dick; Or the Whale", "Herman Melville", "en", "html",
         _gitenberg("Moby-Dick--Or-The-Whale_2701", "bdf1948e6cd00963730971e5624e764a35f238c3",
                    "2701-h/2701-h.htm"),
         "4bab2454d68977e80a22aebbb14b584e8b5819c04b2a28c7fb6efc198dd3fe8b"),
    Work("carroll-alice", "Alice's Adventures in Wonderland", "Lewis Carroll", "en", "txt",
         _gitenberg("Alice-s-Adventures-in-Wonderland_11",
                    "7f18748e114b994d5d9454d5793581bc0b9cf9d7", "11-0.txt"),
         "49a0b2726606e1290ac03a63978fa1dd1bd38a8d805704d98265f393533ea094"),
    Work("voltaire-candide", "Candide", "Voltaire", "fr", "txt",
         _gitenberg("Candide_4650", "3460a8007cb70647d58967f12ff6b97015b73949", "4650-8.txt"),
         "7c5056e6e6804f8a7f71f2eb2156918f77e0afd80104237f95a205eb056075a8", "iso-8859-1"),
    Work("doyle-sherlock-holmes", "The Adventures of Sherlock Holmes", "Arthur Conan Doyle",
         "en", "txt",
         _gitenberg("The-Adventures-of-Sherlock-Holmes_1661",
                    "7e5dd2703fbf503c004063e96ab7c61262375e5f", "1661-8.txt"),
         "87a68129bb1dd7c2eecca7a98f97c27bd507d9901a5e1115de765745a127a82e", "iso-8859-1"),
    Work("kafka-verwandlung", "Die Verwandlung", "Franz Kafka", "de", "txt",
         _gitenberg("Die-Verwandlung_22367", "dd2beec59176851bfb071689539d6091b3d95d11",
                    "22367-8.txt"),
         "fe91c871104780ce5a8fe3e12e79b757f6fb5ffa28ed83d6186e618fb3bf344a", "iso-8859-1"),
    Work("cervantes-don-quijote", "Don Quijote", "Miguel de Cervantes Saavedra", "es", "txt",
         _gitenberg("Don-Quijote_2000", "7879f2c1653ec515d125f49b177c3ef7f596bc3f",
                    "2000-8.txt"),
         "4973737f16b7e8b8972c08e54a95b7bc43b5d93d6738bc08f9256f9c2c68a2ba", "iso-8859-1"),
    # Chinese: a 14th-century novel in GB18030, as a reader's download has it (a site's
    # banner on top; the title and author in its first line).
    Work("shi-naian-shuihu-zhuan", "水浒传", "施耐庵", "zh", "txt",
         _raw("Liangwe/word-frequency-count", "ea2ec1d562e6cdc22511c996f9dbeef9baa55260",
              "水浒传.txt"),
         "03686c8f068eb2c1d5075efe025b64c213e37e558699e796ca91b354f95e0354", "gb18030",
         "public domain (Shi Nai'an, 14th century; a plain-text edition shared on GitHub)"),
    # Japanese: Aozora Bunko texts (Shift_JIS, with 《ruby》 and ［＃notes］ markup).
    Work("natsume-kokoro", "こころ", "夏目漱石", "ja", "txt",
         _raw("aozorahack/aozorabunko_text", _AOZORA,
              "cards/000148/files/773_ruby_5968/773_ruby_5968.txt"),
         "d0124c6a71ca3c8f6898dc84578134789fcbdf6a1133121d205ebdaf52274594", "shift_jis",
         _AOZORA_LICENCE),
    Work("natsume-sanshiro", "三四郎", "夏目漱石", "ja", "txt",
         _raw("aozorahack/aozorabunko_text", _AOZORA,
              "cards/000148/files/794_ruby_4237/794_ruby_4237.txt"),
         "0bab653dbaf0e6a9293e98b8de4ab7770f7a246e2f63046fadd63b76d1af0910", "shift_jis",
         _AOZORA_LICENCE),
    # Long PDFs: NIST Special Publications (97 and 52 pages; SP 800-84's metadata title is
    # "Microsoft Word - SP800-84.doc", its real title is on the cover).
    Work("nist-sp800-84",
         "Guide to Test, Training, and Exercise Programs for IT Plans and Capabilities",
         "Tim Grance", "en", "pdf",
         _raw("fractional-ciso/NIST-Cybersecurity-Documents", _NIST, "SP800-84.pdf"),
         "2abbf8cb1cd13d04283805e2a4a98702be7b0b82b211a0d97d86caad07a5e24f",
         licence=_NIST_LICENCE),
    Work("nist-sp800-70r4",
         "National Checklist Program for IT Products – Guidelines for Checklist Users and "
         "Developers", "Stephen D. Quinn", "en", "pdf",
         _raw("fractional-ciso/NIST-Cybersecurity-Documents", _NIST, "SP800-70r4.pdf"),
         "cd9cd014e65a3b74d36d28b0d48f6854cbb32ad3c3bf85cf8d47c666a50497a5",
         licence=_NIST_LICENCE),
    # HTML with real navigation: saved Wikipedia pages (menus, sidebars, <nav>, references)
    # kept as test pages by Mozilla's Readability. No author is named on the page.
    Work("wikipedia-new-zealand", "New Zealand", "", "en", "html",
         _raw("mozilla/readability", _READABILITY,
              "test/test-pages/wikipedia-2/source.html"),
         "2d49814707297841baa04e1332e19a9dc2aeb7a622c6f078960f27c37ed81f66",
         licence=_WIKIPEDIA_LICENCE),
    Work("wikipedia-time-loop-films", "List of films featuring time loops", "", "en", "html",
         _raw("mozilla/readability", _READABILITY,
              "test/test-pages/wikipedia-4/source.html"),
         "925eb59966aa8b996f93df303b73f88eb65f0e224728a1b1f2e164af7b5d0056",
         licence=_WIKIPEDIA_LICENCE),
)  # fmt: skip


class WorksMissing(Exception):
    """The cache lacks a work, or holds other bytes than the manifest's: one line to show."""


def cache_dir(override: Path | None = None) -> Path:
    if override is not None:
        return override.expanduser()
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE).expanduser()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def works_in(half: Half | None = None, works: Sequence[Work] = WORKS) -> list[Work]:
    return [w for w in works if half is None or w.half == half]


def cached_path(work: Work, cache: Path) -> Path:
    """The checked file of `work` in `cache`; WorksMissing says what to run when it is not."""
    path = cache / work.filename
    if not path.is_file():
        raise WorksMissing(
            f"long works not fetched: {path} is missing (run: python bench/works.py fetch)"
        )
    if sha256_of(path) != work.sha256:
        raise WorksMissing(
            f"long works: {path} is not the manifest's file (sha256 differs); "
            "delete it and run: python bench/works.py fetch"
        )
    return path


def _install(data_from: Path, work: Work, cache: Path) -> None:
    """Check a downloaded or copied file and move it into the cache (atomically)."""
    found = sha256_of(data_from)
    if found != work.sha256:
        data_from.unlink(missing_ok=True)
        raise WorksMissing(f"{work.id}: sha256 {found[:12]}... is not the manifest's")
    os.replace(data_from, cache / work.filename)


def fetch(
    works: Sequence[Work] = WORKS, cache: Path | None = None, source_dir: Path | None = None
) -> list[Path]:
    """Every work into the cache: copied from `source_dir` or downloaded; already-cached
    files that check out are kept."""
    target = cache_dir(cache)
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for work in works:
        path = target / work.filename
        if path.is_file() and sha256_of(path) == work.sha256:
            paths.append(path)
            continue
        with tempfile.NamedTemporaryFile(dir=target, suffix=".part", delete=False) as out:
            part = Path(out.name)
            if source_dir is not None:
                local = next(
                    (
                        p
                        for p in (source_dir / work.source_name, source_dir / work.filename)
                        if p.is_file()
                    ),
                    None,
                )
                if local is None:
                    part.unlink()
                    raise WorksMissing(f"{work.id}: {work.source_name} is not in {source_dir}")
                with open(local, "rb") as f:
                    shutil.copyfileobj(f, out)
            else:
                try:
                    with urllib.request.urlopen(work.url, timeout=DOWNLOAD_TIMEOUT_S) as r:
                        shutil.copyfileobj(r, out)
                except OSError as exc:
                    part.unlink()
                    raise WorksMissing(f"{work.id}: cannot download {work.url} ({exc})") from exc
        _install(part, work, target)
        paths.append(path)
    return paths


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("command", nargs="?", choices=("fetch", "list"))
    parser.add_argument("--cache", type=Path, help=f"[${CACHE_ENV} or {DEFAULT_CACHE}]")
    parser.add_argument("--from", dest="source_dir", type=Path, help="copy from this folder")
    parser.add_argument(
        "--smoke", action="store_true", help="check the manifest and --from, offline"
    )
    args = parser.parse_args(argv)
    if args.command is None and not args.smoke:
        parser.error("give a command (fetch, list) or --smoke")
    return args


def manifest_problems(works: Sequence[Work] = WORKS) -> list[str]:
    """What is wrong with the manifest (empty when nothing): ids, hashes, halves, URLs."""
    problems = []
    ids = [w.id for w in works]
    if len(set(ids)) != len(ids):
        problems.append("duplicate work ids")
    for work in works:
        if len(work.sha256) != 64 or set(work.sha256) - set("0123456789abcdef"):
            problems.append(f"{work.id}: sha256 is not 64 hex digits")
        if not work.url.startswith(
            ("https://raw.githubusercontent.com/", "https://www.gutenberg.org/")
        ):
            problems.append(f"{work.id}: URL is not a pinned public mirror")
        elif work.url.startswith(_RAW) and not _PINNED_RAW.match(work.url):
            problems.append(f"{work.id}: URL names a branch, not a commit")
        if work.format not in ("txt", "html", "pdf", "epub"):
            problems.append(f"{work.id}: unknown format {work.format}")
        elif Path(work.url).suffix.lstrip(".") not in _SUFFIXES[work.format]:
            problems.append(f"{work.id}: a {work.format} work's URL ends otherwise")
        try:
            codecs.lookup(work.encoding)
        except LookupError:
            problems.append(f"{work.id}: unknown encoding {work.encoding}")
        if not work.licence.strip():
            problems.append(f"{work.id}: no licence line")
    if {w.half for w in works} != set(Half):
        problems.append("one half is empty")
    return problems


def run_smoke() -> int:
    """Offline: the manifest is consistent and --from copies, checks and refuses."""
    problems = manifest_problems()
    with tempfile.TemporaryDirectory(prefix="longcli-works-") as tmp:
        source, cache = Path(tmp) / "src", Path(tmp) / "cache"
        source.mkdir()
        body = b"A tiny work. It ends here.\n"
        (source / "tiny.txt").write_bytes(body)
        tiny = Work("tiny", "Tiny", "Nobody", "en", "txt", "https://www.gutenberg.org/tiny.txt",
                    hashlib.sha256(body).hexdigest())  # fmt: skip
        if fetch([tiny], cache, source) != [cache / "tiny.txt"]:
            problems.append("--from did not copy the file")
        wrong = Work(**{**tiny.__dict__, "sha256": "0" * 64})
        (cache / "tiny.txt").unlink()
        try:
            fetch([wrong], cache, source)
            problems.append("a file with another sha256 was accepted")
        except WorksMissing:
            pass
    for line in problems:
        print(f"works --smoke: {line}", file=sys.stderr)
    print(f"works --smoke: {len(WORKS)} works, {len(problems)} problems")
    return 1 if problems else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.smoke:
        return run_smoke()
    cache = cache_dir(args.cache)
    if args.command == "list":
        for work in WORKS:
            path = cache / work.filename
            state = "cached" if path.is_file() else "missing"
            print(f"{work.id:26} {work.language} {work.format:4} {work.half.value:7} {state}")
        return 0
    try:
        paths = fetch(WORKS, cache, args.source_dir)
    except WorksMissing as exc:
        print(f"works: {exc}", file=sys.stderr)
        return EXIT_MISSING
    print(f"works: {len(paths)} works in {cache}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
