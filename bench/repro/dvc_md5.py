"""The md5 DVC records for a file or a directory, computed the way DVC does it: each file's md5 read
in 1 MiB chunks with hashlib; a directory's md5 is that of its `.dir` listing (json.dumps of
[{"md5": ..., "relpath": ...}] sorted by relpath, sort_keys=True) with ".dir" appended.

    python3 dvc_md5.py PATH    -> prints the md5 (and, for a directory, the file count)
"""
import hashlib
import json
import os
import sys

CHUNK = 1 << 20


def file_md5(path):
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def directory_md5(root):
    entries = []
    for dirpath, _, names in os.walk(root):
        for name in names:
            full = os.path.join(dirpath, name)
            relpath = os.path.relpath(full, root).replace(os.sep, "/")
            entries.append({"md5": file_md5(full), "relpath": relpath})
    entries.sort(key=lambda entry: entry["relpath"])
    listing = json.dumps(entries, sort_keys=True)
    return hashlib.md5(listing.encode()).hexdigest() + ".dir", len(entries)


if __name__ == "__main__":
    target = sys.argv[1]
    if os.path.isdir(target):
        md5, files = directory_md5(target)
        print(md5, files)
    else:
        print(file_md5(target))
