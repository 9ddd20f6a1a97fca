# PyTorch peer of the wasmgrad bench, driven by runner-torch.mjs over stdin/stdout: one JSON
# request per line, one JSON reply per line. PyTorch on one thread (BENCH_TORCH_THREADS threads for
# run.mjs --threads), the idiomatic training step
# (zero_grad, F.cross_entropy, backward, optimizer.step) on the model, initial weights and batches
# the bench wrote to a temp dir (common.mjs: names are the torch model's state-dict keys).
# Steps are timed here (time.perf_counter around the loop), so the pipe is not billed.
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.set_num_threads(int(os.environ.get("BENCH_TORCH_THREADS", "1")))
torch.set_num_interop_threads(1)


def read_tensors(path):
    """The bench's tensor file: a JSON header line [{name, shape, dtype}], then the raw little-endian data."""
    with open(path, "rb") as f:
        header = json.loads(f.readline())
        out = {}
        for t in header:
            dtype = np.float32 if t["dtype"] == "float32" else np.int32
            n = int(np.prod(t["shape"], dtype=np.int64))
            a = np.frombuffer(f.read(n * 4), dtype=dtype).reshape(t["shape"])
            out[t["name"]] = torch.from_numpy(a.copy()).long() if dtype == np.int32 else torch.from_numpy(a.copy())
        return out


def blas_info():
    """The BLAS this torch build uses for matmul (BLAS_INFO of its build config: mkl, open, generic…)."""
    config = torch.__config__.show()
    start = config.find("BLAS_INFO=")
    return config[start + len("BLAS_INFO=") :].split(",")[0] if start >= 0 else "unknown"


