#!/usr/bin/env python3
"""Draws Partnerdesk's app icon in every size the bundlers need (standard library only).

    python3 icons/generate.py

Writes RGBA PNGs (32x32, 128x128, 128x128@2x, icon.png 512), icon.ico (Windows:
PNG entries 16-256) and icon.icns (macOS: PNG entries 128-1024) next to itself.
The design is a rounded indigo square with a white "P", defined on a 512 grid.
"""
import os
import struct
import zlib

BACKGROUND = (67, 56, 202)
FOREGROUND = (240, 244, 255)
RADIUS = 92  # corner radius on the 512 grid
# The "P" as rectangles [x0, x1) x [y0, y1) on the 512 grid; the hole is cut out.
P_SOLID = [(144, 216, 103, 410), (144, 379, 103, 318)]
P_HOLE = (216, 318, 164, 257)
SUPERSAMPLE = 4  # samples per axis and pixel (2 above 256 px: already smooth, and quicker)


def inside_rounded_square(x, y):
    r = RADIUS
    cx = min(max(x, r), 512 - r)
    cy = min(max(y, r), 512 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def in_p(x, y):
    hx0, hx1, hy0, hy1 = P_HOLE
    if hx0 <= x < hx1 and hy0 <= y < hy1:
        return False
    return any(x0 <= x < x1 and y0 <= y < y1 for x0, x1, y0, y1 in P_SOLID)


def render(size):
    """RGBA rows for a size x size icon, anti-aliased by supersampling."""
    n = SUPERSAMPLE if size <= 256 else 2
    scale = 512.0 / (size * n)
    rows = []
    for py in range(size):
        row = bytearray()
        for px in range(size):
            cover = fg = 0
            for sy in range(n):
                for sx in range(n):
                    x = (px * n + sx + 0.5) * scale
                    y = (py * n + sy + 0.5) * scale
                    if inside_rounded_square(x, y):
                        cover += 1
                        if in_p(x, y):
                            fg += 1
            if cover == 0:
                row += bytes(4)
                continue
            t = fg / cover
            rgb = [round(b + (f - b) * t) for b, f in zip(BACKGROUND, FOREGROUND)]
            row += bytes(rgb + [round(255 * cover / (n * n))])
        rows.append(bytes(row))
    return rows


def png(size):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + r for r in render(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def ico(images):
    """An .ico whose entries are PNGs (Windows Vista and later)."""
    out = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    body = b""
    for size, data in images:
        dim = 0 if size >= 256 else size
        out += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset + len(body))
        body += data
    return out + body


def icns(images):
    """An .icns whose entries are PNGs (ic07 128, ic08 256, ic09 512, ic10 1024)."""
    body = b"".join(kind + struct.pack(">I", 8 + len(data)) + data for kind, data in images)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    cache = {}

    def get(size):
        if size not in cache:
            cache[size] = png(size)
        return cache[size]

    files = {
        "32x32.png": get(32),
        "128x128.png": get(128),
        "128x128@2x.png": get(256),
        "icon.png": get(512),
        "icon.ico": ico([(s, get(s)) for s in (16, 24, 32, 48, 64, 256)]),
        "icon.icns": icns([(b"ic07", get(128)), (b"ic08", get(256)), (b"ic09", get(512)), (b"ic10", get(1024))]),
    }
    for name, data in files.items():
        with open(os.path.join(here, name), "wb") as f:
            f.write(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
