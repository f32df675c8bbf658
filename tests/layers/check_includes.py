#!/usr/bin/env python3
"""The layers of server/ (DESIGN-NOTES, "Layers"), checked on the sources: a file of a folder includes
headers of its own folder or of folders below it, never above; the build refuses such an include
too (each folder's library sees only the include directories below it), and this test names the
file, the line and the rule. Usage: check_includes.py SERVER_DIR"""

import os
import re
import sys

ORDER = ["base", "rules", "store", "sms", "core", "api", "net"]


def main(server):
    owner = {}
    for layer in ORDER:
        for name in os.listdir(os.path.join(server, layer)):
            if name.endswith(".h"):
                owner[name] = layer
    problems = []
    files = 0
    for layer in ORDER:
        folder = os.path.join(server, layer)
        for name in sorted(os.listdir(folder)):
            if not name.endswith((".c", ".h")):
                continue
            files += 1
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                    if not m:
                        continue
                    header = os.path.basename(m.group(1))
                    if header not in owner:
                        problems.append("%s/%s:%d: includes %s, a header of no layer" % (layer, name, n, header))
                    elif ORDER.index(owner[header]) > ORDER.index(layer):
                        problems.append("%s/%s:%d: includes %s of %s, a layer above %s" %
                                        (layer, name, n, header, owner[header], layer))
    for p in problems:
        print(p)
    print("%d files of %d layers: %d upward includes" % (files, len(ORDER), len(problems)))
    return 1 if problems or files == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
