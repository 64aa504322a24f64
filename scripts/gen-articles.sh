#!/usr/bin/env bash
# Writes COUNT short Arabic articles (article-0000.txt …) into DIR for the
# cluster test: a title and three paragraphs cut from the lines of seeds/,
# chosen by the article's number, so the same COUNT gives the same bytes on
# every machine.
#   scripts/gen-articles.sh DIR [COUNT]   (COUNT defaults to 300)
set -euo pipefail
dir=${1:?usage: gen-articles.sh DIR [COUNT]}
count=${2:-300}
seeds="$(cd "$(dirname "$0")/.." && pwd)/seeds"
mkdir -p "$dir"
LC_ALL=C.UTF-8 cat "$seeds"/*.txt | LC_ALL=C.UTF-8 awk -v dir="$dir" -v count="$count" '
    NF >= 6 { lines[n++] = $0 }
    function cut(line, words,    w, k, m, s) {
        m = split(line, w, " ")
        if (words > m) words = m
        s = w[1]
        for (k = 2; k <= words; k++) s = s " " w[k]
        sub(/[.،:"]+$/, "", s)
        return s
    }
    END {
        if (n == 0) { print "gen-articles: no seed lines" > "/dev/stderr"; exit 1 }
        for (i = 0; i < count; i++) {
            f = sprintf("%s/article-%04d.txt", dir, i)
            print cut(lines[(i * 13) % n], 5 + i % 4) > f
            for (p = 0; p < 3; p++) {
                print "" > f
                print cut(lines[(i * 7 + p * 31 + 1) % n], 8 + (i + p) % 9) "." > f
            }
            close(f)
        }
    }'
