"""Report charts as PNG, drawn with Pillow (no plotting library). No Django in here.

The chart's title is not drawn: the document sets it as the caption below the figure.
The picture is meant to be printed, often in black and white, so the series colours
differ in lightness as well as hue, lines also differ in dash and marker, and the
figures are written at the bar ends where they fit (paper has no tooltip). Every text
drawn is data, drawn as one line of characters; nothing in it is interpreted.
"""

from __future__ import annotations

import functools
import io
import itertools
import math
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, ImageFont

if TYPE_CHECKING:
    from yingji.documents.report import Chart

KINDS = ("bar", "hbar", "line", "pie", "percent", "hpercent")
MIN_SIZE, MAX_SIZE = 200, 4000  # pixels, each way
EMPTY = "（本期无数据）"  # a document convention in Chinese, like layout.py's 签发人

# Sans-serif Chinese fonts read best at chart sizes: these, then pdf.FONT_FILES' 宋体.
FONT_FILES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # Noto Sans CJK SC
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("C:/Windows/Fonts/simhei.ttf", 0),
    ("C:/Windows/Fonts/msyh.ttc", 0),
)

INK = (27, 31, 36)
MUTED = (89, 99, 110)
GRID = (208, 215, 222)
# Near the site's chart colours (charts.js), in lightness steps far enough apart to
# tell printed in grey, neighbours (and a pie's adjacent slices) the most apart:
# luma 71, 195, 129, 40, 216, 163 of 255.
PALETTE: tuple[tuple[int, int, int], ...] = (
    (31, 78, 140),  # dark blue
    (242, 193, 78),  # light amber
    (70, 160, 120),  # mid green
    (100, 15, 15),  # dark red
    (200, 220, 240),  # pale blue
    (170, 150, 210),  # lavender
)
DASHES = ((), (24, 10), (6, 8), (24, 8, 6, 8))  # line series: solid, dashed, dotted, dash-dot
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
Colour = tuple[int, int, int]
Ink = Colour | str
Point = tuple[float, float]
Series = tuple[str, list[float | None]]


@functools.cache
def _font(size: int) -> Font:
    for path, index in FONT_FILES:
        if Path(path).is_file():
            try:
                return ImageFont.truetype(path, size, index=index)
            except OSError:
                continue
    return ImageFont.load_default(size)


def _clean(text: str) -> str:
    """The text as one line: control and format characters become spaces."""
    return "".join(" " if unicodedata.category(c)[0] in "CZ" and c != " " else c for c in text)


def _shorten(draw: ImageDraw.ImageDraw, text: str, font: Font, width: float) -> str:
    text = _clean(text)
    if draw.textlength(text, font=font) <= width:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        middle = (low + high + 1) // 2
        if draw.textlength(text[:middle] + "…", font=font) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low] + "…" if low else ""


def _luma(colour: tuple[int, int, int]) -> float:
    red, green, blue = colour
    return 0.299 * red + 0.587 * green + 0.114 * blue


def _figure(value: float, percent: bool) -> str:
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return f"{text}%" if percent else text


