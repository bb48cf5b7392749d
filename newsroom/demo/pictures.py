"""Illustrations for the demo newsroom, drawn with Pillow when the demo loads.

Each scene is a flat, layered illustration: a gradient sky, silhouettes that
fade with distance, and a few shapes that say what the story is about.
Drawing happens at twice the final size and is scaled down, which smooths
the edges of every polygon without any per-shape anti-aliasing.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable, Sequence

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from .content import Portrait
from .timeline import RATE_PATH

Color = tuple[int, ...]
Point = tuple[float, float]

LEAD_SIZE = (1600, 900)
PORTRAIT_SIZE = (800, 800)
# Portraits are only ever shown small, so they are drawn on the 800 grid and saved at 600.
PORTRAIT_SCALE = 0.75
SUPERSAMPLE = 2
JPEG_QUALITY = 86
# Scenes are designed on a 1600 x 900 (or 800 x 800) grid; SCALE shrinks the
# output without touching the drawing code, which keeps test runs quick.
SCALE = 1.0


def mix(a: Color, b: Color, t: float) -> Color:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=False))


def alpha(color: Color, value: int) -> Color:
    return (*color[:3], value)


class Canvas:
    """Draws in design coordinates on a supersampled image."""

    def __init__(self, size: tuple[int, int], scale: float = 1.0):
        self.width, self.height = size
        scale *= SCALE
        self.factor = SUPERSAMPLE * scale
        self.out_size = (max(1, round(self.width * scale)), max(1, round(self.height * scale)))
        self.image = Image.new("RGB", (self.out_size[0] * SUPERSAMPLE, self.out_size[1] * SUPERSAMPLE))
        self.draw = ImageDraw.Draw(self.image, "RGBA")

    def _scale(self, points: Sequence[Point]) -> list[Point]:
        f = self.factor
        return [(x * f, y * f) for x, y in points]

    def _box(self, cx: float, cy: float, rx: float, ry: float) -> list[float]:
        f = self.factor
        return [(cx - rx) * f, (cy - ry) * f, (cx + rx) * f, (cy + ry) * f]

    def gradient(self, stops: Sequence[tuple[float, Color]], top: float = 0, bottom: float | None = None) -> None:
        """Fill a horizontal band with a vertical gradient through the given stops."""
        bottom = self.height if bottom is None else bottom
        rows = max(1, round((bottom - top) * self.factor))
        samples = min(rows, 256)
        pixels = []
        for i in range(samples):
            t = i / max(1, samples - 1)
            for (p0, c0), (p1, c1) in zip(stops, stops[1:], strict=False):
                if p0 <= t <= p1:
                    pixels.append(mix(c0, c1, (t - p0) / (p1 - p0 or 1)))
                    break
            else:
                pixels.append(stops[-1][1] if t > stops[-1][0] else stops[0][1])
        column = Image.new("RGB", (1, samples))
        column.putdata(pixels)
        # Every row is one colour, so only the vertical stretch needs filtering.
        band = column.resize((1, rows), Image.BILINEAR).resize((self.image.width, rows), Image.NEAREST)
        self.image.paste(band, (0, round(top * self.factor)))

    def soft(self, color: Color, blobs: Sequence[tuple[float, float, float, float, int]], blur: float) -> None:
        """Blurred shapes such as smoke and cloud: ellipses (cx, cy, rx, ry, opacity) painted through a soft mask.

        The mask covers only the blobs' neighbourhood and is drawn and blurred
        at an eighth of the working size, where a wide blur is cheap, then
        stretched back up.
        """
        f, shrink = self.factor, self.factor / 8
        margin = 3 * blur
        left = max(0, min(cx - rx for cx, _, rx, _, _ in blobs) - margin)
        top = max(0, min(cy - ry for _, cy, _, ry, _ in blobs) - margin)
        right = min(self.width, max(cx + rx for cx, _, rx, _, _ in blobs) + margin)
        bottom = min(self.height, max(cy + ry for _, cy, _, ry, _ in blobs) + margin)
        box = (round(left * f), round(top * f), round(right * f), round(bottom * f))
        size = (box[2] - box[0], box[3] - box[1])
        if size[0] <= 0 or size[1] <= 0:
            return
        mask = Image.new("L", (max(1, size[0] // 8), max(1, size[1] // 8)), 0)
        for cx, cy, rx, ry, opacity in blobs:
            layer = Image.new("L", mask.size, 0)
            x, y = cx - left, cy - top
            ImageDraw.Draw(layer).ellipse(
                [(x - rx) * shrink, (y - ry) * shrink, (x + rx) * shrink, (y + ry) * shrink], fill=opacity
            )
            # Overlapping puffs add up, so thick smoke is denser than thin.
            mask = ImageChops.add(mask, layer)
        mask = mask.filter(ImageFilter.GaussianBlur(blur * shrink)).resize(size, Image.BILINEAR)
        self.image.paste(color[:3], box, mask)

    def polygon(self, points: Sequence[Point], fill: Color) -> None:
        self.draw.polygon(self._scale(points), fill=fill)

    def rect(self, x0: float, y0: float, x1: float, y1: float, fill: Color) -> None:
        self.draw.rectangle(self._scale([(x0, y0), (x1, y1)]), fill=fill)

    def ellipse(self, cx: float, cy: float, rx: float, ry: float | None = None, **kwargs) -> None:
        if "width" in kwargs:
            kwargs["width"] = max(1, round(kwargs["width"] * self.factor))
        self.draw.ellipse(self._box(cx, cy, rx, rx if ry is None else ry), **kwargs)

    def pieslice(self, cx: float, cy: float, r: float, start: float, end: float, fill: Color) -> None:
        self.draw.pieslice(self._box(cx, cy, r, r), start, end, fill=fill)

    def chord(self, cx: float, cy: float, rx: float, ry: float, start: float, end: float, fill: Color) -> None:
        self.draw.chord(self._box(cx, cy, rx, ry), start, end, fill=fill)

    def line(self, points: Sequence[Point], fill: Color, width: float = 1) -> None:
        self.draw.line(self._scale(points), fill=fill, width=max(1, round(width * self.factor)), joint="curve")

    def glow(self, cx: float, cy: float, radius: float, color: Color, strength: int = 10, rings: int = 18) -> None:
        """A soft halo: many faint discs whose alpha piles up towards the centre."""
        for i in range(rings):
            self.ellipse(cx, cy, radius * (1 - i / rings), fill=alpha(color, strength))

    def finish(self) -> Image.Image:
        return self.image.reduce(SUPERSAMPLE)


def ridge(
    rng: random.Random, width: float, base: float, amplitude: float, roughness: float = 0.55, levels: int = 7
) -> list[Point]:
    """A mountain skyline by midpoint displacement."""
    heights = [base + rng.uniform(-amplitude, amplitude) for _ in range(2)]
    spread = amplitude
    for _ in range(levels):
        refined = []
        for a, b in zip(heights, heights[1:], strict=False):
            refined += [a, (a + b) / 2 + rng.uniform(-spread, spread)]
        refined.append(heights[-1])
        heights = refined
        spread *= roughness
    step = width / (len(heights) - 1)
    return [(i * step, y) for i, y in enumerate(heights)]


def fill_below(canvas: Canvas, skyline: list[Point], color: Color) -> None:
    canvas.polygon([*skyline, (canvas.width, canvas.height), (0, canvas.height)], color)


def height_at(skyline: list[Point], x: float) -> float:
    for (x0, y0), (x1, y1) in zip(skyline, skyline[1:], strict=False):
        if x0 <= x <= x1:
            return y0 + (y1 - y0) * (x - x0) / ((x1 - x0) or 1)
    return skyline[-1][1]


def birds(canvas: Canvas, rng: random.Random, count: int, area: tuple[float, float, float, float], color: Color):
    x0, y0, x1, y1 = area
    for _ in range(count):
        x, y, s = rng.uniform(x0, x1), rng.uniform(y0, y1), rng.uniform(6, 12)
        canvas.line([(x - s, y - s * 0.4), (x, y), (x + s, y - s * 0.5)], color, 2)


def cloud_bank(rng: random.Random, count: int, area: tuple[float, float, float, float]) -> list:
    """Blobs for ``Canvas.soft``: each cloud a row of overlapping puffs, flat at the bottom."""
    x0, y0, x1, y1 = area
    blobs = []
    for _ in range(count):
        cx, cy, width = rng.uniform(x0, x1), rng.uniform(y0, y1), rng.uniform(160, 340)
        for i in range(7):
            px = cx - width / 2 + width * i / 6
            r = width * rng.uniform(0.12, 0.2) * (1 - abs(i - 3) / 5)
            blobs.append((px, cy - r * 0.4, r, r * 0.75, 140))
        blobs.append((cx, cy + 6, width * 0.55, 14, 150))
    return blobs


def boat(canvas: Canvas, x: float, y: float, length: float, hull: Color, cabin: Color) -> None:
    h = length * 0.16
    canvas.polygon([(x, y), (x + length, y - h * 0.3), (x + length * 0.86, y + h), (x + length * 0.1, y + h)], hull)
    canvas.rect(x + length * 0.2, y - h * 1.3, x + length * 0.46, y + 1, cabin)
    canvas.line([(x + length * 0.62, y), (x + length * 0.62, y - length * 0.55)], hull, 3)
    canvas.line([(x + length * 0.62, y - length * 0.5), (x + length * 0.95, y - h * 0.3)], hull, 1.5)


def harbour(rng: random.Random) -> Image.Image:
    c = Canvas(LEAD_SIZE)
    horizon = 560
    c.gradient([(0, (28, 40, 86)), (0.4, (112, 82, 140)), (0.78, (244, 150, 120)), (1, (255, 206, 150))], 0, horizon)
    c.glow(520, 500, 260, (255, 214, 160), 9)
    c.ellipse(520, 500, 54, fill=(255, 236, 190))
    fill_below(c, ridge(rng, c.width, 520, 30, 0.5), (120, 84, 126))
    fill_below(c, ridge(rng, c.width, 545, 14, 0.5), (92, 66, 110))
    c.gradient([(0, (214, 140, 128)), (0.35, (120, 90, 120)), (1, (32, 42, 84))], horizon, c.height)
    for i in range(46):
        y = horizon + 4 + (i**1.45) * 2.6
        half = max(8.0, 120 * (1 - i / 60) + rng.uniform(-30, 30))
        x = 520 + rng.uniform(-20, 20) * (1 + i / 20)
        c.line([(x - half, y), (x + half, y)], (255, 214, 168, max(30, 200 - i * 4)), 2 + i / 18)
    quay = (34, 30, 52)
    c.rect(880, 536, c.width, 572, quay)
    palette = [(176, 84, 70), (60, 108, 140), (200, 160, 80), (90, 130, 96)]
    for col in range(24):
        for row in range(rng.randint(1, 4)):
            x = 900 + col * 29
            color = mix(palette[rng.randrange(len(palette))], quay, 0.45)
            c.rect(x, 530 - row * 16, x + 27, 544 - row * 16, color)
    for x in (1010, 1240, 1470):
        dark = (30, 26, 48)
        c.line([(x - 40, 540), (x - 30, 300)], dark, 9)
        c.line([(x + 40, 540), (x + 30, 300)], dark, 9)
        c.line([(x - 36, 420), (x + 36, 420)], dark, 6)
        c.polygon([(x - 170, 292), (x + 230, 292), (x + 230, 306), (x - 170, 306)], dark)
        c.line([(x, 300), (x, 220)], dark, 7)
        c.line([(x, 222), (x - 165, 294)], dark, 3)
        c.line([(x, 222), (x + 225, 294)], dark, 3)
        c.rect(x - 30, 306, x + 6, 330, dark)
        for i in range(10):
            y = 590 + i * 12
            c.line([(x - 28 + rng.uniform(-6, 6), y), (x + 28 + rng.uniform(-6, 6), y)], alpha(dark, 70), 3)
    for x, y, length in ((110, 760, 250), (420, 800, 200), (300, 700, 150)):
        boat(c, x, y, length, (22, 24, 44), (44, 42, 70))
        for i in range(5):
            wy = y + length * 0.18 + i * 9
            c.line([(x + 10 + rng.uniform(-8, 8), wy), (x + length * 0.9, wy)], (20, 24, 50, 90), 3)
    birds(c, rng, 6, (700, 120, 1000, 260), (50, 40, 70))
    return c.finish()


def ridge_night(rng: random.Random) -> Image.Image:
    c = Canvas(LEAD_SIZE)
    c.gradient([(0, (6, 8, 28)), (0.55, (20, 28, 70)), (0.8, (40, 66, 108)), (1, (70, 100, 126))])
    for _ in range(420):
        x, y = rng.uniform(0, c.width), rng.uniform(0, 640) ** 1.06
        r = rng.choice((0.8, 1, 1.2, 1.6, 2.2))
        c.ellipse(x, y, r, fill=(235, 240, 255, rng.randint(110, 255)))
    head, tail = (1120, 230), (-470, -170)
    for i in range(70):
        t = i / 69
        x, y = head[0] + tail[0] * t, head[1] + tail[1] * t
        c.ellipse(x, y, 8 + 70 * t, fill=(200, 230, 255, int(30 * (1 - t) ** 1.3)))
    for i in range(40):
        t = i / 39
        x, y = head[0] + (tail[0] + 90) * t, head[1] + (tail[1] - 60) * t
        c.ellipse(x, y, 4 + 26 * t, fill=(170, 220, 255, int(18 * (1 - t))))
    c.glow(*head, 44, (210, 236, 255), 16)
    c.ellipse(*head, 6, fill=(250, 252, 255))
    fill_below(c, ridge(rng, c.width, 600, 70, 0.55), (32, 42, 80))
    fill_below(c, ridge(rng, c.width, 690, 60, 0.52), (20, 26, 54))
    near = [(x, 560 + abs(x - 400) * 0.28 + 30 * math.sin(x / 140)) for x in range(0, c.width + 20, 20)]
    fill_below(c, near, (9, 11, 28))
    c.rect(352, 548, 448, 590, (60, 66, 98))
    c.pieslice(400, 550, 52, 180, 360, (150, 160, 196))
    c.polygon([(392, 500), (408, 500), (406, 550), (394, 550)], (40, 46, 80))
    for x in (366, 380, 420, 434):
        c.rect(x, 566, x + 6, 574, (255, 210, 120))
    road = [(400 + 60 * math.sin(i / 1.3), 600 + i * 22) for i in range(14)]
    c.line(road, (140, 150, 190, 60), 2)
    return c.finish()


def flood(rng: random.Random) -> Image.Image:
    c = Canvas(LEAD_SIZE)
    c.gradient([(0, (96, 106, 120)), (0.6, (160, 166, 172)), (1, (140, 146, 150))])
    clouds = [
        (rng.uniform(-100, c.width), rng.uniform(-50, 300), rng.uniform(120, 260), rng.uniform(40, 80), 70)
        for _ in range(40)
    ]
    c.soft((112, 120, 134), clouds, blur=30)
    walls = [(204, 170, 138), (172, 160, 150), (156, 128, 118), (196, 186, 160), (150, 150, 164)]
    x = -30
    waterline = 690
    while x < c.width:
        w, h = rng.uniform(150, 210), rng.uniform(170, 240)
        wall = walls[rng.randrange(len(walls))]
        top = waterline + 60 - h
        c.rect(x, top, x + w, waterline + 80, wall)
        c.polygon([(x - 12, top), (x + w / 2, top - w * 0.38), (x + w + 12, top)], mix(wall, (60, 40, 40), 0.55))
        for row in range(2):
            for col in range(2):
                wx, wy = x + 26 + col * (w / 2), top + 26 + row * 64
                lit = rng.random() < 0.35
                c.rect(wx, wy, wx + w / 2 - 50, wy + 40, (250, 214, 130) if lit else (72, 84, 96))
        x += w + rng.uniform(8, 30)
    for tx in (330, 1180):
        c.rect(tx - 6, 560, tx + 6, 720, (60, 50, 44))
        for _ in range(7):
            c.ellipse(tx + rng.uniform(-50, 50), 540 + rng.uniform(-50, 30), rng.uniform(40, 60), fill=(60, 84, 64))
    wave = [(x, waterline + 6 * math.sin(x / 37) + 3 * math.sin(x / 11)) for x in range(0, c.width + 10, 10)]
    c.polygon([*wave, (c.width, c.height), (0, c.height)], (116, 102, 80))
    c.gradient([(0, (116, 102, 80)), (1, (64, 58, 48))], waterline + 20, c.height)
    c.polygon([*wave, (c.width, waterline + 22), (0, waterline + 22)], (116, 102, 80))
    for _ in range(160):
        x, y = rng.uniform(0, c.width), rng.uniform(waterline + 15, c.height)
        c.line([(x, y), (x + rng.uniform(20, 70), y)], (190, 176, 150, rng.randint(40, 110)), 2)
    bx, by = 640, 800
    c.polygon([(bx, by), (bx + 300, by - 8), (bx + 270, by + 44), (bx + 24, by + 44)], (222, 110, 54))
    c.rect(bx + 20, by - 2, bx + 290, by + 8, (245, 240, 230))
    for px, color in ((bx + 90, (250, 200, 60)), (bx + 180, (250, 200, 60))):
        c.rect(px - 16, by - 60, px + 16, by, color)
        c.ellipse(px, by - 76, 16, fill=(90, 64, 50))
    for _ in range(500):
        x, y = rng.uniform(0, c.width), rng.uniform(0, c.height)
        c.line([(x, y), (x - 12, y + 40)], (230, 236, 244, 50), 1)
    return c.finish()


def shipyard(rng: random.Random) -> Image.Image:
    c = Canvas(LEAD_SIZE)
    c.gradient([(0, (110, 164, 214)), (0.7, (196, 220, 236)), (1, (220, 232, 240))])
    c.soft((255, 255, 255), cloud_bank(rng, 5, (0, 60, c.width, 280)), blur=24)
    for i in range(6):
        x = i * 150 - 40
        c.polygon([(x, 560), (x + 75, 500), (x + 150, 560)], (150, 160, 172))
    c.rect(0, 560, 900, 700, (136, 146, 160))
    yellow = (232, 178, 40)
    c.rect(180, 150, 1500, 196, yellow)
    for x in (220, 1440):
        c.polygon([(x - 30, 700), (x + 30, 700), (x + 14, 196), (x - 14, 196)], yellow)
    c.rect(760, 196, 860, 240, (60, 64, 70))
    c.line([(810, 240), (810, 380)], (60, 64, 70), 3)
    hull = [(300, 520), (1380, 520), (1320, 700), (380, 700)]
    c.polygon(hull, (244, 246, 248))
    c.polygon([(352, 640), (1340, 640), (1320, 700), (380, 700)], (186, 60, 50))
    c.rect(300, 600, 1380, 622, (30, 84, 150))
    c.polygon([(480, 520), (1240, 520), (1200, 410), (540, 410)], (236, 240, 244))
    c.polygon([(600, 410), (1120, 410), (1090, 340), (640, 340)], (228, 232, 238))
    for row, (y, x0, x1) in enumerate(((470, 520, 1200), (430, 560, 1170), (360, 660, 1080))):
        for x in range(int(x0), int(x1), 34):
            c.rect(x, y, x + 22, y + 16 - row * 2, (46, 72, 100))
    for x in range(330, 1380, 70):
        c.line([(x, 700), (x, 500)], (120, 120, 126, 150), 3)
    for y in range(520, 700, 45):
        c.line([(320, y), (1370, y)], (120, 120, 126, 120), 2)
    c.gradient([(0, (70, 110, 130)), (1, (30, 60, 80))], 700, c.height)
    for _ in range(120):
        x, y = rng.uniform(0, c.width), rng.uniform(712, c.height)
        c.line([(x, y), (x + rng.uniform(20, 60), y)], (200, 230, 240, 70), 2)
    return c.finish()


def turbine(c: Canvas, x: float, base: float, height: float, angle: float, color: Color) -> None:
    hub = (x, base - height)
    c.polygon(
        [
            (x - height * 0.02, base),
            (x + height * 0.02, base),
            (x + height * 0.008, hub[1]),
            (x - height * 0.008, hub[1]),
        ],
        color,
    )
    blade = height * 0.62
    for k in range(3):
        a = math.radians(angle + k * 120)
        tip = (hub[0] + blade * math.cos(a), hub[1] + blade * math.sin(a))
        side = (hub[0] + blade * 0.22 * math.cos(a + 0.2), hub[1] + blade * 0.22 * math.sin(a + 0.2))
        c.polygon([hub, side, tip], color)
    c.ellipse(*hub, height * 0.025, fill=color)


def turbines(rng: random.Random) -> Image.Image:
    c = Canvas(LEAD_SIZE)
    horizon = 600
    c.gradient([(0, (70, 124, 186)), (0.75, (150, 188, 222)), (1, (196, 214, 228))], 0, horizon)
    c.soft((255, 255, 255), cloud_bank(rng, 6, (0, 40, c.width, 300)), blur=26)
    c.gradient([(0, (110, 150, 176)), (1, (24, 62, 96))], horizon, c.height)
    for i, (x, scale) in enumerate(((120, 0.16), (300, 0.2), (470, 0.24), (700, 0.3), (1010, 0.42), (1380, 0.62))):
        height = 620 * scale
        base = horizon + 20 * scale
        shade = mix((250, 252, 255), (120, 142, 166), (1 - scale) ** 1.5)
        turbine(c, x, base, height, rng.uniform(0, 120) + i * 17, shade)
        c.line([(x, base), (x, base + height * 0.35)], alpha(shade, 50), 3)
    for _ in range(180):
        x, y = rng.uniform(0, c.width), rng.uniform(horizon + 6, c.height)
        w = (y - horizon) / 6
        c.line([(x, y), (x + w, y)], (220, 240, 250, 80), 2)
    bx, by = 860, 760
    c.polygon([(bx, by), (bx + 150, by), (bx + 130, by + 26), (bx + 14, by + 26)], (226, 90, 50))
    c.rect(bx + 30, by - 30, bx + 90, by, (240, 240, 236))
    for i in range(8):
        t = i / 8
        for spread in (-0.05, 0.1):
            x0, x1 = bx - 10 - 300 * t, bx - 10 - 300 * (t + 0.08)
            c.line(
                [(x0, by + 14 + spread * (bx - x0)), (x1, by + 14 + spread * (bx - x1))],
                (245, 250, 255, 150 - i * 16),
                3,
            )
    birds(c, rng, 5, (200, 150, 600, 300), (60, 70, 90))
    return c.finish()


def schoolhouse(rng: random.Random) -> Image.Image:
    c = Canvas(LEAD_SIZE)
    c.gradient([(0, (120, 172, 220)), (0.7, (236, 214, 180)), (1, (250, 200, 150))])
    fill_below(c, ridge(rng, c.width, 520, 60, 0.4, 5), (136, 170, 110))
    fill_below(c, ridge(rng, c.width, 600, 40, 0.4, 5), (104, 150, 88))
    c.rect(0, 720, c.width, c.height, (96, 140, 76))
    c.polygon([(740, 900), (860, 900), (830, 720), (770, 720)], (214, 196, 160))
    wall, roof = (228, 190, 128), (150, 62, 50)
    c.rect(460, 460, 1140, 720, wall)
    c.polygon([(430, 470), (1170, 470), (1080, 380), (520, 380)], roof)
    c.rect(730, 270, 870, 460, mix(wall, (255, 255, 255), 0.1))
    c.polygon([(712, 280), (888, 280), (800, 190)], roof)
    c.ellipse(800, 330, 38, fill=(250, 248, 240), outline=(90, 70, 50), width=3)
    c.line([(800, 330), (800, 304)], (60, 50, 40), 3)
    c.line([(800, 330), (818, 340)], (60, 50, 40), 3)
    for row in range(2):
        for col in range(6):
            if col in (2, 3) and row == 1:
                continue
            x, y = 500 + col * 104, 500 + row * 110
            c.rect(x - 4, y - 4, x + 64, y + 74, (250, 246, 236))
            c.rect(x, y, x + 60, y + 70, (90, 120, 150))
            c.line([(x + 30, y), (x + 30, y + 70)], (250, 246, 236), 3)
    c.rect(760, 620, 840, 720, (110, 70, 50))
    c.pieslice(800, 620, 40, 180, 360, (110, 70, 50))
    flags = [(220, 70, 60), (250, 210, 80), (70, 120, 190), (250, 250, 245)]
    for i in range(18):
        x = 470 + i * 37
        y = 392 + 18 * math.sin(i / 17 * math.pi)
        c.polygon([(x, y), (x + 30, y + 2), (x + 15, y + 26)], flags[i % len(flags)])
    for tx in (220, 330, 1290, 1420):
        c.rect(tx - 10, 560, tx + 10, 740, (90, 64, 46))
        greens = [(70, 120, 60), (90, 140, 70), (60, 104, 56)]
        for _ in range(9):
            c.ellipse(
                tx + rng.uniform(-70, 70),
                520 + rng.uniform(-80, 40),
                rng.uniform(50, 80),
                fill=greens[rng.randrange(3)],
            )
    return c.finish()


def wildfire(rng: random.Random) -> Image.Image:
    c = Canvas(LEAD_SIZE)
    c.gradient([(0, (44, 20, 34)), (0.5, (168, 62, 34)), (0.85, (246, 150, 64)), (1, (252, 190, 96))])
    c.glow(1200, 300, 200, (255, 140, 80), 10)
    c.ellipse(1200, 300, 50, fill=(238, 96, 54))
    far = ridge(rng, c.width, 520, 60, 0.55)
    fill_below(c, far, (124, 52, 44))
    mid = ridge(rng, c.width, 610, 60, 0.55)
    puffs = []
    for origin in range(260, 1500, 170):
        x, y = origin + rng.uniform(-40, 40), height_at(mid, origin)
        for k in range(16):
            drift = k * k * 1.6
            puffs.append((x + drift, y - k * 34, 40 + k * 9, 30 + k * 7, 34))
    c.soft((62, 44, 48), puffs, blur=40)
    fill_below(c, mid, (74, 30, 32))
    for x in range(200, 1500, 9):
        y = height_at(mid, x)
        c.ellipse(x, y, 40, 18, fill=(255, 120, 40, 16))
        h = rng.uniform(12, 54)
        color = (255, 214, 96, 230) if rng.random() < 0.4 else (255, 130, 40, 220)
        c.polygon([(x - 7, y + 4), (x + rng.uniform(-6, 6), y - h), (x + 7, y + 4)], color)
    near = ridge(rng, c.width, 760, 50, 0.5)
    fill_below(c, near, (30, 14, 20))
    for x in range(0, c.width, 26):
        y = height_at(near, x) + 6
        h = rng.uniform(60, 140)
        for k in range(3):
            w = h * (0.34 - k * 0.08)
            top = y - h + k * h * 0.22
            c.polygon([(x - w, top + h * 0.55), (x, top), (x + w, top + h * 0.55)], (26, 12, 18))
        c.rect(x - 3, y - 20, x + 3, y + 10, (26, 12, 18))
    return c.finish()


def fields(rng: random.Random) -> Image.Image:
    c = Canvas(LEAD_SIZE)
    horizon = 430
    c.gradient([(0, (188, 214, 232)), (1, (252, 238, 206))], 0, horizon)
    c.glow(1240, 170, 260, (255, 244, 210), 12)
    c.ellipse(1240, 170, 70, fill=(255, 248, 226))
    fill_below(c, ridge(rng, c.width, 420, 16, 0.45, 5), (204, 194, 160))
    c.gradient([(0, (226, 190, 120)), (1, (184, 130, 70))], horizon, c.height)
    vanish = (800, horizon)
    for i in range(-30, 31):
        x = 800 + i * 120
        c.line([vanish, (x, c.height)], (166, 118, 64, 110), 3)
    for i in range(12):
        y = horizon + (i / 12) ** 2 * (c.height - horizon)
        c.line([(0, y), (c.width, y)], (240, 210, 150, 50), 2)
    for i in range(14):
        x = 100 + i * 60
        y = horizon + 20 + i * 6
        c.line([(x, y), (x, y - 34 - i * 2)], (110, 84, 56), 4)
    c.line([(100, horizon - 14), (880, horizon + 60)], (110, 84, 56, 160), 2)
    tx, ty = 1150, 440
    c.rect(tx - 8, ty - 110, tx + 8, ty, (92, 70, 50))
    for dx, dy in ((-60, -140), (60, -150), (0, -190), (-30, -170), (40, -120)):
        c.line([(tx, ty - 90), (tx + dx, ty + dy)], (92, 70, 50), 5)
        c.ellipse(tx + dx, ty + dy, 34, 24, fill=(140, 130, 70, 200))
    c.polygon([(0, 700), (c.width, 660), (c.width, c.height), (0, c.height)], (206, 160, 98))
    for _ in range(46):
        x, y = rng.uniform(0, c.width), rng.uniform(690, c.height)
        angle = rng.uniform(0, math.tau)
        points = [(x, y)]
        for _ in range(rng.randint(3, 7)):
            angle += rng.uniform(-0.9, 0.9)
            length = rng.uniform(20, 60)
            x, y = x + length * math.cos(angle), y + length * math.sin(angle) * 0.5
            points.append((x, y))
        c.line(points, (130, 88, 50), rng.uniform(2, 4))
    return c.finish()


def railway(rng: random.Random) -> Image.Image:
    c = Canvas(LEAD_SIZE)
    horizon = 470
    c.gradient([(0, (36, 44, 90)), (0.6, (160, 100, 120)), (1, (244, 160, 100))], 0, horizon)
    x = 0
    while x < c.width:
        w, h = rng.uniform(30, 80), rng.uniform(20, 90)
        c.rect(x, horizon - h, x + w, horizon, (84, 70, 104))
        x += w + rng.uniform(0, 20)
    c.gradient([(0, (58, 50, 68)), (1, (22, 22, 30))], horizon, c.height)
    vx, vy = 800, horizon
    c.polygon([(vx - 10, vy), (vx + 10, vy), (vx + 620, c.height), (vx - 620, c.height)], (64, 56, 62))
    for i in range(44):
        t = (i / 43) ** 2.2
        y = vy + (c.height - vy) * t
        half = 10 + 480 * t
        c.rect(vx - half, y, vx + half, y + 1 + 20 * t, (96, 76, 64))
    for side in (-1, 1):
        c.line([(vx + side * 5, vy), (vx + side * 360, c.height)], (236, 170, 130), 4)
        c.line([(vx + side * 7, vy), (vx + side * 380, c.height)], (150, 110, 100), 2)
    # Poles of equal height: their tops line up on rays from the vanishing point.
    tops = {-1: [], 1: []}
    for i in range(1, 10):
        t = (i / 9) ** 2
        y = vy + (c.height - vy) * t
        for side in (-1, 1):
            px = vx + side * (22 + 720 * t)
            top = y - (y - vy) * 1.8 - 4
            tops[side].append((px, top))
            c.line([(px, y), (px, top)], (28, 24, 38), 2 + 12 * t)
            c.line([(px, top + (y - vy) * 0.2), (vx + side * 6 * t, top + (y - vy) * 0.2)], (28, 24, 38), 1 + 4 * t)
    for side in (-1, 1):
        c.line([(vx, vy - 6), *tops[side]], (28, 24, 38), 2)
    c.rect(752, 404, 848, 472, (52, 56, 70))
    c.polygon([(752, 404), (848, 404), (836, 392), (764, 392)], (70, 74, 90))
    c.rect(762, 412, 838, 436, (150, 190, 216))
    c.rect(752, 448, 848, 454, (200, 60, 50))
    for lx in (768, 832):
        c.glow(lx, 462, 60, (255, 240, 200), 12)
        c.ellipse(lx, 462, 6, fill=(255, 250, 230))
    return c.finish()


def parliament(rng: random.Random) -> Image.Image:
    c = Canvas(LEAD_SIZE)
    c.gradient([(0, (28, 38, 82)), (0.55, (150, 96, 120)), (0.85, (238, 152, 110)), (1, (250, 190, 130))])
    for _ in range(60):
        c.ellipse(
            rng.uniform(0, c.width),
            rng.uniform(0, 260),
            rng.choice((1, 1.4, 2)),
            fill=(255, 255, 255, rng.randint(80, 200)),
        )
    x = -20
    while x < c.width:
        w, h = rng.uniform(60, 150), rng.uniform(160, 380)
        c.rect(x, 700 - h, x + w, 800, (70, 62, 96))
        x += w + rng.uniform(4, 20)
    stone, lit = (214, 190, 160), (236, 212, 176)
    c.rect(480, 560, 1120, 800, stone)
    c.polygon([(460, 566), (1140, 566), (800, 480)], lit)
    c.rect(660, 420, 940, 560, stone)
    c.pieslice(800, 430, 140, 180, 360, (186, 170, 150))
    c.pieslice(800, 430, 140, 270, 360, lit)
    c.rect(780, 246, 820, 292, stone)
    c.line([(800, 246), (800, 190)], (60, 50, 60), 3)
    c.polygon([(800, 192), (850, 200), (800, 210)], (200, 60, 60))
    for x in range(510, 1100, 44):
        c.rect(x, 600, x + 18, 780, (246, 232, 206))
    for x in range(680, 930, 36):
        c.rect(x, 450, x + 14, 540, (246, 232, 206))
    c.rect(440, 780, 1160, 800, (170, 150, 130))
    for start, stop in ((-20, 440), (1160, c.width + 20)):
        x = start
        while x < stop:
            w, h = rng.uniform(80, 170), rng.uniform(120, 260)
            c.rect(x, 800 - h, x + w, c.height, (34, 30, 52))
            for wy in range(int(800 - h + 16), 860, 30):
                for wx in range(int(x + 12), int(x + w - 16), 26):
                    if rng.random() < 0.35:
                        c.rect(wx, wy, wx + 12, wy + 16, (255, 214, 130))
            x += w + rng.uniform(2, 10)
    c.rect(0, 800, c.width, c.height, (28, 26, 42))
    for x in range(60, c.width, 180):
        c.line([(x, 900), (x, 780)], (20, 20, 30), 4)
        c.glow(x, 780, 40, (255, 220, 150), 14)
    return c.finish()


def chart(rng: random.Random) -> Image.Image:
    c = Canvas(LEAD_SIZE)
    c.gradient([(0, (18, 30, 56)), (1, (30, 56, 92))])
    c.ellipse(1330, 190, 240, outline=(90, 130, 180, 60), width=30)
    c.ellipse(1330, 190, 150, outline=(90, 130, 180, 40), width=16)
    for y in range(150, 800, 100):
        c.line([(120, y), (1480, y)], (255, 255, 255, 30), 2)
    path = RATE_PATH

    def y_of(value: float) -> float:
        return 760 - value * 120

    step = 1360 / (len(path) - 1)
    points = [(120 + i * step, y_of(v)) for i, v in enumerate(path)]
    for i in range(48):
        x = 120 + i * 28.5
        base = path[min(len(path) - 1, int(i / 48 * len(path)))]
        h = (base * 70 + rng.uniform(-40, 60)) * 0.8
        c.rect(x, 760 - h, x + 18, 760, (60, 180, 170, 150) if i % 2 else (80, 200, 190, 130))
    c.line([(120, y_of(3.75)), (1480, y_of(3.75))], (255, 255, 255, 90), 2)
    for x in range(120, 1480, 40):
        c.line([(x, y_of(3.75)), (x + 20, y_of(3.75))], (255, 255, 255, 160), 2)
    c.line(points, (250, 190, 80), 7)
    for x, y in points:
        c.ellipse(x, y, 11, fill=(250, 190, 80))
        c.ellipse(x, y, 5, fill=(18, 30, 56))
    c.line([(120, 760), (1480, 760)], (255, 255, 255, 140), 3)
    return c.finish()


def portrait(style: Portrait, rng: random.Random) -> Image.Image:
    c = Canvas(PORTRAIT_SIZE, PORTRAIT_SCALE)
    top, bottom = style.background
    c.gradient([(0, top), (1, bottom)])
    light = mix(bottom, (255, 255, 255), 0.5)
    c.soft(
        light,
        [(rng.uniform(0, 800), rng.uniform(0, 800), r, r, 60) for r in (rng.uniform(40, 120) for _ in range(12))],
        8,
    )
    hair, skin, clothing = style.hair, style.skin, style.clothing
    shade = mix(skin, (0, 0, 0), 0.14)
    if style.hair_style == "long":
        c.ellipse(400, 330, 150, 170, fill=hair)
        c.rect(250, 330, 550, 640, hair)
    c.ellipse(400, 900, 330, 310, fill=clothing)
    c.polygon([(350, 596), (450, 596), (400, 690)], mix(clothing, (255, 255, 255), 0.7))
    c.rect(362, 440, 438, 620, shade)
    c.ellipse(400, 618, 38, 16, fill=shade)
    c.ellipse(280, 372, 20, 32, fill=shade)
    c.ellipse(520, 372, 20, 32, fill=shade)
    if style.hair_style == "bun":
        c.ellipse(400, 176, 58, 52, fill=hair)
    if style.hair_style == "curly":
        for i in range(26):
            a = math.pi * 0.92 + math.pi * 1.16 * i / 25
            c.ellipse(400 + 126 * math.cos(a), 318 + 136 * math.sin(a), 36, fill=hair)
    c.ellipse(400, 318, 134, 150, fill=hair)
    c.ellipse(400, 366, 120, 148, fill=skin)
    c.ellipse(440, 330, 50, 80, fill=(*mix(skin, (255, 255, 255), 0.35), 44))
    fringes = {
        "short": ((400, 292, 128, 92), 160, 14),
        "long": ((400, 300, 126, 100), 150, 24),
        "bun": ((400, 290, 122, 84), 180, 360),
        "curly": ((400, 292, 124, 88), 170, 10),
    }
    (cx, cy, rx, ry), start, end = fringes[style.hair_style]
    c.chord(cx, cy, rx, ry, start, end, hair)
    if style.hair_style == "long":
        c.polygon([(270, 300), (300, 320), (290, 500), (262, 520)], hair)
        c.polygon([(530, 300), (500, 320), (510, 500), (538, 520)], hair)
    if style.glasses:
        frame = (40, 40, 48)
        for x in (356, 444):
            c.ellipse(x, 386, 36, 29, outline=frame, width=5)
        c.line([(392, 384), (408, 384)], frame, 5)
        c.line([(320, 380), (282, 372)], frame, 4)
        c.line([(480, 380), (518, 372)], frame, 4)
    return c.finish()


SCENES: dict[str, Callable[[random.Random], Image.Image]] = {
    "harbour": harbour,
    "ridge_night": ridge_night,
    "flood": flood,
    "shipyard": shipyard,
    "turbines": turbines,
    "schoolhouse": schoolhouse,
    "wildfire": wildfire,
    "fields": fields,
    "railway": railway,
    "parliament": parliament,
    "chart": chart,
}


def jpeg_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def draw_scene(scene: str, seed: int) -> bytes:
    return jpeg_bytes(SCENES[scene](random.Random(seed)))


def draw_portrait(style: Portrait, seed: int) -> bytes:
    return jpeg_bytes(portrait(style, random.Random(seed)))
