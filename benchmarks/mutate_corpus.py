"""Write N mutants of the real files of a corpus, for a hostile-input run of iamlint.

    python benchmarks/mutate_corpus.py CORPUS OUT N SEED

Picks N files that iamlint reads (``.json``, ``.yaml``, ``.yml``, ``.template``, ``.tf``) from
CORPUS with a fixed SEED and writes each, mutated one to four times, to ``OUT/NNNN/<its
name>``: one directory per mutant, so that a ``.tf`` mutant is a module of its own and one
mutant's run cannot change another's. The same CORPUS, N and SEED give the same bytes.

The mutations are the ones that real damage and hostile input look like: deletions,
duplications, swaps of brackets and quotes, truncations, inserted control characters (and
the odd byte that is not UTF-8), deep nesting, huge numbers, and tokens of the formats'
own grammar (intrinsics, interpolations, heredocs, comments that look like suppressions)
put where they do not belong. ``OUT/MANIFEST.tsv`` names each mutant's source file and
mutations.

Then run each mutant under ``timeout``, for example::

    ls -d OUT/[0-9]* | xargs -P2 -I{} sh -c \\
        'timeout 60 iamlint --isolated --format json {} > {}.json 2> {}.err; echo $? > {}.rc'

and look for tracebacks, IAM903 (internal-error) and exit codes above 2.
"""

from __future__ import annotations

import os
import random
import sys

SUFFIXES = (".json", ".yaml", ".yml", ".template", ".tf")
BRACKETS = b"{}[]()"
QUOTES = b"\"'`"
CONTROLS = [bytes([c]) for c in (*range(0, 9), 11, 12, *range(14, 32), 127)] + [
    "\u2028".encode(),
    "\ufeff".encode(),
    "\u0085".encode(),
]
NOT_UTF8 = [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80"]
TOKENS = [
    b"*",
    b'"*"',
    b"**********x",
    b"*?*?*?*?*?",
    b"${",
    b"${aws_iam_role.x.arn}",
    b"${P}${P}${P}",
    b"!Ref",
    b"!Sub",
    b"!GetAtt",
    b"!If [C, a, b]",
    b"!Select [9, []]",
    b"Fn::Sub",
    b"Fn::Join",
    b"Fn::FindInMap",
    b"Ref",
    b'{"Ref": ["a"]}',
    b"<<EOF\n",
    b"\nEOF\n",
    b"<<-EOT\n",
    b"jsonencode(",
    b"file(",
    b'file("/etc/passwd")',
    b"[for x in y : x]",
    b"var.x[*].y",
    b"? :",
    b"&anchor ",
    b"*anchor",
    b"<<: ",
    b"|\n",
    b">-\n",
    b"---\n",
    b"# iamlint: ignore[ALL] because\n",
    b'"# iamlint: ignore[IAM101] because"',
    b"// iamlint: ignore[ALL] because\n",
    b"/* iamlint: ignore */",
    b"\\u",
    b'"\\ud800"',
    b"\\\\",
    b"null",
    b"true",
    b"-0",
    b"1e999",
    b"NaN",
    b":",
    b",",
    b"=",
    b"\n",
    b"\t",
    b"  ",
]


def deletion(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    i = rng.randrange(len(data))
    return data[:i] + data[i + rng.randint(1, 64) :]


def duplication(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    i = rng.randrange(len(data))
    j = min(len(data), i + rng.randint(1, 400))
    return data[:j] + data[i:j] * rng.randint(1, 3) + data[j:]


def swap_lines(rng: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    if len(lines) < 2:
        return data
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def _replace_one(rng: random.Random, data: bytes, alphabet: bytes) -> bytes:
    places = [i for i, b in enumerate(data) if b in alphabet]
    if not places:
        return data
    i = rng.choice(places)
    new = rng.choice([bytes([b]) for b in alphabet] + [b""])
    return data[:i] + new + data[i + 1 :]


def bracket(rng: random.Random, data: bytes) -> bytes:
    return _replace_one(rng, data, BRACKETS)


def quote(rng: random.Random, data: bytes) -> bytes:
    return _replace_one(rng, data, QUOTES)


def truncation(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def control(rng: random.Random, data: bytes) -> bytes:
    i = rng.randrange(len(data) + 1)
    pool = NOT_UTF8 if rng.random() < 0.15 else CONTROLS
    return data[:i] + rng.choice(pool) + data[i:]


def nesting(rng: random.Random, data: bytes) -> bytes:
    i = rng.randrange(len(data) + 1)
    depth = rng.choice([50, 500, 2000, 20000])
    opener, closer = rng.choice([(b"[", b"]"), (b"{", b"}"), (b"${", b"}"), (b"[", b""), (b"(", b")")])
    return data[:i] + opener * depth + b"1" + closer * depth + data[i:]


def huge_number(rng: random.Random, data: bytes) -> bytes:
    digits = b"9" * rng.choice([40, 400, 4400, 20000])
    places = [i for i in range(len(data)) if 48 <= data[i] <= 57]
    if places and rng.random() < 0.7:
        i = rng.choice(places)
        return data[:i] + digits + data[i:]
    i = rng.randrange(len(data) + 1)
    return data[:i] + digits + data[i:]


def token(rng: random.Random, data: bytes) -> bytes:
    i = rng.randrange(len(data) + 1)
    if rng.random() < 0.5:  # in place of the word there
        j = i
        while j < len(data) and j - i < 40 and (chr(data[j]).isalnum() or data[j] in b"_:-"):
            j += 1
        return data[:i] + rng.choice(TOKENS) + data[j:]
    return data[:i] + rng.choice(TOKENS) + data[i:]


MUTATIONS = [
    deletion,
    duplication,
    swap_lines,
    bracket,
    quote,
    truncation,
    control,
    nesting,
    huge_number,
    token,
    token,
]


def sources(corpus: str) -> list[str]:
    found = []
    for directory, dirs, files in os.walk(corpus):
        dirs.sort()
        for name in sorted(files):
            if name.lower().endswith(SUFFIXES):
                found.append(os.path.join(directory, name))
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    corpus, out, n, seed = argv[0], argv[1], int(argv[2]), int(argv[3])
    rng = random.Random(seed)
    files = sources(corpus)
    if not files:
        print(f"{corpus}: no .json, .yaml, .yml, .template or .tf files", file=sys.stderr)
        return 2
    os.makedirs(out, exist_ok=True)
    width = len(str(n))
    with open(os.path.join(out, "MANIFEST.tsv"), "w", encoding="utf-8") as manifest:
        for k in range(n):
            src = rng.choice(files)
            with open(src, "rb") as fh:
                data = fh.read()
            applied = []
            for _ in range(rng.choice([1, 1, 2, 2, 3, 4])):
                mutation = rng.choice(MUTATIONS)
                data = mutation(rng, data)
                applied.append(mutation.__name__)
            directory = os.path.join(out, str(k + 1).zfill(width))
            os.makedirs(directory, exist_ok=True)
            with open(os.path.join(directory, os.path.basename(src)), "wb") as fh:
                fh.write(data)
            rel = os.path.relpath(src, corpus)
            manifest.write(f"{os.path.basename(directory)}\t{rel}\t{','.join(applied)}\n")
    print(f"{n} mutants of {len(files)} files in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
