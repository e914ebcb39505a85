"""The models learned from the history: label classifiers (category, component, severity) and the owner model.

- Labels: logistic regression (scikit-learn) over the bug's sentence embedding next to TF-IDF word and bigram
  features of the same text (title + first post). The embedding carries meaning, TF-IDF the exact tool and
  command names an embedder blurs. Probabilities are the confidence; below the threshold the answer is "unsure".
- Owners: the same classifier over the same features, with each bug's owner as the label (its assignee, else its
  first responder); the reporter's own probability is removed before ranking. On the OpenROAD benchmark this beat
  similarity-weighted votes of the nearest past bugs, which remain the fallback before a fit (:class:`OwnerTable`).
  Each suggested owner comes with the most similar past bugs they owned.

Fitted models are stored as arrays (coefficients, vocabulary, idf), never pickles, with the history version they
were fit on. scikit-learn is imported only when fitting; prediction is plain numpy and scipy.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .store import StoredModel

TOKEN = re.compile(r"[a-z][a-z0-9_]+")
SEED = 0
#: labelled records a label model needs before it is fit (fewer: answers come from nearest neighbours)
MIN_LABELLED = 10
MIN_SEVERITY_LABELLED = 20
FOLDS = 5


def tokens(text: str) -> list[str]:
    """Lower-case words and their bigrams (``detailed_route``, ``clock tree``)."""
    words = TOKEN.findall(text.lower())
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


@dataclass
class Tfidf:
    """Sublinear TF-IDF over words and bigrams, rows L2-normalised; small enough to store as two arrays."""

    vocabulary: dict[str, int]
    idf: np.ndarray

    @classmethod
    def fit(cls, texts: list[str], *, max_features: int = 20_000, min_df: int = 2) -> Tfidf:
        """Learn the vocabulary (terms in at least ``min_df`` texts, the most frequent first) and idf."""
        df: Counter[str] = Counter()
        for text in texts:
            df.update(set(tokens(text)))
        min_df = min_df if len(texts) >= 4 * min_df else 1
        kept = sorted((t for t, n in df.items() if n >= min_df), key=lambda t: (-df[t], t))[:max_features]
        vocabulary = {t: i for i, t in enumerate(kept)}
        n = len(texts)
        idf = np.array([math.log((1 + n) / (1 + df[t])) + 1.0 for t in kept], dtype=np.float32)
        return cls(vocabulary, idf)

    def transform(self, texts: list[str]) -> Any:
        """A CSR matrix (len(texts), vocabulary size)."""
        from scipy import sparse

        rows, cols, vals = [], [], []
        for r, text in enumerate(texts):
            counts = Counter(self.vocabulary[t] for t in tokens(text) if t in self.vocabulary)
            if not counts:
                continue
            idx = np.fromiter(counts.keys(), dtype=np.int64)
            weights = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32))) * self.idf[idx]
            weights /= float(np.linalg.norm(weights)) or 1.0
            rows.extend([r] * len(idx))
            cols.extend(idx.tolist())
            vals.extend(weights.tolist())
        shape = (len(texts), len(self.vocabulary))
        return sparse.csr_matrix((np.asarray(vals, dtype=np.float32), (rows, cols)), shape=shape)

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The vocabulary (in index order) and idf, for storing."""
        terms = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        return {f"{prefix}terms": np.array(terms, dtype=str), f"{prefix}idf": self.idf}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str) -> Tfidf:
        """Rebuild from :meth:`arrays`."""
        terms = [str(t) for t in arrays[f"{prefix}terms"]]
        return cls({t: i for i, t in enumerate(terms)}, arrays[f"{prefix}idf"].astype(np.float32))


def features(embeddings: np.ndarray, texts: list[str], tfidf: Tfidf | None, embedding_weight: float) -> Any:
    """The classifier's input: the weighted embedding next to the TF-IDF vector (both rows of unit length)."""
    from scipy import sparse

    dense = sparse.csr_matrix(np.asarray(embeddings, dtype=np.float32) * embedding_weight)
    if tfidf is None:
        return dense
    return sparse.hstack([dense, tfidf.transform(texts)], format="csr")


