"""The embedded Unicode font of the PDFs: Open Sans from the ``ttf-opensans`` package.

Never a system font path: the TTF files ship inside a PyPI wheel, so every machine renders the
same glyphs (å, ä, ö, é, ü, € included).

Why this module exists: fpdf2's ``add_font`` parses the TTF with fontTools for every document,
and its output step subsets the font with the fontTools subsetter and serialises it again; for a
one-page invoice that is about 25 ms of a 27 ms document. Here each face is parsed once per
process (``FontFace``); a document gets light per-document font objects that share the parsed,
read-only metrics (``install``), and ``FontOutputProducer`` - passed to ``FPDF.output`` through its
``output_producer_class`` parameter - embeds a subset cut directly from the raw glyph records kept
in memory. The subset keeps the original glyph ids and leaves unused glyphs empty (what the
fontTools option ``retain_gids`` does), so composite glyphs need no rewriting and a subset is a
few byte joins, not a font compilation.

Nothing shared is mutated after loading, so the faces may be used from several threads and
survive a fork (the bytes are in memory; no file handle is kept open).
"""

from __future__ import annotations

import struct
import sys
import threading
import unicodedata
from array import array
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from pathlib import Path
from typing import Any

import ttf_opensans
from fpdf import FPDF
from fpdf.fonts import PDFFontDescriptor, SubsetMap, TTFFont
from fpdf.output import CIDSystemInfo, OutputProducer, PDFFont, PDFFontStream
from fpdf.syntax import Name, PDFArray, PDFContentStream
from fpdf.util import escape_parens

FAMILY = "opensans"
REGULAR = ""
BOLD = "B"
_FILES = {REGULAR: ttf_opensans.OPENSANS_REGULAR.path, BOLD: ttf_opensans.OPENSANS_BOLD.path}
REPLACEMENT = "?"  # shown for a character the font has no glyph for

# The tables a PDF viewer needs from an embedded TrueType program (ISO 32000-1, 9.9); cmap,
# name and OS/2 are kept for the viewers that sanitise fonts. GSUB/GPOS/GDEF are not used:
# fpdf2 does no shaping here.
_KEPT_TABLES = (
    "OS/2", "cmap", "cvt ", "fpgm", "gasp", "glyf", "head", "hhea", "hmtx", "loca", "maxp",
    "name", "post", "prep",
)  # fmt: skip

# Composite glyph flags (OpenType 'glyf' table).
_ARG_1_AND_2_ARE_WORDS = 0x0001
_WE_HAVE_A_SCALE = 0x0008
_MORE_COMPONENTS = 0x0020
_WE_HAVE_AN_X_AND_Y_SCALE = 0x0040
_WE_HAVE_A_TWO_BY_TWO = 0x0080


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    words = array("I", padded)
    if sys.byteorder == "little":
        words.byteswap()
    return sum(words) & 0xFFFFFFFF


class GlyphProgram:
    """The raw TrueType tables of one face, split into per-glyph records, ready to subset."""

    def __init__(self, data: bytes) -> None:
        num_tables = struct.unpack_from(">H", data, 4)[0]
        tables: dict[str, bytes] = {}
        for index in range(num_tables):
            tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * index)
            tables[tag.decode("latin-1")] = data[offset : offset + length]
        head = tables["head"]
        num_glyphs = struct.unpack_from(">H", tables["maxp"], 4)[0]
        long_loca = struct.unpack_from(">h", head, 50)[0] == 1
        loca = array(
            "I" if long_loca else "H", tables["loca"][: (num_glyphs + 1) * (4 if long_loca else 2)]
        )
        if sys.byteorder == "little":
            loca.byteswap()
        offsets = list(loca) if long_loca else [2 * value for value in loca]
        glyf = tables["glyf"]
        self.num_glyphs = num_glyphs
        self.glyphs: list[bytes] = []
        for gid in range(num_glyphs):
            record = glyf[offsets[gid] : offsets[gid + 1]]
            self.glyphs.append(record + b"\0" * (-len(record) % 4))
        self.components: dict[int, tuple[int, ...]] = {
            gid: _components(record)
            for gid, record in enumerate(self.glyphs)
            if _is_composite(record)
        }
        # head with long loca offsets and a zero checkSumAdjustment (PDF viewers do not check
        # it, and the per-table checksums stay right).
        self._head = head[:8] + b"\0\0\0\0" + head[12:50] + struct.pack(">h", 1) + head[52:]
        post = tables.get("post")
        # post format 3: no glyph names (they are most of the table and a PDF never needs them)
        self._post = struct.pack(">I", 0x00030000) + post[4:32] if post else None
        self._fixed = {
            tag: tables[tag]
            for tag in _KEPT_TABLES
            if tag in tables and tag not in ("glyf", "loca", "head", "post")
        }

    def closure(self, gids: set[int]) -> set[int]:
        """``gids`` with .notdef and every component of a composite glyph, transitively."""
        result = {0}
        pending = list(gids)
        while pending:
            gid = pending.pop()
            if gid in result or not 0 <= gid < self.num_glyphs:
                continue
            result.add(gid)
            pending.extend(self.components.get(gid, ()))
        return result

    def subset(self, gids: set[int]) -> bytes:
        """A TrueType program with the glyphs ``gids`` (plus what they need), original ids kept."""
        keep = sorted(self.closure(gids))
        lengths = [0] * self.num_glyphs
        for gid in keep:
            lengths[gid] = len(self.glyphs[gid])
        offsets = array("I", accumulate(lengths, initial=0))
        if sys.byteorder == "little":
            offsets.byteswap()
        tables = dict(self._fixed)
        tables["glyf"] = b"".join([self.glyphs[gid] for gid in keep])
        tables["loca"] = offsets.tobytes()
        tables["head"] = self._head
        if self._post is not None:
            tables["post"] = self._post
        return _sfnt(tables)


