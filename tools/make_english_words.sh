#!/usr/bin/env bash
# Writes data/english-words.txt: the lower-case words of Debian's
# `wamerican` and `wbritish` lists (SCOWL, size 50; `apt-get install
# wamerican wbritish`), one per line, sorted: translations are written in
# both spellings ("Center", "Centre", "Defense", "Defence"). tarjama uses it to tell a capitalised ordinary word
# ("President", "Hunt") from a name that must have a counterpart in the
# Arabic (src/names/grounding.rs). Words the list holds only capitalised
# (Obama, Jeremy, Aleppo) are names, so they are left out.
#
# Usage: tools/make_english_words.sh   (from the repository root)
set -euo pipefail
lists="/usr/share/dict/american-english /usr/share/dict/british-english"
for list in $lists; do
  [ -r "$list" ] || { echo "make_english_words: $list missing: apt-get install wamerican wbritish" >&2; exit 1; }
done
out=data/english-words.txt
tmp="$out.tmp"
{
  echo "# Lower-case English words, from Debian's wamerican and wbritish $(dpkg-query -W -f='${Version}' wamerican 2>/dev/null || echo '?') (SCOWL)."
  echo "# Made by tools/make_english_words.sh; do not edit by hand."
  echo "# Copyright 2000-2011 by Kevin Atkinson. Permission to use, copy, modify,"
  echo "# distribute and sell these word lists, the associated scripts, the output"
  echo "# created from the scripts, and its documentation for any purpose is hereby"
  echo "# granted without fee, provided that the above copyright notice appears in"
  echo "# all copies and that both that copyright notice and this permission notice"
  echo "# appear in supporting documentation. Kevin Atkinson makes no representations"
  echo "# about the suitability of this array for any purpose. It is provided \"as is\""
  echo "# without express or implied warranty. (Full notice: /usr/share/doc/wamerican/copyright, /usr/share/doc/wbritish/copyright.)"
  # shellcheck disable=SC2086
  cat $lists | LC_ALL=C grep -E '^[a-z]+$' | LC_ALL=C sort -u
} > "$tmp"
mv "$tmp" "$out"
echo "$out: $(grep -vc '^#' "$out") words" >&2
