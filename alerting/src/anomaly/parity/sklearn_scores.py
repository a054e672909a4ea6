#!/usr/bin/python3
"""Scores rows with scikit-learn's IsolationForest, for parity tests and benchmarks.

Run with Debian's interpreter (/usr/bin/python3, package python3-sklearn).
stdin:  {"train": [[...], ...], "score": [[...], ...],            (score defaults to train)
         "n_estimators": 100, "max_samples": 256, "random_state": 0}
stdout: {"scores": [...], "train_seconds": t, "score_seconds": t}
Scores are the paper's s(x) in (0, 1], i.e. -score_samples(), so they compare directly with
the TypeScript IsolationForest.score().
"""
import json
import sys
import time

import numpy as np
from sklearn.ensemble import IsolationForest


def main() -> None:
    request = json.load(sys.stdin)
    train = np.asarray(request["train"], dtype=float)
    score = np.asarray(request.get("score", request["train"]), dtype=float)
    model = IsolationForest(
        n_estimators=int(request.get("n_estimators", 100)),
        max_samples=int(request.get("max_samples", 256)) if len(train) >= int(request.get("max_samples", 256)) else "auto",
        random_state=int(request.get("random_state", 0)),
    )
    started = time.perf_counter()
    model.fit(train)
    trained = time.perf_counter()
    scores = -model.score_samples(score)
    scored = time.perf_counter()
    json.dump(
        {"scores": scores.tolist(), "train_seconds": trained - started, "score_seconds": scored - trained},
        sys.stdout,
    )


if __name__ == "__main__":
    main()
