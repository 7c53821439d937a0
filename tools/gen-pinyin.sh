#!/bin/sh
#
# gen-pinyin.sh FILE: writes on stdout the C source of the pinyin table that
# slug.c searches (see src/pinyin_table.h), from FILE, Unihan_Readings.txt
# or Unihan_Readings.txt.bz2 (Debian's unicode-data).
#
# Each code point with a kMandarin reading gets one entry per candidate
# reading, toneless and lowercase, with u-umlaut written v: its FIRST
# kMandarin reading first (the reading a slug takes), then its other
# kMandarin readings, then those of kXHC1983 and kHanyuPinyin
# ("loc[,loc]:reading[,reading]" each), without repeats.  The other
# candidates are the readings an old generator may have chosen; slug.c
# hands them to the alignment of the site's slugs.
# The tone marks are replaced byte by byte on the UTF-8 text, so that any
# POSIX awk does, mawk included, whatever the locale.
#
# Nothing is written unless the whole input was read and understood: a
# missing or unreadable file, a bzcat error, an unknown character in a
# reading, unsorted code points or no reading at all make it exit 1 with an
# empty stdout.  Needs only sh, awk and (for .bz2) bzcat.

LC_ALL=C
export LC_ALL

me=gen-pinyin.sh
if [ $# -ne 1 ]; then
	echo "usage: $me Unihan_Readings.txt[.bz2]" >&2
	exit 1
fi
if [ ! -f "$1" ] || [ ! -r "$1" ]; then
	echo "$me: $1: not a readable file (install unicode-data)" >&2
	exit 1
fi

# A pipeline's status is that of its last command, so a failing bzcat is
# reported to awk in-band, by a line no Unihan file contains (on a line of
# its own even when bzcat stopped in the middle of one).
case $1 in
*.bz2)	reader='bzcat'	;;
*)	reader='cat'	;;
esac

{ $reader < "$1" || printf '\n#GEN-PINYIN-READ-FAILED\n'; } |
UNIHAN_SRC=$1 awk '
function fail(msg) {
	printf "gen-pinyin.sh: %s: %s\n", src, msg | "cat 1>&2"
	failed = 1
	exit 1
}

function hexval(s,    i, n, d) {
	n = 0
	for (i = 1; i <= length(s); i++) {
		d = index("0123456789ABCDEF", substr(s, i, 1))
		if (d == 0)
			return -1
		n = n * 16 + d - 1
	}
	return n
}

# The toneless form of a reading.  Only the marked vowels of Hanyu Pinyin
# occur in kMandarin; anything else left after the replacement is an error,
# since a table with a stray byte in a slug would be worse than no table.
function toneless(r,    i, t) {
	if (r in cache)
		return cache[r]
	t = r
	for (i = 1; i <= nmarks; i++)
		if (index(t, mark[i]))
			gsub(mark[i], plain[i], t)
	t = tolower(t)
	if (t !~ /^[a-z]+$/)
		fail("line " NR ": unexpected character in reading \"" r "\"")
	if (length(t) >= WIDTH)
		fail("line " NR ": reading \"" t "\" longer than " WIDTH - 1)
	cache[r] = t
	return t
}

BEGIN {
	FS = "\t"
	src = ENVIRON["UNIHAN_SRC"]
	# Keep the path from closing the comment it is printed in.
	gsub(/\*\//, "*_/", src)
	WIDTH = 8		# PINYIN_WIDTH in pinyin_table.h
	MAXREADINGS = 2048	# 1 << PINYIN_INDEX_BITS in pinyin_table.h
	# UTF-8 of the marked letters, and what each becomes.
	n = 0
	mark[++n] = "\304\201"; plain[n] = "a"	# U+0101 a macron
	mark[++n] = "\303\241"; plain[n] = "a"	# U+00E1 a acute
	mark[++n] = "\307\216"; plain[n] = "a"	# U+01CE a caron
	mark[++n] = "\303\240"; plain[n] = "a"	# U+00E0 a grave
	mark[++n] = "\304\223"; plain[n] = "e"	# U+0113 e macron
	mark[++n] = "\303\251"; plain[n] = "e"	# U+00E9 e acute
	mark[++n] = "\304\233"; plain[n] = "e"	# U+011B e caron
	mark[++n] = "\303\250"; plain[n] = "e"	# U+00E8 e grave
	mark[++n] = "\303\252"; plain[n] = "e"	# U+00EA e circumflex
	mark[++n] = "\341\272\277"; plain[n] = "e"	# U+1EBF e circumflex acute
	mark[++n] = "\341\273\201"; plain[n] = "e"	# U+1EC1 e circumflex grave
	mark[++n] = "\304\253"; plain[n] = "i"	# U+012B i macron
	mark[++n] = "\303\255"; plain[n] = "i"	# U+00ED i acute
	mark[++n] = "\307\220"; plain[n] = "i"	# U+01D0 i caron
	mark[++n] = "\303\254"; plain[n] = "i"	# U+00EC i grave
	mark[++n] = "\305\215"; plain[n] = "o"	# U+014D o macron
	mark[++n] = "\303\263"; plain[n] = "o"	# U+00F3 o acute
	mark[++n] = "\307\222"; plain[n] = "o"	# U+01D2 o caron
	mark[++n] = "\303\262"; plain[n] = "o"	# U+00F2 o grave
	mark[++n] = "\305\253"; plain[n] = "u"	# U+016B u macron
	mark[++n] = "\303\272"; plain[n] = "u"	# U+00FA u acute
	mark[++n] = "\307\224"; plain[n] = "u"	# U+01D4 u caron
	mark[++n] = "\303\271"; plain[n] = "u"	# U+00F9 u grave
	mark[++n] = "\307\226"; plain[n] = "v"	# U+01D6 u diaeresis macron
	mark[++n] = "\307\230"; plain[n] = "v"	# U+01D8 u diaeresis acute
	mark[++n] = "\307\232"; plain[n] = "v"	# U+01DA u diaeresis caron
	mark[++n] = "\307\234"; plain[n] = "v"	# U+01DC u diaeresis grave
	mark[++n] = "\303\274"; plain[n] = "v"	# U+00FC u diaeresis
	mark[++n] = "\341\270\277"; plain[n] = "m"	# U+1E3F m acute
	mark[++n] = "\305\204"; plain[n] = "n"	# U+0144 n acute
	mark[++n] = "\305\210"; plain[n] = "n"	# U+0148 n caron
	mark[++n] = "\307\271"; plain[n] = "n"	# U+01F9 n grave
	# TR38 allows decomposed forms too: u with a combining diaeresis,
	# and the combining marks themselves, as in e-circumflex with a tone.
	mark[++n] = "u\314\210"; plain[n] = "v"	# u U+0308
	mark[++n] = "\314\202"; plain[n] = ""	# U+0302 combining circumflex
	mark[++n] = "\314\204"; plain[n] = ""	# U+0304 combining macron
	mark[++n] = "\314\201"; plain[n] = ""	# U+0301 combining acute
	mark[++n] = "\314\214"; plain[n] = ""	# U+030C combining caron
	mark[++n] = "\314\200"; plain[n] = ""	# U+0300 combining grave
	nmarks = n
	nrows = 0
	nreadings = 0
	lastcp = -1
}

$0 == "#GEN-PINYIN-READ-FAILED" {
	fail("cannot be read")
}

/^#/ {
	next
}

