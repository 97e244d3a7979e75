"""What managers' verdicts teach the engine: associations between what a query says and what a
listing is for, and a standing for each organization.

A verdict on one suggested match (``POST /matches/feedback``: good or bad) is read as evidence that
the query's features — its concepts and content words — go with the candidate's primary concepts
(good) or do not (bad), and that the candidate's organization answers well or badly. Later queries
that share features get the learnt concepts' listings raised or lowered through the ``feedback``
soft rule. Updates are additive, so the model is the same whatever order verdicts arrive in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

__all__ = ["FeedbackModel", "query_features"]

# One verdict moves a (feature, concept) association by 1/len(features), an organization by 1; the
# rule maps the sums through tanh with these scales, so a few verdicts matter and many saturate.
CONCEPT_SCALE = 2.0
ORG_SCALE = 0.25


def query_features(concepts: Iterable[str], words: Iterable[str]) -> list[str]:
    """The features of a query that verdicts are learnt on: its concepts and its content words."""
    return sorted({*("c:" + c for c in concepts), *("w:" + w for w in words)})


class FeedbackModel:
    """Additive associations learnt from verdicts (not thread-safe: the index's lock guards it)."""

    def __init__(self) -> None:
        self.pairs: dict[str, dict[str, float]] = {}  # feature -> candidate concept -> evidence
        self.orgs: dict[str, float] = {}  # organization id -> net verdicts
        self.verdicts = 0

    def __bool__(self) -> bool:
        return self.verdicts > 0

    def add(self, features: list[str], candidate_concepts: Iterable[str], org_id: str | None, good: bool) -> None:
        """Record one verdict."""
        sign = 1.0 if good else -1.0
        concepts = list(dict.fromkeys(candidate_concepts))
        if features and concepts:
            step = sign / len(features)
            for feature in features:
                row = self.pairs.setdefault(feature, {})
                for concept in concepts:
                    row[concept] = row.get(concept, 0.0) + step
        if org_id is not None:
            self.orgs[org_id] = self.orgs.get(org_id, 0.0) + sign
        self.verdicts += 1

    def concept_scores(self, features: Iterable[str]) -> dict[str, float]:
        """Per candidate concept, the summed evidence of a query's features (zeros left out)."""
        out: dict[str, float] = {}
        for feature in features:
            for concept, value in self.pairs.get(feature, {}).items():
                out[concept] = out.get(concept, 0.0) + value
        return {c: v for c, v in sorted(out.items()) if abs(v) > 1e-9}

    def org_weights(self, org_ids: Mapping[str, int], size: int) -> list[float]:
        """The organizations' standing as a table indexed like ``org_ids`` (tanh-scaled, -1..1)."""
        table = [0.0] * size
        for org_id, net in self.orgs.items():
            i = org_ids.get(org_id)
            if i is not None and i < size:
                table[i] = math.tanh(net * ORG_SCALE)
        return table
