#!/bin/sh
# Rebuilds the bundled font subsets in this folder from Debian's Noto fonts
# (fonts-noto-core, fonts-noto-cjk) with fonttools' pyftsubset (pip install fonttools).
# Each subset keeps a script's basic Unicode ranges plus every character of the bundled
# corpus, and all OpenType layout features (Arabic joining, Indic conjuncts, marks).
# Run from the repository root: sh src/ui/fonts/make-subsets.sh
set -eu
PYFTSUBSET=${PYFTSUBSET:-pyftsubset}
out=src/ui/fonts
noto=/usr/share/fonts/truetype/noto
cjk=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
text=$(mktemp)
cat corpora/*/*.md > "$text"
sub() { # font out ranges [extra args]
  src=$1; dst=$2; ranges=$3; shift 3
  "$PYFTSUBSET" "$src" --output-file="$out/$dst" --unicodes="$ranges" --text-file="$text" \
    --layout-features='*' --no-hinting --desubroutinize --name-IDs='*' --notdef-outline "$@"
}
common=U+0020-007E,U+00A0-00BF,U+2000-206F,U+25CC
sub $noto/NotoSans-Regular.ttf NotoSans-GreekCyrillic.ttf "$common,U+00C0-024F,U+0370-03FF,U+1F00-1FFF,U+0400-052F,U+1C80-1C8F,U+2DE0-2DFF,U+A640-A69F,U+20A0-20CF"
sub $noto/NotoSansArabic-Regular.ttf NotoSansArabic.ttf "$common,U+0600-06FF,U+0750-077F,U+08A0-08FF,U+FB50-FDFF,U+FE70-FEFF"
sub $noto/NotoSansHebrew-Regular.ttf NotoSansHebrew.ttf "$common,U+0590-05FF,U+FB1D-FB4F"
sub $noto/NotoSansDevanagari-Regular.ttf NotoSansDevanagari.ttf "$common,U+0900-097F,U+A8E0-A8FF,U+1CD0-1CFF"
sub $noto/NotoSansBengali-Regular.ttf NotoSansBengali.ttf "$common,U+0980-09FF"
sub $noto/NotoSansThai-Regular.ttf NotoSansThai.ttf "$common,U+0E00-0E7F"
sub $noto/NotoSansGeorgian-Regular.ttf NotoSansGeorgian.ttf "$common,U+10A0-10FF,U+1C90-1CBF,U+2D00-2D2F"
sub $noto/NotoSansArmenian-Regular.ttf NotoSansArmenian.ttf "$common,U+0530-058F,U+FB13-FB17"
# CJK: only the corpus's characters plus punctuation, kana and full-width forms (the full
# face is 16 MB); face 2 of the collection is Simplified Chinese.
sub $cjk NotoSansCJK-Subset.otf "U+3000-303F,U+3040-30FF,U+FF00-FFEF" --font-number=2
rm -f "$text"
ls -l $out