# The fields of one code point come together, in the order of their names
# (kHanyuPinyin before kMandarin before kXHC1983): they are gathered, and
# the code point is written out when the next one starts.
function cand(list, t) {
	if (index(" " list " ", " " t " "))
		return list
	return list == "" ? t : list " " t
}

function flush(    i, n, r, t) {
	if (curcp == "" || mand == "")
		return
	n = split(mand " " xhc " " hyp, r, " ")
	list = ""
	for (i = 1; i <= n; i++)
		if (r[i] != "")
			list = cand(list, toneless(r[i]))
	n = split(list, r, " ")
	for (i = 1; i <= n; i++) {
		t = r[i]
		if (!(t in ridx)) {
			if (nreadings == MAXREADINGS)
				fail("more than " MAXREADINGS " readings")
			ridx[t] = nreadings
			reading[nreadings++] = t
		}
		rowcp[nrows] = curcp
		rowix[nrows++] = ridx[t]
	}
}

# "loc[,loc...]:reading[,reading...]" groups, space-separated.
function dictreadings(v,    g, n, i, parts, out) {
	out = ""
	n = split(v, g, " ")
	for (i = 1; i <= n; i++) {
		if (split(g[i], parts, ":") != 2)
			fail("line " NR ": bad dictionary reading \"" g[i] "\"")
		gsub(/,/, " ", parts[2])
		out = out " " parts[2]
	}
	return out
}

$2 == "kMandarin" || $2 == "kHanyuPinyin" || $2 == "kXHC1983" {
	sub(/\r$/, "", $3)
	if ($1 !~ /^U\+[0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F]?[0-9A-F]?$/)
		fail("line " NR ": bad code point \"" $1 "\"")
	if (substr($1, 3) != curcp) {
		cp = hexval(substr($1, 3))
		if (cp > 1114111 || cp <= lastcp)
			fail("line " NR ": code point " $1 " out of order")
		lastcp = cp
		flush()
		curcp = substr($1, 3)
		mand = xhc = hyp = ""
	}
	if ($2 == "kMandarin") {
		if ($3 == "")
			fail("line " NR ": no reading for " $1)
		mand = $3
	} else if ($2 == "kXHC1983")
		xhc = dictreadings($3)
	else
		hyp = dictreadings($3)
}

END {
	if (failed)
		exit 1
	flush()
	if (nrows == 0)
		fail("no kMandarin readings")
	print "/*"
	print " * Generated by tools/gen-pinyin.sh from " src ":"
	print " * the candidate readings of each code point, toneless, its first kMandarin"
	print " * reading first.  Do not edit; run the script again instead."
	print " */"
	print "#include \"config.h\""
	print ""
	print "#include <stddef.h>"
	print "#include <stdint.h>"
	print ""
	print "#include \"pinyin_table.h\""
	print ""
	printf "const char pinyin_readings[][PINYIN_WIDTH] = {"
	for (i = 0; i < nreadings; i++)
		printf "%s\"%s\",", (i % 8 == 0 ? "\n\t" : " "), reading[i]
	print "\n};"
	print ""
	printf "const uint32_t pinyin_entries[] = {"
	for (i = 0; i < nrows; i++)
		printf "%sPINYIN_ENTRY(0x%s, %d),", (i % 4 == 0 ? "\n\t" : " "),
		    rowcp[i], rowix[i]
	print "\n};"
	print ""
	print "const size_t pinyin_nentries ="
	print "    sizeof(pinyin_entries) / sizeof(pinyin_entries[0]);"
}
'