def ticks(low: float, high: float, *, integers: bool = False) -> list[float]:
    """4-6 evenly spaced round values from at most ``low`` to at least ``high``."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high - low <= 0:
        high = low + (4 if integers else 1)
    span = high - low
    for exponent in range(math.floor(math.log10(span / 6)) - 1, 20):
        for base in (1, 2, 2.5, 5):
            step = base * 10.0**exponent
            if integers and step < 1:
                continue
            first, last = math.floor(low / step), math.ceil(high / step)
            if last - first <= 6:
                while last - first < 4:
                    last += 1
                return [round(i * step, 10) for i in range(first, last + 1)]
    return [low, high]  # not reached: a step of 10**19 covers any float span


def _values(chart: Chart) -> list[tuple[str, list[float | None]]]:
    """The series padded or cut to the categories, with NaN and infinities as gaps."""
    count = len(chart.categories)
    series = []
    for name, values in chart.series:
        clean = [
            float(v) if v is not None and math.isfinite(v) else None for v in list(values)[:count]
        ]
        series.append((name, clean + [None] * (count - len(clean))))
    return series


class _Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.image = Image.new("RGB", (width, height), "white")
        self.draw = ImageDraw.Draw(self.image)
        self.width, self.height = width, height
        self.unit = min(width / 1600, height / 900)
        self.text_size = max(10, round(28 * self.unit))
        self.font = _font(self.text_size)
        self.small = _font(max(9, round(24 * self.unit)))
        self.pad = float(round(24 * self.unit) + 2)

    def text(
        self, xy: tuple[float, float], text: str, font: Font, anchor: str, fill: Ink = INK
    ) -> None:
        self.draw.text(xy, _clean(text), font=font, fill=fill, anchor=anchor)

    def legend(self, names: list[str], colours: list[Colour], top: float, line: bool) -> float:
        """Swatches (or line samples) and names in rows from ``top``; returns the bottom."""
        box = self.text_size * (2.2 if line else 0.8)
        x, y, gap = self.pad, top, self.text_size
        most = (self.width - 2 * self.pad) / 3
        for index, (name, colour) in enumerate(zip(names, colours, strict=True)):
            text = self.draw.textlength(_clean(name), font=self.small)
            cell = min(most, box + gap / 3 + text + gap * 1.5)
            if x + cell > self.width - self.pad + 1 and x > self.pad:
                x, y = self.pad, y + self.text_size * 1.5
                if y + self.text_size * 1.5 > self.height * 0.3:  # the rest as "…"
                    self.text((x, y + self.text_size * 0.4), "…", self.small, "lm")
                    break
            if line:
                middle = y + self.text_size * 0.4
                width = max(2, round(4 * self.unit))
                self.dashed([(x, middle), (x + box, middle)], colour, width, DASHES[index % 4])
                self.marker(x + box / 2, middle, index, colour)
            else:
                self.draw.rectangle((x, y, x + box, y + box), fill=colour, outline=INK)
            label = _shorten(self.draw, name, self.small, cell - box - gap)
            self.text((x + box + gap / 3, y + self.text_size * 0.4), label, self.small, "lm")
            x += cell
        return y + self.text_size * 1.5

    def dashed(
        self, points: list[Point], colour: Colour, width: int, dash: tuple[int, ...]
    ) -> None:
        if not dash:
            self.draw.line(points, fill=colour, width=width, joint="curve")
            return
        pattern = [d * self.unit for d in dash]
        index, left, on = 0, pattern[0], True
        for (x1, y1), (x2, y2) in itertools.pairwise(points):
            length = math.hypot(x2 - x1, y2 - y1)
            done = 0.0
            while done < length:
                step = min(left, length - done)
                if on:
                    a, b = done / length, (done + step) / length
                    start = (x1 + (x2 - x1) * a, y1 + (y2 - y1) * a)
                    end = (x1 + (x2 - x1) * b, y1 + (y2 - y1) * b)
                    self.draw.line((start, end), fill=colour, width=width)
                done += step
                left -= step
                if left <= 1e-9:
                    index = (index + 1) % len(pattern)
                    left, on = pattern[index], not on

    def marker(self, x: float, y: float, kind: int, colour: Colour) -> None:
        r = 7 * self.unit + 2
        shapes: list[Callable[[], None]] = [
            lambda: self.draw.ellipse((x - r, y - r, x + r, y + r), fill=colour, outline=INK),
            lambda: self.draw.rectangle((x - r, y - r, x + r, y + r), fill=colour, outline=INK),
            lambda: self.draw.polygon(
                [(x, y - r * 1.2), (x + r * 1.1, y + r), (x - r * 1.1, y + r)],
                fill=colour,
                outline=INK,
            ),
            lambda: self.draw.polygon(
                [(x, y - r * 1.3), (x + r * 1.3, y), (x, y + r * 1.3), (x - r * 1.3, y)],
                fill=colour,
                outline=INK,
            ),
        ]
        shapes[kind % len(shapes)]()


def png(chart: Chart, *, width: int = 1600, height: int = 900) -> bytes:
    if chart.kind not in KINDS:
        raise ValueError(f"unknown chart kind {chart.kind!r}")
    if not (MIN_SIZE <= width <= MAX_SIZE and MIN_SIZE <= height <= MAX_SIZE):
        raise ValueError(f"a chart is {MIN_SIZE}-{MAX_SIZE} pixels each way")
    canvas = _Canvas(width, height)
    series = _values(chart)
    if not any(v is not None for _, values in series for v in values):
        canvas.text((width / 2, height / 2), EMPTY, canvas.font, "mm", MUTED)
    elif chart.kind == "pie":
        _pie(canvas, chart.categories, series[0][1])
    else:
        percent = chart.kind in ("percent", "hpercent")
        horizontal = chart.kind in ("hbar", "hpercent")
        if chart.kind in ("bar", "percent") and _long_labels(canvas, chart.categories):
            horizontal = True
        _axes(canvas, chart.categories, series, percent, horizontal, chart.kind == "line")
    buffer = io.BytesIO()
    canvas.image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _long_labels(canvas: _Canvas, categories: list[str]) -> bool:
    """Whether the names, under vertical bars, would lose most of their characters."""
    if not categories or len(categories) > 24:
        return False
    slot = (canvas.width - 2 * canvas.pad) / len(categories)
    longest = max(canvas.draw.textlength(_clean(c), font=canvas.small) for c in categories)
    return longest > slot * 2.5


def _axes(
    canvas: _Canvas,
    categories: list[str],
    series: list[tuple[str, list[float | None]]],
    percent: bool,
    horizontal: bool,
    line: bool,
) -> None:
    draw, pad, size = canvas.draw, canvas.pad, canvas.text_size
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(series))]
    top = pad
    if len(series) > 1:
        top = canvas.legend([name for name, _ in series], colours, pad, line) + size * 0.3
    values = [v for _, vs in series for v in vs if v is not None]
    integers = all(v.is_integer() for v in values)
    scale = ticks(min(values), max(values), integers=integers)
    if percent and min(values) >= 0 and max(values) <= 100:
        scale = [0, 20, 40, 60, 80, 100]
    low, high = scale[0], scale[-1]
    tick_width = max(draw.textlength(_figure(t, percent), font=canvas.small) for t in scale)
    count = len(categories)
    if horizontal:
        left = pad + min(
            canvas.width * 0.3,
            max(draw.textlength(_clean(c), font=canvas.small) for c in categories) + size * 0.5,
        )
        right, bottom = canvas.width - pad - tick_width / 2, canvas.height - pad - size * 1.2
    else:
        left = pad + tick_width + size * 0.5
        top += size * 1.2  # room for the figure above the highest bar
        right, bottom = canvas.width - pad, canvas.height - pad - size * 1.4
    along = (bottom - top) if horizontal else (right - left)
    slot = along / count

    def position(value: float) -> float:  # value -> pixel along the value axis
        share = (value - low) / (high - low)
        return left + share * (right - left) if horizontal else bottom - share * (bottom - top)

    for tick in scale:
        at = position(tick)
        label = _figure(tick, percent)
        if horizontal:
            draw.line((at, top, at, bottom), fill=GRID, width=1)
            canvas.text((at, bottom + size * 0.3), label, canvas.small, "mt", MUTED)
        else:
            draw.line((left, at, right, at), fill=GRID, width=1)
            canvas.text((left - size * 0.3, at), label, canvas.small, "rm", MUTED)
    zero = position(max(low, min(0.0, high)))
    # Category names: every n-th when there is no room for all.
    label_room = left - pad - size * 0.3 if horizontal else slot
    widest = max(draw.textlength(_clean(c), font=canvas.small) for c in categories)
    needed = size * 1.2 if horizontal else min(widest + size * 0.5, size * 6)
    every = max(1, math.ceil(needed / slot)) if slot < needed else 1
    for index, name in enumerate(categories):
        if index % every:
            continue
        middle = (top if horizontal else left) + slot * (index + 0.5)
        if horizontal:
            text = _shorten(draw, name, canvas.small, label_room)
            canvas.text((left - size * 0.3, middle), text, canvas.small, "rm")
        else:
            text = _shorten(draw, name, canvas.small, slot * every - size * 0.2)
            canvas.text((middle, bottom + size * 0.3), text, canvas.small, "mt")
    if line:
        _lines(canvas, series, colours, slot, left, position, percent)
    else:
        _bars(canvas, series, colours, slot, (left, top), position, zero, percent, horizontal)
    axis = (left, top, left, bottom) if horizontal else (left, zero, right, zero)
    draw.line(axis, fill=MUTED, width=max(1, round(2 * canvas.unit)))


def _bars(
    canvas: _Canvas,
    series: list[Series],
    colours: list[Colour],
    slot: float,
    origin: Point,
    position: Callable[[float], float],
    zero: float,
    percent: bool,
    horizontal: bool,
) -> None:
    draw, size = canvas.draw, canvas.text_size
    left, top = origin
    group = slot * 0.7
    thickness = group / len(series)
    for number, (_, values) in enumerate(series):
        for index, value in enumerate(values):
            if value is None:
                continue
            start = (top if horizontal else left) + slot * index + (slot - group) / 2
            start += thickness * number
            end = position(value)
            label = _figure(value, percent)
            length = draw.textlength(label, font=canvas.small)
            if horizontal:
                box = (min(zero, end), start, max(zero, end), start + max(0, thickness - 1))
                draw.rectangle(box, fill=colours[number], outline=INK if value else None)
                room = canvas.width - canvas.pad - end
                middle = start + thickness / 2
                if thickness < size * 0.8:
                    continue
                if room >= length + size * 0.3 or value < 0:
                    canvas.text((end + size * 0.2, middle), label, canvas.small, "lm")
                elif end - zero >= length + size * 0.4:  # inside the bar's end
                    ink = "white" if _luma(colours[number]) < 140 else INK
                    canvas.text((end - size * 0.2, middle), label, canvas.small, "rm", ink)
            else:
                box = (start, min(zero, end), start + max(0, thickness - 1), max(zero, end))
                draw.rectangle(box, fill=colours[number], outline=INK if value else None)
                if thickness >= length + 2:
                    anchor = "mb" if value >= 0 else "mt"
                    y = end - size * 0.15 if value >= 0 else end + size * 0.15
                    canvas.text((start + thickness / 2, y), label, canvas.small, anchor)


def _lines(
    canvas: _Canvas,
    series: list[Series],
    colours: list[Colour],
    slot: float,
    left: float,
    position: Callable[[float], float],
    percent: bool,
) -> None:
    width = max(2, round(4 * canvas.unit))
    show = slot >= canvas.text_size * 2.2 and len(series) == 1
    for number, (_, values) in enumerate(series):
        run: list[tuple[float, float]] = []
        points = []
        alone = []  # points between two gaps: a marker is all that shows them
        for index, value in enumerate([*values, None]):
            if value is None:  # a gap ends the line drawn so far
                if len(run) > 1:
                    canvas.dashed(run, colours[number], width, DASHES[number % len(DASHES)])
                alone.extend(run if len(run) == 1 else [])
                run = []
                continue
            point = (left + slot * (index + 0.5), position(value))
            run.append(point)
            points.append((point, value))
        for (x, y), value in points:
            if slot >= canvas.text_size * 1.2 or (x, y) in alone:
                canvas.marker(x, y, number, colours[number])
            if show:
                label = _figure(value, percent)
                canvas.text((x, y - canvas.text_size * 0.5), label, canvas.small, "mb")


def _pie(canvas: _Canvas, categories: list[str], values: list[float | None]) -> None:
    """Slices for the positive values; a legend with each name, figure and share."""
    draw, size, pad = canvas.draw, canvas.text_size, canvas.pad
    items = [(c, v) for c, v in zip(categories, values, strict=True) if v is not None and v > 0]
    total = sum(v for _, v in items)
    diameter = min(canvas.height - 2 * pad, canvas.width * 0.5)
    box = (pad, (canvas.height - diameter) / 2, pad + diameter, (canvas.height + diameter) / 2)
    if not total:
        draw.ellipse(box, outline=MUTED, width=2)
        canvas.text(((box[0] + box[2]) / 2, canvas.height / 2), EMPTY, canvas.font, "mm", MUTED)
        return
    angle = -90.0
    for index, (_, value) in enumerate(items):
        sweep = 360 * value / total
        colour = PALETTE[index % len(PALETTE)]
        draw.pieslice(box, angle, angle + sweep, fill=colour, outline="white", width=2)
        angle += sweep
    x = box[2] + size * 1.5
    row = size * 1.5
    rows = max(1, int((canvas.height - 2 * pad) // row))
    shown = items if len(items) <= rows else items[: rows - 1]
    y = (canvas.height - row * (len(shown) + (len(shown) < len(items)))) / 2
    for index, (name, value) in enumerate(shown):
        colour = PALETTE[index % len(PALETTE)]
        draw.rectangle((x, y, x + size * 0.8, y + size * 0.8), fill=colour, outline=INK)
        figure = f"{_figure(value, False)}（{value / total * 100:.1f}%）"
        room = canvas.width - pad - x - size * 1.2 - draw.textlength(figure, font=canvas.small)
        label = _shorten(draw, name, canvas.small, max(0, room - size * 0.5))
        canvas.text((x + size * 1.2, y + size * 0.4), f"{label} {figure}", canvas.small, "lm")
        y += row
    if len(shown) < len(items):
        canvas.text((x, y + size * 0.4), "…", canvas.small, "lm")