@dataclass
class LabelModel:
    """A fitted label classifier: classes, coefficients, the TF-IDF it reads, and how well it did."""

    name: str
    classes: list[str]
    coef: np.ndarray
    intercept: np.ndarray
    tfidf: Tfidf | None
    embedding_weight: float
    history_version: int
    embedder: str
    metrics: dict[str, Any] = field(default_factory=dict)

    def proba(self, embeddings: np.ndarray, texts: list[str]) -> np.ndarray:
        """Class probabilities, shape (len(texts), len(classes))."""
        x = features(embeddings, texts, self.tfidf, self.embedding_weight)
        logits = np.asarray(x @ self.coef.T) + self.intercept
        if len(self.classes) == 2 and logits.shape[1] == 1:  # scikit-learn keeps one column for two classes
            p = 1.0 / (1.0 + np.exp(-logits[:, 0]))
            return np.stack([1.0 - p, p], axis=1)
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return np.asarray(e / e.sum(axis=1, keepdims=True))

    def stored(self) -> StoredModel:
        """The model as the store keeps it."""
        arrays = {"classes": np.array(self.classes, dtype=str), "coef": self.coef, "intercept": self.intercept}
        if self.tfidf is not None:
            arrays |= self.tfidf.arrays("tfidf_")
        meta = {
            "kind": "label",
            "field": self.name,
            "embedder": self.embedder,
            "embedding_weight": self.embedding_weight,
            "metrics": self.metrics,
        }
        return StoredModel(self.name, self.history_version, meta, arrays)

    @classmethod
    def from_stored(cls, stored: StoredModel) -> LabelModel:
        """Rebuild from :meth:`stored`."""
        a = stored.arrays
        return cls(
            name=stored.meta["field"],
            classes=[str(c) for c in a["classes"]],
            coef=a["coef"],
            intercept=a["intercept"],
            tfidf=Tfidf.from_arrays(a, "tfidf_") if "tfidf_terms" in a else None,
            embedding_weight=float(stored.meta["embedding_weight"]),
            history_version=stored.history_version,
            embedder=stored.meta["embedder"],
            metrics=stored.meta.get("metrics", {}),
        )


def _train(
    embeddings: np.ndarray, texts: list[str], labels: list[str], *, c: float, use_tfidf: bool, embedding_weight: float
) -> tuple[Any, Tfidf | None]:
    from sklearn.linear_model import LogisticRegression

    tfidf = Tfidf.fit(texts) if use_tfidf else None
    # newton-cg: the same optimum as lbfgs, measured 7× faster on these few-hundred-row, sparse problems.
    classifier = LogisticRegression(C=c, max_iter=2000, solver="newton-cg")
    classifier.fit(features(embeddings, texts, tfidf, embedding_weight), labels)
    return classifier, tfidf


def fit_label_model(
    field_name: str,
    embeddings: np.ndarray,
    texts: list[str],
    labels: list[str],
    *,
    history_version: int,
    embedder: str,
    threshold: float,
    c: float = 4.0,
    use_tfidf: bool = True,
    embedding_weight: float = 1.0,
    cross_validate: bool = True,
    exclude: list[str] | None = None,
) -> LabelModel | None:
    """Fit a classifier of ``labels`` (one per text, "" = unlabelled); None when there are too few labels.

    With ``cross_validate`` the metrics hold the 5-fold cross-validated accuracy, macro-F1, hit@3, and the
    accuracy and coverage of answers at ``threshold`` (folds shuffled with a fixed seed). ``exclude`` names, per
    text, a label that is never predicted for it (the reporter, for owners).
    """
    keep = [i for i, label in enumerate(labels) if label]
    y = [labels[i] for i in keep]
    if len(keep) < MIN_LABELLED or len(set(y)) < 2:
        return None
    x_emb, x_text = embeddings[keep], [texts[i] for i in keep]
    metrics: dict[str, Any] = {"labelled": len(y), "classes": dict(Counter(y).most_common())}
    if cross_validate:
        excluded = [exclude[i] for i in keep] if exclude is not None else None
        metrics |= cross_validated(
            x_emb, x_text, y, threshold, c=c, use_tfidf=use_tfidf, weight=embedding_weight, exclude=excluded
        )
    classifier, tfidf = _train(x_emb, x_text, y, c=c, use_tfidf=use_tfidf, embedding_weight=embedding_weight)
    return LabelModel(
        name=field_name,
        classes=[str(c) for c in classifier.classes_],
        coef=classifier.coef_.astype(np.float32),
        intercept=classifier.intercept_.astype(np.float32),
        tfidf=tfidf,
        embedding_weight=embedding_weight,
        history_version=history_version,
        embedder=embedder,
        metrics=metrics,
    )


