"""Chinese text for search and similarity, with no Django in it.

Words come from rjieba (jieba's segmentation, compiled); punctuation, digits-only
tokens and a short list of function words are dropped, because two petitions that
share "的" and "了" are not alike.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from itertools import chain

import rjieba

STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "是",
        "在",
        "我",
        "我们",
        "你",
        "他",
        "她",
        "它",
        "他们",
        "本人",
        "这",
        "那",
        "有",
        "被",
        "把",
        "将",
        "对",
        "为",
        "于",
        "也",
        "都",
        "就",
        "而",
        "并",
        "但",
        "等",
        "向",
        "从",
        "到",
        "至",
        "由",
        "其",
        "之",
        "所",
        "以",
        "要求",
        "请求",
        "希望",
        "反映",
        "问题",
        "情况",
        "一个",
        "没有",
        "进行",
    ]
)
_WORDISH = re.compile(r"\w", re.UNICODE)


def _is_word(token: str) -> bool:
    if not _WORDISH.search(token):
        return False
    if token.isdigit():
        return False
    return not all(unicodedata.category(ch).startswith("P") for ch in token)


def tokens(text: str) -> list[str]:
    """The words of ``text`` worth comparing, in order."""
    return [
        token.lower()
        for token in rjieba.cut(text or "")
        if token.strip() and _is_word(token) and token not in STOPWORDS
    ]


def index_tokens(text: str) -> list[str]:
    """Words for the index: search-engine mode adds the sub-words of long words
    (月工资 also gives 工资), so a short query finds the longer word it is part of."""
    return [
        token.lower()
        for token in rjieba.cut_for_search(text or "")
        if token.strip() and _is_word(token) and token not in STOPWORDS
    ]


def query_tokens(text: str) -> list[str]:
    """The words a query must find among a text's indexed words.

    The query is segmented exactly as ``index_tokens`` segments a text; then each word
    that its own sub-words cover character for character is left out, and the sub-words
    stand for it. The index holds those sub-words wherever it holds the word (拖欠工资
    gives 拖欠, 工资 and 拖欠工资), so the sub-words find every text the word finds, and
    also the texts that hold its parts apart, as the spaced query 拖欠 工资 does: an
    unspaced query finds what the spaced one finds. A word its sub-words do not cover
    (物业费, of which only 物业 is a word) is kept.
    """
    spans = [
        (token.lower(), start, end)
        for token, start, end in rjieba.tokenize(text or "", mode="search")
        if token.strip() and _is_word(token) and token not in STOPWORDS
    ]
    words = []
    for word, start, end in spans:
        covered = {
            at
            for _other, inner_start, inner_end in spans
            if start <= inner_start and inner_end <= end and inner_end - inner_start < end - start
            for at in range(inner_start, inner_end)
        }
        if len(covered) < end - start:
            words.append(word)
    return list(dict.fromkeys(words))


def length(vector: Mapping[str, float]) -> float:
    """The vector's Euclidean length, for ``cosine`` to take when it compares one vector
    with many."""
    return math.sqrt(sum(c * c for c in vector.values()))


def cosine(
    a: Counter[str],
    b: Counter[str],
    length_a: float | None = None,
    length_b: float | None = None,
) -> float:
    """The cosine of two word vectors; their lengths (``length``) when already known."""
    if not a or not b:
        return 0.0
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    dot = sum(count * long.get(word, 0) for word, count in short.items())
    norm = (length(a) if length_a is None else length_a) * (
        length(b) if length_b is None else length_b
    )
    return dot / norm if norm else 0.0


def similarity(first: str, second: str) -> float:
    """Cosine of word counts: 1 for the same words, 0 for none in common."""
    return cosine(Counter(tokens(first)), Counter(tokens(second)))


def weighted_matches(
    words: list[str],
    candidates: Iterable[tuple[object, list[str]]],
    *,
    threshold: float,
    limit: int,
) -> list[tuple[object, float]]:
    """The candidates whose words are most like ``words``, by TF-IDF cosine, best first.

    The document frequencies are counted over the candidates themselves: the phrases
    most of them share (a category's usual wording) weigh little, and the names, places
    and details that make one matter differ from another weigh most. Plain word counts
    rank two unrelated complaints written from the same phrases above one matter told
    twice in other words.
    """
    counted = [(key, Counter(other)) for key, other in candidates]
    mine = Counter(words)
    df = Counter(chain(mine, chain.from_iterable(counts for _key, counts in counted)))
    n = len(counted) + 1
    idf = {word: math.log((n + 1) / (count + 1)) + 1 for word, count in df.items()}

    query = {word: tf * idf[word] for word, tf in mine.items()}
    query_norm = length(query)
    scored = []
    for key, other_counts in counted:
        dot = square = 0.0
        for word, tf in other_counts.items():
            weight = tf * idf[word]
            square += weight * weight
            if word in query:
                dot += weight * query[word]
        score = dot / (math.sqrt(square) * query_norm) if square and query_norm else 0.0
        if score >= threshold:
            scored.append((key, score))
    scored.sort(key=lambda pair: pair[1], reverse=True)
    return scored[:limit]


def rarest(words: list[str], candidates: Iterable[list[str]], *, limit: int) -> list[str]:
    """Up to ``limit`` of ``words`` found in the fewest ``candidates``, rarest first.

    Only words in at most one candidate in twenty count as rare: the words a matter is
    told by (a company, an estate, a person), not the category's usual wording. Among
    equally rare words the longer goes first.
    """
    distinct = set(words)
    counted = 0
    df: Counter[str] = Counter()
    for other in candidates:
        df.update(distinct.intersection(other))
        counted += 1
    most = max(1, counted // 20)
    ranked = sorted(distinct, key=lambda word: (df[word], -len(word), word))
    return [word for word in ranked if df[word] <= most][:limit]


def best_matches(
    text: str, candidates: Iterable[tuple[object, str]], *, threshold: float, limit: int
) -> list[tuple[object, float]]:
    """The candidates most like ``text`` at or above ``threshold``, best first."""
    mine = Counter(tokens(text))
    scored = [(key, cosine(mine, Counter(tokens(other)))) for key, other in candidates]
    scored = [(key, score) for key, score in scored if score >= threshold]
    scored.sort(key=lambda pair: pair[1], reverse=True)
    return scored[:limit]