def gemm_rate(n=512):
    """torch.mm GFLOP/s at n×n×n on this one thread (median of 5 timed products after 3 warm-up), for the report."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(3):
        torch.mm(a, b)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        torch.mm(a, b)
        times.append(time.perf_counter() - t0)
    return 2 * n**3 / sorted(times)[2] / 1e9


class CharGPT(nn.Module):
    """W7: token + position embeddings, pre-norm encoder blocks with a causal mask, final LayerNorm, head."""

    def __init__(self, vocab, seq, d, heads, ff, layers):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(seq, d)
        self.blocks = nn.ModuleList(
            nn.TransformerEncoderLayer(d, heads, dim_feedforward=ff, dropout=0.0, batch_first=True, norm_first=True) for _ in range(layers)
        )
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab)
        # PyTorch 1.13 has no is_causal: the additive mask (−inf above the diagonal) is the same model.
        self.register_buffer("mask", torch.triu(torch.full((seq, seq), float("-inf")), diagonal=1))
        self.register_buffer("positions", torch.arange(seq))

    def forward(self, x):
        h = self.tok(x) + self.pos(self.positions)
        for block in self.blocks:
            h = block(h, src_mask=self.mask)
        return self.head(self.norm(h)).reshape(-1, self.head.out_features)


class CharLSTM(nn.Module):
    """W8: Embedding → one-layer LSTM (batch first) → Linear over every position."""

    def __init__(self, vocab, embed, hidden):
        super().__init__()
        self.emb = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x):
        return self.head(self.lstm(self.emb(x))[0]).reshape(-1, self.head.out_features)


def build(spec, shapes, vocab):
    kind = spec["kind"]
    if kind == "mlp":
        sizes = spec["sizes"]
        layers = []
        for i in range(len(sizes) - 1):
            layers += [nn.Linear(sizes[i], sizes[i + 1]), nn.ReLU()]
        return nn.Sequential(*layers[:-1])
    if kind == "lenet":
        c1, c2, fc = shapes["LENET"]["conv1"], shapes["LENET"]["conv2"], shapes["LENET"]["fc"]
        return nn.Sequential(
            nn.Conv2d(c1["in"], c1["out"], c1["k"], padding=c1["pad"]),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(c2["in"], c2["out"], c2["k"], padding=c2["pad"]),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(fc[0], fc[1]),
            nn.ReLU(),
            nn.Linear(fc[1], fc[2]),
            nn.ReLU(),
            nn.Linear(fc[2], fc[3]),
        )
    if kind == "cnn":
        c = shapes["CNN"]
        return nn.Sequential(
            nn.Conv2d(1, c["c1"], c["k"], padding=c["pad"]),
            nn.BatchNorm2d(c["c1"]),
            nn.ReLU(),
            nn.Conv2d(c["c1"], c["c2"], c["k"], padding=c["pad"]),
            nn.BatchNorm2d(c["c2"]),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Dropout(c["dropout"]),
            nn.Flatten(),
            nn.Linear(c["fcIn"], c["classes"]),
        )
    if kind == "gpt":
        g = shapes["GPT"]
        return CharGPT(vocab, spec["seq"], g["dModel"], g["heads"], g["ff"], g["layers"])
    if kind == "lstm":
        s = shapes["LSTM"]
        return CharLSTM(vocab, s["embed"], s["hidden"])
    raise ValueError(f"unknown workload kind {kind}")


def optimizer(spec, params):
    o = spec.get("opt") or {"name": "SGD", "lr": spec["lr"]}
    if o["name"] == "SGD":
        return torch.optim.SGD(params, lr=o["lr"])
    if o["name"] == "Adam":
        return torch.optim.Adam(params, lr=o["lr"], weight_decay=o.get("weightDecay", 0))
    if o["name"] == "AdamW":
        return torch.optim.AdamW(params, lr=o["lr"], weight_decay=o.get("weightDecay", 0.01))
    raise ValueError(f"unknown optimizer {o['name']}")


class Workload:
    def __init__(self, msg):
        spec = msg["spec"]
        self.model = build(spec, msg["shapes"], msg.get("vocab"))
        init = read_tensors(msg["params"])
        own = dict(self.model.named_parameters())
        if set(own) != set(init):
            raise ValueError(f"torch model parameters {sorted(set(own) - set(init))} not in the shared init; {sorted(set(init) - set(own))} missing")
        with torch.no_grad():
            for name, p in own.items():
                if tuple(p.shape) != tuple(init[name].shape):
                    raise ValueError(f"{name}: torch {tuple(p.shape)}, shared init {tuple(init[name].shape)}")
                p.copy_(init[name])
        data = read_tensors(msg["batches"])
        shape_x = msg["shapeX"]
        self.batches = [(data[f"x{i}"].reshape(shape_x), data[f"y{i}"]) for i in range(msg["count"])]
        self.opt = optimizer(spec, self.model.parameters())
        self.model.train()
        self.dropouts = [m for m in self.model.modules() if isinstance(m, nn.Dropout)]
        for m in self.dropouts:
            m.eval()  # off for the checked steps 1–5, as every contender

    def step(self, i):
        x, y = self.batches[i % len(self.batches)]
        self.opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(self.model(x), y)
        loss.backward()
        self.opt.step()
        return loss


class LayerBench:
    """--layers: one layer alone (layers.mjs rows): zero the gradients, forward, sum of the output, backward."""

    def __init__(self, msg):
        layer, shape = msg["layer"], msg["shape"]
        kind = layer["type"]
        self.dropouts = []
        self.x = torch.randn(*shape, requires_grad=msg.get("inputGrad") is not False)
        labels = torch.randint(0, shape[-1], (shape[0],))
        self.module = {
            "conv": lambda: nn.Conv2d(layer.get("in"), layer.get("out"), layer.get("k"), padding=layer.get("pad")),
            "bn": lambda: nn.BatchNorm2d(layer.get("c")),
            "ln": lambda: nn.LayerNorm(layer.get("d")),
            "linear": lambda: nn.Linear(layer.get("in"), layer.get("out")),
            "mha": lambda: nn.MultiheadAttention(layer.get("d"), layer.get("heads"), batch_first=True),
            "lstm": lambda: nn.LSTM(layer.get("in"), layer.get("hidden"), batch_first=True),
            "ce": lambda: None,
        }[kind]()
        if kind == "mha":
            seq = shape[1]
            mask = torch.triu(torch.full((seq, seq), float("-inf")), diagonal=1)
            self.forward = lambda: self.module(self.x, self.x, self.x, attn_mask=mask, need_weights=False)[0].sum()
        elif kind == "lstm":
            self.forward = lambda: self.module(self.x)[0].sum()
        elif kind == "ce":
            self.forward = lambda: F.cross_entropy(self.x, labels)
        else:
            self.forward = lambda: self.module(self.x).sum()

    def step(self, i):
        if self.module is not None:
            self.module.zero_grad(set_to_none=True)
        self.x.grad = None
        loss = self.forward()
        loss.backward()
        return loss


workload = None
gemm_operands = {}  # n → (A, B) of the G1 threads axis


def handle(msg):
    global workload
    cmd = msg["cmd"]
    if cmd == "hello":
        return {"version": torch.__version__, "threads": torch.get_num_threads(), "blas": blas_info(), "gemm": gemm_rate()}
    if cmd == "load":
        workload = Workload(msg)
        return {}
    if cmd == "loadLayer":
        workload = LayerBench(msg)
        return {}
    if cmd == "step":
        return {"loss": workload.step(msg["i"]).item()}
    if cmd == "afterCheck":
        for m in workload.dropouts:
            m.train()
        return {}
    if cmd == "chunk":
        t0 = time.perf_counter()
        for k in range(msg["steps"]):
            workload.step(msg["from"] + k)
        return {"ms": (time.perf_counter() - t0) * 1000}
    if cmd == "gemm":
        # G1 on the threads axis: `calls` products A·B at n×n×n, wall-clock ms.
        n = msg["n"]
        if n not in gemm_operands:
            gemm_operands[n] = (torch.randn(n, n), torch.randn(n, n))
            torch.mm(*gemm_operands[n])
        a, b = gemm_operands[n]
        t0 = time.perf_counter()
        for _ in range(msg["calls"]):
            torch.mm(a, b)
        return {"ms": (time.perf_counter() - t0) * 1000}
    if cmd == "dispose":
        workload = None
        return {}
    raise ValueError(f"unknown command {cmd}")


for line in sys.stdin:
    try:
        reply = handle(json.loads(line))
    except Exception as e:  # reported to the bench, which shows it in the cell
        reply = {"error": f"{type(e).__name__}: {e}"}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()