def _is_composite(record: bytes) -> bool:
    return len(record) >= 10 and struct.unpack_from(">h", record, 0)[0] < 0


def _components(record: bytes) -> tuple[int, ...]:
    found = []
    position = 10
    while True:
        flags, gid = struct.unpack_from(">HH", record, position)
        found.append(gid)
        position += 4 + (4 if flags & _ARG_1_AND_2_ARE_WORDS else 2)
        if flags & _WE_HAVE_A_SCALE:
            position += 2
        elif flags & _WE_HAVE_AN_X_AND_Y_SCALE:
            position += 4
        elif flags & _WE_HAVE_A_TWO_BY_TWO:
            position += 8
        if not flags & _MORE_COMPONENTS:
            return tuple(found)


def _sfnt(tables: dict[str, bytes]) -> bytes:
    tags = sorted(tables)
    count = len(tags)
    entry_selector = count.bit_length() - 1
    search_range = 16 * (1 << entry_selector)
    header = struct.pack(
        ">IHHHH", 0x00010000, count, search_range, entry_selector, count * 16 - search_range
    )
    directory = []
    bodies = []
    offset = 12 + 16 * count
    for tag in tags:
        body = tables[tag]
        directory.append(
            struct.pack(">4sIII", tag.encode("latin-1"), _checksum(body), offset, len(body))
        )
        padded = body + b"\0" * (-len(body) % 4)
        bodies.append(padded)
        offset += len(padded)
    return header + b"".join(directory) + b"".join(bodies)


class SharedTTFFont(TTFFont):
    """A per-document font that shares a ``FontFace``'s parsed, read-only data."""

    __slots__ = ("_encoded", "_known", "face")

    def close(self) -> None:
        """Nothing to close: the shared face holds bytes, not a file."""

    def encode_text(self, text: str) -> str:
        """As fpdf2's (each character becomes its 2-byte code in this document's subset), with
        the escaped code of each character remembered: one ``str.translate`` per string."""
        if not self._known.issuperset(text):
            for char in set(text) - self._known:
                code = self.subset.pick(ord(char))
                two_bytes = "" if code is None else chr(code).encode("utf-16-be").decode("latin-1")
                self._encoded[ord(char)] = escape_parens(two_bytes)
                self._known.add(char)
        return f"({text.translate(self._encoded)}) Tj"


