#!/usr/bin/python3
"""Checks the product folders' layering: every .cpp/.hpp under core/, servers/ and loadgen/ lives
in a folder that CMake declares as a library (pushbench_layer in CMakeLists.txt), and includes
only headers of its own folder and of the folders its library links (layers.txt, written by
CMake at configure time: one line per folder, `folder: allowed folder...`).

Usage: check_layering.py SOURCE_DIR LAYERS_TXT. Exit 0 when clean, 1 listing every violation."""
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"((?:core|servers|loadgen)/[^"]+)"', re.M)
ROOTS = ("core", "servers", "loadgen")


def read_layers(path):
    allowed = {}
    for line in pathlib.Path(path).read_text().splitlines():
        if ":" not in line:
            continue
        folder, dirs = line.split(":", 1)
        allowed[folder.strip()] = set(dirs.split())
    return allowed


def violations(source_dir, allowed):
    found = []
    for root in ROOTS:
        for path in sorted((source_dir / root).rglob("*")):
            if path.suffix not in (".cpp", ".hpp"):
                continue
            rel = path.relative_to(source_dir)
            folder = rel.parent.as_posix()
            if folder not in allowed:
                found.append(f"{rel}: folder {folder} is no library (add a pushbench_layer)")
                continue
            for inc in INCLUDE.findall(path.read_text(encoding="utf-8")):
                target = pathlib.PurePosixPath(inc).parent.as_posix()
                if target not in allowed[folder]:
                    found.append(f"{rel}: includes {inc}, but {folder} may use only "
                                 f"{' '.join(sorted(allowed[folder]))}")
    return found


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    source_dir = pathlib.Path(sys.argv[1])
    allowed = read_layers(sys.argv[2])
    if not allowed:
        print(f"{sys.argv[2]}: no layers", file=sys.stderr)
        return 1
    found = violations(source_dir, allowed)
    for line in found:
        print(line)
    print(f"layering: {len(found)} violation(s) in {len(allowed)} folders")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
