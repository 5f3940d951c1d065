#!/usr/bin/env python3
"""Write src-tauri/icons/icon.png: a 128x128 RGBA app icon, standard library only.

The design is a dark rounded square with three linked "chain" blocks and a check
stroke: an audit trail that verifies. Run it again only to change the icon; the
PNG it writes is committed, so builds never need Python.
"""
import pathlib
import struct
import sys
import zlib

SIZE = 128
BACKGROUND = (24, 38, 56, 255)
BLOCK = (96, 165, 250, 255)
LINK = (148, 163, 184, 255)
CHECK = (74, 222, 128, 255)
CLEAR = (0, 0, 0, 0)


def inside_rounded_square(x, y, size, radius):
    cx = min(max(x, radius), size - 1 - radius)
    cy = min(max(y, radius), size - 1 - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2


def near_segment(px, py, ax, ay, bx, by, width):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    qx, qy = ax + t * dx, ay + t * dy
    return (px - qx) ** 2 + (py - qy) ** 2 <= (width / 2) ** 2


def pixel(x, y):
    if not inside_rounded_square(x, y, SIZE, 24):
        return CLEAR
    # Check mark, drawn over everything else in the lower right.
    if near_segment(x, y, 70, 96, 84, 110, 9) or near_segment(x, y, 84, 110, 112, 78, 9):
        return CHECK
    # Three blocks down the left, joined by short links.
    for top in (16, 50, 84):
        if 22 <= x <= 58 and top <= y <= top + 24:
            return BLOCK
    if 37 <= x <= 43 and (40 < y < 50 or 74 < y < 84):
        return LINK
    return BACKGROUND


def png(width, height, rows):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(c for px in row for c in px) for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main():
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else (
        pathlib.Path(__file__).resolve().parent.parent / "src-tauri" / "icons" / "icon.png")
    rows = [[pixel(x, y) for x in range(SIZE)] for y in range(SIZE)]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(png(SIZE, SIZE, rows))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