@dataclass(frozen=True, slots=True, eq=False)
class FontFace:
    """One style of the embedded family, parsed once per process."""

    style: str
    template: TTFFont
    program: GlyphProgram

    @property
    def widths(self) -> dict[int, float]:
        """Advance width per code point, in thousandths of the font size."""
        return self.template.cw

    def has_glyph(self, char: str) -> bool:
        return ord(char) in self.template.glyph_ids

    def string_width(self, text: str, size_pt: float) -> float:
        """The width of ``text`` in points at ``size_pt`` (no kerning, as fpdf2 draws it)."""
        return sum(map(self.template.cw.__getitem__, map(ord, text))) * size_pt / 1000

    def font_for(self, pdf: FPDF) -> SharedTTFFont:
        """A fresh per-document font object for ``pdf`` sharing this face's metrics."""
        template = self.template
        font = SharedTTFFont.__new__(SharedTTFFont)
        font.face = self
        font.i = len(pdf.fonts) + 1
        font.type = "TTF"
        font.ttffile = template.ttffile
        font.fontkey = template.fontkey
        font.scale = template.scale
        font.name = template.name
        font.up, font.ut, font.sp, font.ss = template.up, template.ut, template.sp, template.ss
        font.emphasis = template.emphasis
        font.is_compressed = False
        font.is_cff = False
        font.is_cid_keyed = False
        font.is_symbol = False
        font.cff_ros = None
        font.collection_font_number = 0
        font.unicode_range = None
        font.palette_index = 0
        # Shared read-only data. ``cw`` is a defaultdict: a character the font lacks adds its
        # default width, the same for every reader, so sharing it stays correct across threads.
        font.ttfont = None  # type: ignore[assignment]  # never read: no shaping, no color glyphs
        font.cmap = template.cmap
        font.cw = template.cw
        font.glyph_ids = template.glyph_ids
        font.desc = template.desc
        # Per-document state.
        font._hbfont = None
        font.color_font = None
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font.subset = SubsetMap(font)
        font._encoded = {}
        font._known = set()
        return font


_LOCK = threading.Lock()
_FACES: dict[str, FontFace] = {}


def _load(style: str) -> FontFace:
    path = Path(_FILES[style])
    data = path.read_bytes()
    scratch = FPDF()
    scratch.add_font(FAMILY, style, path)
    template = scratch.fonts[f"{FAMILY}{style}"]
    assert isinstance(template, TTFFont)
    template.ttfont.close()  # every table fpdf2 needs has been read
    template.ttfont = None  # type: ignore[assignment]
    return FontFace(style, template, GlyphProgram(data))


def face(style: str = REGULAR) -> FontFace:
    """The parsed face for ``style`` ("" regular, "B" bold), loaded on first use."""
    loaded = _FACES.get(style)
    if loaded is None:
        with _LOCK:
            loaded = _FACES.get(style) or _load(style)
            _FACES[style] = loaded
    return loaded


def preload() -> None:
    """Parse every face now (e.g. in a pre-forked server before sessions start)."""
    for style in _FILES:
        face(style)


def install(pdf: FPDF) -> None:
    """Make the family available to ``pdf.set_font(FAMILY, style)`` without parsing anything."""
    for style in _FILES:
        pdf.fonts[f"{FAMILY}{style}"] = face(style).font_for(pdf)


# Characters a document from another company may carry that must not reach the PDF: controls,
# format characters (bidi overrides, zero-width joiners that could disguise text), surrogates,
# private-use and unassigned code points.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_SPACES = {"\t": " ", "\u2028": "\n", "\u2029": "\n", "\u202f": "\u00a0", "\r": ""}


def clean_text(text: str, *, multiline: bool = False) -> str:
    """``text`` made safe to print: NFC, no control or format characters, only glyphs the font
    has (others become ``?``); newlines kept only when ``multiline``."""
    if text.isascii() and text.isprintable():  # the common case, checked in C
        return text
    if unicodedata.is_normalized("NFC", text) and _printable().issuperset(text):
        return text
    text = unicodedata.normalize("NFC", text)
    printable = _printable()
    out = []
    for char in text:
        char = _SPACES.get(char, char)
        if char == "\n":
            out.append("\n" if multiline else " ")
        elif char in printable:
            out.append(char)
        elif char and unicodedata.category(char) not in _DROPPED_CATEGORIES:
            out.append(REPLACEMENT)
    return "".join(out)


@cache
def _printable() -> frozenset[str]:
    """The characters printed as they are: the font has them and they are not dropped."""
    return frozenset(
        chr(point)
        for point in face(REGULAR).template.glyph_ids
        if unicodedata.category(chr(point)) not in _DROPPED_CATEGORIES and chr(point) not in _SPACES
    )


