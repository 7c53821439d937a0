#!/usr/bin/env python3
"""A re-creation of the old pipeline's way of working, for `make bench`.

It models what the cron script that finewsd replaces did every five minutes
(README, first paragraph), not its exact code, which is not kept here:

  * a pool of THREADS worker threads (concurrent.futures), as the script
    fetched with threads;
  * a new TCP connection for every request (urllib opens one per urlopen
    and sends "Connection: close"), no conditional requests;
  * every list read, and the text of every record in it fetched again,
    whether it is new or not;
  * every post file rewritten each run (open, write, close; no fsync and no
    rename, which makes it cheaper than a crash-safe writer), one page per
    category and one Atom feed per category of all its posts.

Usage: old-pipeline.py BASE_URL NSOURCES SITE_DIR THREADS
Prints "records requests" on stdout.
"""
import concurrent.futures
import json
import os
import sys
import urllib.request
from xml.sax.saxutils import escape

base, nsrc, site, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])


def get(url):
    req = urllib.request.Request(url, headers={"Connection": "close"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read()


def slug(media):
    return "m%x" % (sum(media.encode()) % 4096)


def text_of(rec):
    body = json.loads(get("%s/text?id=%s" % (base, rec["infoCode"])))
    return rec, body["text"]


def main():
    os.makedirs(site + "/_posts", exist_ok=True)
    os.makedirs(site + "/category", exist_ok=True)
    os.makedirs(site + "/feeds", exist_ok=True)
    requests = 0
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        lists = list(pool.map(lambda s: json.loads(get("%s/list?page=%d" % (base, s))),
                              range(nsrc)))
        requests += nsrc
        recs = [r for l in lists for r in l["record"]]
        done = list(pool.map(text_of, recs))
        requests += len(recs)
    cats = {}
    for rec, html in done:
        day = rec["datetime"][:10]
        cat = slug(rec["medianame"])
        cats.setdefault(cat, (rec["medianame"], []))[1].append((rec, html))
        with open("%s/_posts/%s-%s.md" % (site, day, rec["infoCode"]), "w") as f:
            f.write("---\nlayout: post\ntitle: %s\ndate: %s\ncategory: %s\n"
                    "tags: [%s]\n---\n%s\n" % (json.dumps(rec["title"], ensure_ascii=False),
                                               rec["datetime"], cat, rec["medianame"], html))
    for cat, (tag, posts) in cats.items():
        with open("%s/category/%s.html" % (site, cat), "w") as f:
            f.write("---\nlayout: category\ncategory: %s\ntag: %s\n---\n" % (cat, tag))
        with open("%s/feeds/%s.xml" % (site, cat), "w") as f:
            f.write('<?xml version="1.0" encoding="utf-8"?>\n'
                    '<feed xmlns="http://www.w3.org/2005/Atom">\n')
            for rec, html in posts:
                f.write("<entry><id>%s</id><title>%s</title><updated>%s</updated>"
                        "<content type=\"html\">%s</content></entry>\n"
                        % (rec["infoCode"], escape(rec["title"]), rec["datetime"], escape(html)))
            f.write("</feed>\n")
    print(len(done), requests)


main()
