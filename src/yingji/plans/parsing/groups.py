"""Working groups and their posts: names ending in 组, 组长/成员 clauses, duties."""

from __future__ import annotations

import re

from yingji.plans.parsing.text import _fold, _words

# ------------------------------------------------------------------------------- groups

_GROUP_GENERIC = frozenset(
    {
        "工作组",
        "工作小组",
        "专项工作组",
        "专项小组",
        "专项组",
        "应急小组",
        "应急工作组",
        "小组",
        "工作专班",
        "专班",
        "工作队",
        "应急工作队",
    }
)
# What a working group's name ends in: 现场处置组, 维稳专班, 稳控工作队, 抢险突击队. Other
# teams (消防救援大队, 应急队伍) are standing units, not groups set up by the plan.
_GROUP_END = r"(?:组|专班|(?:工作|突击|抢险|救援|服务)队)"
# Words that make a phrase ending in 组 a sentence about groups rather than a group's name.
_GROUP_FORBIDDEN = _words(
    "若干 相关 有关 下列 下设 设立 成立 分设 分为 包括 以下 如下 各 个 等 的 组长 组员 成员 "
    "由 负责 其中 职责 名单"
)
_GROUP_SUFFIXES = ("及其职责", "及职责", "的职责", "主要职责", "职责")
_GROUP_AT_START = re.compile(
    rf"^([\u4e00-\u9fff]{{1,18}}?{_GROUP_END})(?:及其职责|及职责|职责)?"
    r"(?=$|[:。,;(\s、—-]|由|负责|牵头|组长|主要|职责|成员)"
)
_GROUP_CONTINUE = re.compile(
    r"^(?:副?组长|成员|组员|主要职责|工作职责|职责|主要任务|负责|牵头单位|配合单位)"
)
_GROUP_DEFINITION = re.compile(r"组长|成员|职责|牵头|组成")


def _group_name(text: str) -> str | None:
    """The name of a working group (现场处置组, 维稳专班), or None for anything else.

    The name is returned as written; it is judged folded (組 is 组)."""
    name = text.strip()
    for suffix in _GROUP_SUFFIXES:
        if _fold(name).endswith(suffix):
            name = name[: -len(suffix)]
    norm = _fold(name)
    if not re.fullmatch(rf"[\u4e00-\u9fff]{{1,18}}{_GROUP_END}", norm) or len(norm) < 3:
        return None
    if norm.endswith(("领导小组", "民小组")) or norm in _GROUP_GENERIC:
        return None
    if any(word in norm for word in _GROUP_FORBIDDEN):
        return None
    return name


def _enumerated_groups(listing: str) -> list[str]:
    """Group names in 「下设现场处置组、疏导劝解组和信息发布组等三个工作组」."""
    names: list[str] = []
    for raw_item in re.split(r"[、,]", listing):
        item = re.sub(r"(?:等|共).*$", "", raw_item.strip())
        # 「成立防汛指挥部，下设综合协调组、……」: the list begins after the verb
        item = re.sub(r"^(?:(?:下设|设立|分设|设置|成立|组建)了?)?(?:了|有|以下|如下)?", "", item)
        parts = re.split(r"[和及与]", item)
        candidates = [item]
        if len(parts) > 1 and any(part.endswith(("组", "室")) for part in parts[:-1]):
            candidates = parts
        names.extend(name for c in candidates if (name := _group_name(c)))
    return names


_TITLES = r"副组长|组长|副总指挥|总指挥|副指挥长|指挥长|成员单位|成员|组员|副主任|主任"
_POST_PATTERNS = (
    re.compile(rf"^(?P<title>{_TITLES})\s*(?::|为|是)\s*(?P<who>.+)$"),
    re.compile(rf"^(?P<title>{_TITLES})\s*由\s*(?P<who>.+?)\s*(?:同志)?(?:担任|兼任|出任|组成)$"),
    re.compile(r"^(?P<title>成员单位|成员|组员)\s*(?:包括|有)\s*(?P<who>.+)$"),
    re.compile(rf"(?:^|由)(?P<who>[^由,]+?)\s*(?:同志)?(?:担任|兼任|任)(?P<title>{_TITLES})$"),
    re.compile(rf"以(?P<who>[^以,]+?)为(?P<title>{_TITLES})的"),
    # a table's cells: 「组长 县水利局总工程师」
    re.compile(rf"^(?P<title>{_TITLES})\s+(?P<who>[^\s:由].*)$"),
)
_POST_OWNER = re.compile(rf"^.{{1,24}}?(?=(?:{_TITLES})\s*(?::|由|为|是|包括))")
_DUTY_LABEL = re.compile(r"^\s*(?:主要职责|工作职责|职责|主要任务)\s*(?::|是|为)?\s*")
_COMMAND_TITLES = frozenset({"组长", "副组长", "成员", "总指挥", "副总指挥", "指挥长", "副指挥长"})
_GROUP_TITLES = frozenset({"组长", "副组长", "成员"})


