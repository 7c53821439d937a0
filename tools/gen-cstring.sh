#!/bin/sh
# gen-cstring.sh FILE NAME: FILE as a C source defining
#   const char NAME[] = "...";  and  const size_t NAME_len;
# for files finewsd writes as they are (data/feed.xsl).  Each line becomes
# one string literal, '\' and '"' escaped; POSIX awk, no xxd needed.
set -eu
file=$1
name=$2
printf '/* Generated from %s by tools/gen-cstring.sh: edit that file. */\n' "${file##*/}"
printf '#include <stddef.h>\n\nextern const char %s[];\nextern const size_t %s_len;\n\n' "$name" "$name"
printf 'const char %s[] =\n' "$name"
awk '{ gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); gsub(/\t/, "\\t"); printf "\t\"%s\\n\"\n", $0 }' "$file"
printf '\t"";\nconst size_t %s_len = sizeof(%s) - 1;\n' "$name" "$name"
