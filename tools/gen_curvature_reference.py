#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden values for tests/curvature (Hessians, Jacobians, eigenvalues) from PyTorch and NumPy.

Run by hand when a reference changes (needs Debian's python3-torch):
    /usr/bin/python3 tools/gen_curvature_reference.py
Writes tests/data/curvature/*.npy, all float64:
  mlp_{x,y,w1,b1,w2,b2}: a 4-6-1 tanh MLP on 20 samples (37 parameters) with MSE loss;
  mlp_hessian: torch.autograd.functional.hessian of that loss over the parameters flattened in
  the order w1, b1, w2, b2; mlp_v and mlp_hvp: one vector and torch.autograd.functional.hvp;
  jac_a, jac_x, jac: the Jacobian of f(x) = tanh(A x) * sum(x^2) at x;
  sym, sym_values, sym_vectors: a random symmetric 12 x 12 matrix and numpy.linalg.eigh of it.
"""
import os

import numpy as np
import torch
from torch.autograd.functional import hessian, hvp, jacobian

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "curvature")


def save(name, array):
    np.save(os.path.join(OUT, name + ".npy"), np.ascontiguousarray(np.asarray(array, dtype=np.float64)))


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_default_dtype(torch.float64)
    rng = np.random.default_rng(18)
    x = rng.standard_normal((20, 4))
    y = np.sin(x.sum(axis=1, keepdims=True))
    shapes = [(6, 4), (6,), (1, 6), (1,)]
    params = [rng.standard_normal(s) * 0.7 for s in shapes]
    for name, value in zip(["x", "y", "w1", "b1", "w2", "b2"], [x, y] + params):
        save("mlp_" + name, value)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    sizes = [int(np.prod(s)) for s in shapes]

    def loss(flat):
        w1, b1, w2, b2 = [p.reshape(s) for p, s in zip(torch.split(flat, sizes), shapes)]
        out = torch.nn.functional.linear(torch.tanh(torch.nn.functional.linear(xt, w1, b1)), w2, b2)
        return torch.nn.functional.mse_loss(out, yt)

    flat = torch.from_numpy(np.concatenate([p.ravel() for p in params]))
    save("mlp_hessian", hessian(loss, flat).numpy())
    v = rng.standard_normal(flat.numel())
    save("mlp_v", v)
    save("mlp_hvp", hvp(loss, flat, torch.from_numpy(v))[1].numpy())

    a = rng.standard_normal((3, 4))
    xj = rng.standard_normal(4)
    save("jac_a", a)
    save("jac_x", xj)
    at = torch.from_numpy(a)
    save("jac", jacobian(lambda z: torch.tanh(at @ z) * (z * z).sum(), torch.from_numpy(xj)).numpy())

    m = rng.standard_normal((12, 12))
    sym = (m + m.T) / 2
    values, vectors = np.linalg.eigh(sym)
    save("sym", sym)
    save("sym_values", values)
    save("sym_vectors", vectors)
    with open(os.path.join(OUT, "VERSION.txt"), "w") as f:
        f.write(f"torch {torch.__version__}, numpy {np.__version__}\n")


if __name__ == "__main__":
    main()
