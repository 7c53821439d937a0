#!/usr/bin/env python3
"""Checks the RFC 4287 rules that atom.rng leaves to Schematron.

Usage: atom_rules.py FEED.xml...

xmllint --relaxng enforces the grammar but not the two Schematron rules of
RFC 4287: an entry needs an author unless its feed has one, and an element
has at most one link of each rel/type/hreflang.  Also checks that entry ids
are unique within a feed.  Prints one line per problem; exits 1 if any.
Python 3 standard library only.
"""

import sys
import xml.etree.ElementTree as ET

ATOM = "{http://www.w3.org/2005/Atom}"


def has_author(elem):
    return any(a.find(ATOM + "name") is not None and
               (a.find(ATOM + "name").text or "").strip()
               for a in elem.findall(ATOM + "author"))


def link_problems(where, elem):
    seen = set()
    problems = []
    for link in elem.findall(ATOM + "link"):
        key = (link.get("rel", "alternate"), link.get("type"),
               link.get("hreflang"))
        if key in seen:
            problems.append("%s: two links with rel/type/hreflang %r"
                            % (where, key))
        seen.add(key)
    return problems


def check(path):
    problems = []
    root = ET.parse(path).getroot()
    if root.tag != ATOM + "feed":
        return ["%s: root element is %s, not atom:feed" % (path, root.tag)]
    problems += link_problems(path + ": feed", root)
    feed_author = has_author(root)
    ids = set()
    for n, entry in enumerate(root.findall(ATOM + "entry"), 1):
        where = "%s: entry %d" % (path, n)
        if not feed_author and not has_author(entry):
            problems.append(where + ": no author, and the feed has none")
        problems += link_problems(where, entry)
        eid = (entry.findtext(ATOM + "id") or "").strip()
        if eid in ids:
            problems.append("%s: id %s twice in the feed" % (where, eid))
        ids.add(eid)
    return problems


def main(argv):
    problems = []
    for path in argv[1:]:
        try:
            problems += check(path)
        except (OSError, ET.ParseError) as e:
            problems.append("%s: %s" % (path, e))
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
