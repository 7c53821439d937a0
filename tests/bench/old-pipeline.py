#!/usr/bin/env python3
"""A re-creation of the old pipeline, for `make bench`.

The old pipeline is the site's own: a GitHub Actions cron every five
minutes ran get_news_with__threads.py, then generate_category.py
(repository zning1994/finews, whose posts are in ../shared/corpus).  This
file is not their code; it does what they did, one pass of it:

  * one thread per list API (they started one per list), each reading its
    list and then the text of every record in it, one after another,
    whether the record is new or not, with `requests.get` (a new session,
    so a new TCP connection, for every request);
  * the media name's category slug from a per-thread pinyin table (they
    built an xpinyin `Pinyin()` per list; the table here is built by
    bench.sh from Unihan's kMandarin, in xpinyin's format);
  * every post file rewritten (open, write, close; no fsync, no rename), in
    the site's format, the text with its full-width indents removed;
  * then every post's front matter read back and parsed as YAML
    (PyYAML's FullLoader, what `yaml.load` was when they wrote it), the
    category folder removed and one page per category written again.

Where this is kinder to the old pipeline than the scripts were:
  * a run is one pass (the script made five, 30 s apart, per cron run);
  * old posts are not moved out of _posts/ (the script moved every post
    not of the last three days to old_post/ first: nothing in a cold run,
    every post of the run before in a run with nothing new, since the
    generated posts are of 2022);
  * the pinyin table is smaller than xpinyin's (bench.sh) and get_pinyin
    the plain loop of older xpinyin (one reading a character, no
    combinations): 1.5 us a media name where xpinyin 0.7 takes 5;
  * one interpreter start, not two; no print() a post; no git commit;
  * the sources are a static server on 127.0.0.1, where the script's
    sequential requests waited on the Internet.
Where it does more: the Atom feeds, one per category, which the site got
from a Jekyll build after the commit, are written here directly (about
8 us a record, under 1 % of a run); and every list thread builds a pinyin
table (the script's rolling-news thread built none: 4 ms a run).

--lean is the lighter model the benchmark used before (a pool of THREADS
threads over all texts, urllib with "Connection: close", a hash for the
slug, no YAML pass): kept as a second row, so that the ratio against it
stays visible.

Usage: old-pipeline.py [--lean] BASE_URL NSOURCES SITE_DIR THREADS PINYIN
Prints "records requests" on stdout.
"""
import concurrent.futures
import glob
import json
import os
import shutil
import sys
import threading
import urllib.request
from xml.sax.saxutils import escape

lean = sys.argv[1] == "--lean"
if lean:
    del sys.argv[1]
base, nsrc, site, threads, pinyin_dat = (sys.argv[1], int(sys.argv[2]), sys.argv[3],
                                         int(sys.argv[4]), sys.argv[5])
HOME = "//finews.withounder.com"
SHARE = "http://finews.zning.xyz/html_News/NewsShare.html?infoCode="


def get(url):
    if lean:
        req = urllib.request.Request(url, headers={"Connection": "close"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.read()
    ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36"
    return requests.get(url, headers={"User-Agent": ua}).content


class Pinyin:
    """xpinyin's way: a dict from the code point's hex to its readings
    ("QING1 QING4"), read from a file at every construction."""

    def __init__(self):
        self.dict = {}
        with open(pinyin_dat) as f:
            for line in f:
                k, v = line.split("\t")
                self.dict[k] = v

    def get_pinyin(self, chars, splitter="-"):
        out = []
        for c in chars:
            key = "%X" % ord(c)
            out.append(self.dict[key].split()[0][:-1].lower() if key in self.dict else c)
        return splitter.join(out)


def write_post(rec, text, cat):
    media, code = rec["medianame"], rec["infoCode"]
    with open("%s/_posts/%s-%s.md" % (site, rec["datetime"].split(" ")[0], code), "w",
              encoding="utf-8") as f:
        f.write('---\nlayout: post\ntitle: "%s"\ndate: %s +0800\ncategories: %s\n'
                "tags: %s新闻\n---\n%s\n\n<%s%s>\n\n[返回%s新闻](%s/category/%s.html)"
                "｜[返回首页](%s/)" % (rec["title"], rec["datetime"], cat, media,
                                   text.replace("　　", ""), SHARE, code, media, HOME, cat, HOME))


done = []                 # (record, text, category), appended by the threads
lock = threading.Lock()


def one_list(s):
    p = Pinyin()
    for rec in json.loads(get("%s/list?page=%d" % (base, s)))["record"]:
        cat = p.get_pinyin(rec["medianame"]).replace("-", "")
        text = json.loads(get("%s/text?id=%s" % (base, rec["infoCode"])))["text"]
        write_post(rec, text, cat)
        with lock:
            done.append((rec, text, cat))


def front_matter(path):
    fm, started = "", False
    with open(path) as f:
        for line in f.readlines():
            if line.strip() == "---":
                if started:
                    break
                started = True
                continue
            fm += line
    return fm


def category_pages():
    cats = []
    for path in glob.glob(os.path.join(site, "_posts", "*.md")):
        cat = yaml.load(front_matter(path), Loader=yaml.FullLoader)["categories"]
        if cat not in cats:
            cats.append(cat)
    shutil.rmtree(site + "/category", ignore_errors=True)
    os.makedirs(site + "/category")
    for cat in cats:
        with open("%s/category/%s.html" % (site, cat), "w+") as f:
            f.write("---\nlayout: category\ntitle: %s\ncategory: %s\n---" % (cat.title(), cat))


def lean_run():
    def text_of(rec):
        return rec, json.loads(get("%s/text?id=%s" % (base, rec["infoCode"])))["text"]

    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        lists = list(pool.map(lambda s: json.loads(get("%s/list?page=%d" % (base, s))),
                              range(nsrc)))
        recs = [r for l in lists for r in l["record"]]
        for rec, text in pool.map(text_of, recs):
            cat = "m%x" % (sum(rec["medianame"].encode()) % 4096)
            write_post(rec, text, cat)
            done.append((rec, text, cat))
    os.makedirs(site + "/category", exist_ok=True)
    for cat in {c for _, _, c in done}:
        with open("%s/category/%s.html" % (site, cat), "w") as f:
            f.write("---\nlayout: category\ncategory: %s\n---\n" % cat)


def feeds():
    bycat = {}
    for rec, text, cat in done:
        bycat.setdefault(cat, []).append((rec, text))
    for cat, posts in bycat.items():
        with open("%s/feeds/%s.xml" % (site, cat), "w") as f:
            f.write('<?xml version="1.0" encoding="utf-8"?>\n'
                    '<feed xmlns="http://www.w3.org/2005/Atom">\n')
            for rec, text in posts:
                f.write("<entry><id>%s</id><title>%s</title><updated>%s</updated>"
                        "<content type=\"html\">%s</content></entry>\n"
                        % (rec["infoCode"], escape(rec["title"]), rec["datetime"], escape(text)))
            f.write("</feed>\n")


def main():
    for d in ("_posts", "category", "feeds"):
        os.makedirs(os.path.join(site, d), exist_ok=True)
    if lean:
        lean_run()
    else:
        ts = [threading.Thread(target=one_list, args=(s,)) for s in range(nsrc)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        category_pages()
    feeds()
    print(len(done), nsrc + len(done))


if not lean:
    import requests
    import yaml
main()