def cross_validated(
    embeddings: np.ndarray,
    texts: list[str],
    labels: list[str],
    threshold: float,
    *,
    c: float,
    use_tfidf: bool,
    weight: float,
    exclude: list[str] | None = None,
) -> dict[str, Any]:
    """Out-of-fold accuracy, macro-F1, hit@3, and accuracy/coverage at ``threshold`` of one classifier setting."""
    from sklearn.metrics import f1_score
    from sklearn.model_selection import KFold

    folds = KFold(n_splits=min(FOLDS, len(labels)), shuffle=True, random_state=SEED)
    predicted: list[str] = [""] * len(labels)
    confidence = np.zeros(len(labels))
    top3 = [False] * len(labels)
    for train, test in folds.split(texts):
        y_train = [labels[i] for i in train]
        if len(set(y_train)) < 2:
            for i in test:
                predicted[i], confidence[i], top3[i] = y_train[0], 1.0, y_train[0] == labels[i]
            continue
        clf, tfidf = _train(
            embeddings[train], [texts[i] for i in train], y_train, c=c, use_tfidf=use_tfidf, embedding_weight=weight
        )
        proba = clf.predict_proba(features(embeddings[test], [texts[i] for i in test], tfidf, weight))
        classes = [str(c) for c in clf.classes_]
        for row, i in enumerate(test):
            ranked = rank_labels(classes, proba[row], exclude[i] if exclude else "")
            predicted[i], confidence[i] = ranked[0] if ranked else ("", 0.0)
            top3[i] = labels[i] in [label for label, _ in ranked[:3]]
    correct = np.array([p == y for p, y in zip(predicted, labels, strict=True)])
    assigned = confidence >= threshold
    return {
        "cv_accuracy": round(float(correct.mean()), 4),
        "cv_macro_f1": round(float(f1_score(labels, predicted, average="macro", zero_division=0)), 4),
        "cv_hit_at_3": round(sum(top3) / len(top3), 4),
        "cv_coverage_at_threshold": round(float(assigned.mean()), 4),
        "cv_accuracy_at_threshold": round(float(correct[assigned].mean()), 4) if assigned.any() else None,
        "threshold": threshold,
    }


def rank_labels(classes: list[str], proba: np.ndarray, exclude: str = "") -> list[tuple[str, float]]:
    """(label, probability) best first, without ``exclude``, renormalised to sum to 1."""
    pairs = [(c, float(p)) for c, p in zip(classes, proba, strict=True) if c != exclude]
    total = sum(p for _, p in pairs) or 1.0
    return sorted(((c, p / total) for c, p in pairs), key=lambda item: (-item[1], item[0]))


# -- nearest neighbours -----------------------------------------------------------------------------------------


def neighbour_votes(sims: np.ndarray, labels: list[str], k: int) -> dict[str, float]:
    """Share of similarity-weighted votes of the ``k`` most similar labelled records, per label."""
    labelled = np.array([i for i, label in enumerate(labels) if label], dtype=np.int64)
    if labelled.size == 0:
        return {}
    top = labelled[np.argsort(-sims[labelled], kind="stable")[:k]]
    votes: dict[str, float] = {}
    for j in top:
        votes[labels[j]] = votes.get(labels[j], 0.0) + max(float(sims[j]), 0.0) + 1e-6
    total = sum(votes.values())
    return {label: v / total for label, v in sorted(votes.items(), key=lambda item: -item[1])}


class OwnerTable:
    """The owners of the history records as integer codes: the supporting bugs of a suggested owner, and the
    owner ranking before a model is fit, are then a few numpy operations."""

    def __init__(self, owners: list[str]) -> None:
        self.names = sorted({o for o in owners if o})
        self._code = {name: i for i, name in enumerate(self.names)}
        self.codes = np.array([self._code.get(o, -1) for o in owners], dtype=np.int64)
        self.counts = np.bincount(self.codes[self.codes >= 0], minlength=len(self.names)).astype(np.float64)

    def rows_of(self, name: str) -> np.ndarray:
        """Indices of the history records ``name`` owns."""
        code = self._code.get(name)
        return np.flatnonzero(self.codes == code) if code is not None else np.zeros(0, dtype=np.int64)

    def scores(self, sims: np.ndarray, exclude: str, k: int, prior_weight: float) -> dict[str, float]:
        """The ``k`` nearest owned bugs' similarity-weighted votes blended with each person's share of owned bugs,
        as scores summing to 1, best first; ``exclude`` (the reporter) is never suggested."""
        mask = self.codes >= 0
        counts = self.counts.copy()
        excluded = self._code.get(exclude) if exclude else None
        if excluded is not None:
            mask &= self.codes != excluded
            counts[excluded] = 0.0
        valid = np.flatnonzero(mask)
        if valid.size == 0:
            return {}
        top = valid[np.argpartition(-sims[valid], k - 1)[:k]] if valid.size > k else valid
        votes = np.bincount(self.codes[top], weights=np.maximum(sims[top], 0.0) + 1e-6, minlength=len(self.names))
        combined = (1 - prior_weight) * votes / votes.sum() + prior_weight * counts / counts.sum()
        combined /= combined.sum()
        order = np.lexsort((np.arange(len(self.names)), -combined))
        return {self.names[i]: float(combined[i]) for i in order if counts[i] > 0 or votes[i] > 0}