def _more_holders(clause: str) -> bool:
    norm = _fold(clause).strip().rstrip(",;。").strip()
    if not norm or len(norm) > 30 or _DUTY_WORDS.search(norm) or re.search(_TITLES, norm):
        return False
    return bool(re.fullmatch(r"[\u4e00-\u9fff\w\s、()]+", norm))


def _holder(clause: str) -> str:
    who = clause.strip().rstrip(",，;；。").strip()
    return re.sub(r"同志(?=[\s(（]|$)", "", who).strip()


def _post(clause: str) -> tuple[str, str] | None:
    """「组长：镇长张三」 / 「组长由镇党委书记担任」 -> (title, position as written)."""
    clause = clause.strip().rstrip(",，;；。").strip()
    owner = _POST_OWNER.match(_fold(clause))
    if owner and not re.match(_TITLES, _fold(clause)):
        clause = clause[owner.end() :]
    norm = _fold(clause)
    for pattern in _POST_PATTERNS:
        match = pattern.search(norm)
        if match is None:
            continue
        who = clause[match.start("who") : match.end("who")].strip()
        who = re.sub(r"同志(?=[\s(（]|$)|等$", "", who).strip()
        title = match.group("title")
        title = "成员" if title in ("成员单位", "组员") else title
        return (title, who) if who else None
    return None


# Clauses end at punctuation, or at a space before the next post or the duties: a table
# row 「组长：张三\t负责……」, or 「组长：张三 副组长：李四 成员：……」 on one line.
_CLAUSE_END = re.compile(
    rf"[,;。]|\s+(?=(?:{_TITLES})\s*(?::|由|为)|负责|主要职责|工作职责|职责\s*:)"
    # run in without a space: 「校长 曹某某副组长：……」, 「应急排40人负责……」
    rf"|(?<=[\u4e00-\u9fff\d)])(?<![副总])(?=(?:{_TITLES})\s*:|负责(?!人))"
    # the next sentence run in: 「成员：……各社区党组织书记领导小组负责统一指挥……」
    r"|(?<=[\u4e00-\u9fff])(?=(?:领导小组|指挥部)(?:负责|的?(?:主要)?职责))"
)
# Words of a duty, not of a holder: a clause without them after a post names more holders.
_DUTY_WORDS = re.compile(
    r"负责(?!人)|组织|协调|做好|承担|落实|指导|开展|参与|配合|牵头|职责|任务|"
    r"下设|设立|成立|设在|组成|担任|领导小组|指挥部"
)


def _split_posts(text: str) -> tuple[list[tuple[str, str]], str]:
    """Split a line into its posts and the rest (the duties), keeping the punctuation."""
    norm = _fold(text)
    posts: list[tuple[str, str]] = []
    kept: list[str] = []
    start = 0
    bounds = [m.end() for m in _CLAUSE_END.finditer(norm)]
    if not bounds or bounds[-1] < len(text):
        bounds.append(len(text))
    previous: str | None = None  # the clause of the last post, if it was the last clause
    for end in bounds:
        clause = text[start:end]
        start = end
        post = _post(clause)
        if post:
            posts.append(post)
            previous = clause
            continue
        if previous is not None and _more_holders(clause):
            # 「副指挥长：市公安局副局长 许某某；市体育局局长 林某某」
            title, who = posts[-1]
            posts[-1] = (title, who + previous.rstrip()[-1:] + _holder(clause))
            previous = clause
            continue
        previous = None
        label = _DUTY_LABEL.match(_fold(clause))
        kept.append(clause[label.end() :] if label else clause)
    rest = "".join(kept).strip().strip(" ,，;；、:：").strip()
    return posts, "" if rest in ("。", "") else rest
