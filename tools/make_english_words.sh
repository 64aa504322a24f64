#!/usr/bin/env bash
# Writes data/english-words.txt: the lower-case words of Debian's
# `wamerican` list (SCOWL, size 50; `apt-get install wamerican`), one per
# line, sorted. tarjama uses it to tell a capitalised ordinary word
# ("President", "Hunt") from a name that must have a counterpart in the
# Arabic (src/names/grounding.rs). Words the list holds only capitalised
# (Obama, Jeremy, Aleppo) are names, so they are left out.
#
# Usage: tools/make_english_words.sh   (from the repository root)
set -euo pipefail
list=/usr/share/dict/american-english
[ -r "$list" ] || { echo "make_english_words: $list missing: apt-get install wamerican" >&2; exit 1; }
out=data/english-words.txt
tmp="$out.tmp"
{
  echo "# Lower-case English words, from Debian's wamerican $(dpkg-query -W -f='${Version}' wamerican 2>/dev/null || echo '?') (SCOWL)."
  echo "# Made by tools/make_english_words.sh; do not edit by hand."
  echo "# Copyright 2000-2011 by Kevin Atkinson. Permission to use, copy, modify,"
  echo "# distribute and sell these word lists, the associated scripts, the output"
  echo "# created from the scripts, and its documentation for any purpose is hereby"
  echo "# granted without fee, provided that the above copyright notice appears in"
  echo "# all copies and that both that copyright notice and this permission notice"
  echo "# appear in supporting documentation. Kevin Atkinson makes no representations"
  echo "# about the suitability of this array for any purpose. It is provided \"as is\""
  echo "# without express or implied warranty. (Full notice: /usr/share/doc/wamerican/copyright.)"
  LC_ALL=C grep -E '^[a-z]+$' "$list" | LC_ALL=C sort -u
} > "$tmp"
mv "$tmp" "$out"
echo "$out: $(grep -vc '^#' "$out") words" >&2