class FontOutputProducer(OutputProducer):
    """fpdf2's output producer, embedding the shared faces without the fontTools subsetter."""

    def _add_fonts(
        self,
        image_objects_per_index: dict[int, Any],
        gfxstate_objs_per_name: dict[str, Any],
        pattern_objs_per_name: dict[str, Any],
    ) -> dict[int, Any]:
        fonts = sorted(self.fpdf.fonts.values(), key=lambda font: font.i)
        shared = [isinstance(font, SharedTTFFont) for font in fonts]
        if not any(shared):
            return super()._add_fonts(
                image_objects_per_index, gfxstate_objs_per_name, pattern_objs_per_name
            )
        if not all(shared):
            raise TypeError("a document with the shared faces cannot use other fonts")
        objects: dict[int, Any] = {font.i: self._embed(font) for font in fonts}
        # fpdf2 clears these caches after output too: they are keyed by SubsetMap instance and
        # would otherwise keep every document's subset alive.
        SubsetMap.pick.cache_clear()
        SubsetMap.get_glyph.cache_clear()
        return objects

    def _embed(self, font: SharedTTFFont) -> PDFFont:
        glyphs = [(code, glyph) for glyph, code in font.subset.items() if glyph is not None]
        glyphs.sort(key=lambda item: item[0])
        fontname = f"{_subset_tag(glyphs)}+{font.name}"

        composite = PDFFont(subtype="Type0", base_font=fontname, encoding="Identity-H")
        self._add_pdf_obj(composite, "fonts")
        cid_font = PDFFont(
            subtype="CIDFontType2",
            base_font=fontname,
            d_w=font.desc.missing_width,
            w=_widths(glyphs),
        )
        self._add_pdf_obj(cid_font, "fonts")
        composite.descendant_fonts = PDFArray([cid_font])

        to_unicode = PDFContentStream(_to_unicode(glyphs), compress=True)
        self._add_pdf_obj(to_unicode, "fonts")
        composite.to_unicode = to_unicode

        system_info = CIDSystemInfo()
        self._add_pdf_obj(system_info, "fonts")
        cid_font.c_i_d_system_info = system_info

        template = font.desc
        descriptor = PDFFontDescriptor(
            ascent=template.ascent,
            descent=template.descent,
            cap_height=template.cap_height,
            flags=template.flags,
            font_b_box=template.font_b_box,
            italic_angle=template.italic_angle,
            stem_v=template.stem_v,
            missing_width=template.missing_width,
        )
        descriptor.font_name = Name(fontname)
        self._add_pdf_obj(descriptor, "fonts")
        cid_font.font_descriptor = descriptor

        cid_to_gid = PDFContentStream(_cid_to_gid(glyphs), compress=True)
        self._add_pdf_obj(cid_to_gid, "fonts")
        cid_font.c_i_d_to_g_i_d_map = cid_to_gid

        program = font.face.program.subset({glyph.glyph_id for _, glyph in glyphs})
        font_file = PDFFontStream(contents=program)
        self._add_pdf_obj(font_file, "fonts")
        descriptor.font_file2 = font_file  # type: ignore[attr-defined]
        return composite


def _subset_tag(glyphs: list[tuple[int, Any]]) -> str:
    """Six capital letters naming the subset (ISO 32000-1, 9.6.4), derived from its glyphs."""
    value = hash(tuple(glyph.glyph_id for _, glyph in glyphs)) & 0xFFFFFFFF
    letters = []
    for _ in range(6):
        value, rest = divmod(value, 26)
        letters.append(chr(ord("A") + rest))
    return "".join(letters)


def _widths(glyphs: list[tuple[int, Any]]) -> str:
    """The CIDFont /W array: one ``first [w1 w2 ...]`` run per block of consecutive codes."""
    runs: list[str] = []
    start = previous = -2
    current: list[str] = []
    for code, glyph in glyphs:
        if code != previous + 1:
            if current:
                runs.append(f"{start} [{' '.join(current)}]")
            start, current = code, []
        current.append(str(glyph.glyph_width))
        previous = code
    if current:
        runs.append(f"{start} [{' '.join(current)}]")
    return f"[{' '.join(runs)}]"


def _to_unicode(glyphs: list[tuple[int, Any]]) -> bytes:
    entries = []
    for code, glyph in glyphs:
        if not isinstance(glyph.unicode, tuple) or not glyph.unicode:
            continue
        target = "".join(chr(point).encode("utf-16-be").hex().upper() for point in glyph.unicode)
        entries.append(f"<{code:04X}> <{target}>\n")
    blocks = "".join(
        f"{len(chunk)} beginbfchar\n{''.join(chunk)}endbfchar\n"
        for chunk in (entries[i : i + 100] for i in range(0, len(entries), 100))
    )
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo\n<</Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"{blocks}endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
    ).encode("latin-1")


def _cid_to_gid(glyphs: list[tuple[int, Any]]) -> bytes:
    """The CIDToGIDMap stream: 2 bytes per code up to the highest code used (codes beyond it
    map to glyph 0, as the stream ends there)."""
    table = array("H", [0] * ((glyphs[-1][0] + 1) if glyphs else 1))
    for code, glyph in glyphs:
        table[code] = glyph.glyph_id
    if sys.byteorder == "little":
        table.byteswap()
    return table.tobytes()
