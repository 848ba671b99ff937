"""Draft stage: Vietnamese text made comparable — one Unicode form, one tone-mark placement,
plain spaces, "phần trăm" as "%", number words as digits and Vietnamese number separators
("1.020", "95,5") read as numbers. The sentence as written is kept apart for `quote:`.
"""
from __future__ import annotations

import re
import unicodedata

# Spaces a word processor or a PDF writes: no-break, thin, narrow no-break, figure, ideographic
_SPACES = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]+")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
                         "\u2014": "-", "\u2212": "-", "\uff05": "%", "\u2030": "‰",
                         "\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})
_TONES = "\u0300\u0301\u0303\u0309\u0323"   # huyền, sắc, ngã, hỏi, nặng (decomposed)
# "hoà", "thuý", "khoẻ" (tone on the second vowel, the newer placement) → "hòa", "thúy",
# "khỏe" when the syllable ends there; "quý" keeps its mark (the u belongs to "qu").
_NEW_PLACEMENT = re.compile(rf"(?<![qQ])([oOuU])([aAeEyY])([{_TONES}])(?![^\W\d_]|[\u0300-\u036f])")


def tone_placement(text: str) -> str:
    """One tone-mark placement for oa, oe, uy at a syllable's end (the older, hòa)."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", _NEW_PLACEMENT.sub(r"\1\3\2", decomposed))


_UNITS = {"không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5,
          "lăm": 5, "nhăm": 5, "sáu": 6, "bảy": 7, "bẩy": 7, "tám": 8, "chín": 9}
_WORD = r"(?:không|một|mốt|hai|ba|bốn|tư|năm|lăm|nhăm|sáu|bảy|bẩy|tám|chín|mười|mươi|trăm|linh|lẻ)"

# The Vietnamese words a plan writes after a figure, written once here for every pattern:
# what a count counts ("300 xã", "10 biên chế") and what else a figure measures ("15 bậc").
COUNTED = ("biên chế", "người", "đơn vị", "thủ tục", "hồ sơ", "văn bản", "cơ quan", "xã",
           "huyện", "phòng", "ban", "tổ chức", "dịch vụ", "chỉ tiêu", "sáng kiến", "cuộc")
MEASURES = ("bậc", "điểm", "lần", "ngày", "tỉnh", "địa phương", "nước")


def unit_words(*groups: tuple[str, ...]) -> str:
    """A regex alternation of the unit words of `groups`, longest first."""
    words = sorted({w for group in groups for w in group}, key=len, reverse=True)
    return "|".join(re.escape(w) for w in words)


# number words are read only before a unit they count, so "năm 2025" stays a year
_NUMBER_WORDS = re.compile(rf"\b({_WORD}(?:\s+{_WORD})*)(?=\s*(?:%|phần trăm|"
                           rf"{unit_words(COUNTED, MEASURES)})\b|\s*%)", re.IGNORECASE)


def words_to_number(words: str) -> int | None:
    """'chín mươi lăm' → 95, 'một trăm' → 100, 'mười hai' → 12; None if not a number."""
    total, current = 0, None
    tokens = words.lower().split()
    for i, token in enumerate(tokens):
        if token in ("linh", "lẻ"):
            continue
        if token == "trăm":
            total += (current if current is not None else 1) * 100
            current = None
        elif token == "mười":
            current = (current or 0) + 10
        elif token == "mươi":
            if current is None:
                return None
            current *= 10
        elif token in _UNITS:
            value = _UNITS[token]
            if token == "tư" and (i == 0 or tokens[i - 1] not in ("mươi",)):
                return None   # "tư" alone is not four here ("tư pháp", "đầu tư")
            current = (current or 0) + value if current and current % 10 == 0 else \
                value if current is None else None
            if current is None:
                return None
        else:
            return None
    return total + (current or 0)


def _number_words(match: re.Match) -> str:
    if match.group(1).lower() in ("không", "một"):   # a negation, an article: "không ban
        return match.group(0)                         # hành", "nhập dữ liệu một lần"
    value = words_to_number(match.group(1))
    return match.group(0) if value is None else str(value)


def normalise(text: str) -> str:
    """The text as the patterns read it: NFC, one tone placement, plain single spaces,
    dashes as '-', 'phần trăm' as '%', number words before a unit as digits."""
    text = unicodedata.normalize("NFC", _ZERO_WIDTH.sub("", text)).translate(_DASHES)
    text = tone_placement(_SPACES.sub(" ", text))
    text = re.sub(r"\s*phần\s+trăm\b", "%", text, flags=re.IGNORECASE)
    text = _NUMBER_WORDS.sub(_number_words, text)
    text = re.sub(r"(\d)\s+%", r"\1%", text)
    return re.sub(r" {2,}", " ", text).strip()


def fold(text: str) -> str:
    """For comparing names: normalised, lower case, punctuation as spaces."""
    text = normalise(text).lower().replace("đ", "đ")
    return " ".join(re.sub(r"[^\w%]+", " ", text).split())


def ascii_words(text: str) -> list[str]:
    """'Hồ sơ trực tuyến' → ['ho', 'so', 'truc', 'tuyen'] (for new metric ids)."""
    plain = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.findall(r"[a-z0-9]+", plain)


# A Vietnamese number: "1.020" (thousands), "95,5" (decimal comma), "1.020,5"; a dot before
# one or two digits ("95.5") is read as a decimal point, as a typist wrote it.
NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?(?!\d)|\d+(?:[,.]\d+)?"


def parse_number(text: str) -> float:
    """'1.020' → 1020, '95,5' → 95.5, '1.020,5' → 1020.5, '95.5' → 95.5."""
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", text):
        return float(text.replace(".", "").replace(",", "."))
    return float(text.replace(",", "."))
