"""The README is the front door: its configuration table lists every key of renfortd with the
default the binary has, and the commands it gives (the demo, the tests, an exercise) exist and are
executable."""

import os
import re
import subprocess
import unittest

from harness import RENFORTD

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "../.."))


class Readme(unittest.TestCase):
    def test_config_table_matches_the_binary(self):
        out = subprocess.run([RENFORTD, "config"], capture_output=True, text=True, check=True).stdout
        keys = {}
        for line in out.splitlines():
            name = line.split()[0]
            keys[name] = line
        with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        rows = dict(re.findall(r"^\| `([a-z_]+)` \| `([^`]*)` \|", readme, re.M))
        self.assertEqual(sorted(set(keys) - set(rows)), [], "keys missing from the README's table")
        self.assertEqual(sorted(set(rows) - set(keys)), [], "README lists keys renfortd does not have")
        for name, default in rows.items():
            if default.startswith("<share>/"):
                # installed files: this renfortd, in its build tree, uses the source tree's
                # (test_install checks the installed one's <share>)
                path = keys[name].split()[2]
                self.assertTrue(path.startswith(ROOT + os.sep) and os.path.isdir(path), keys[name])
            else:
                self.assertIn(f" default {default} ", keys[name], name)

    def test_the_two_commands_exist(self):
        with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        for cmd in ("deploy/demo.sh", "tests/run.sh", "deploy/exercise.sh"):
            self.assertIn("\n" + cmd + "\n", readme)
            self.assertTrue(os.access(os.path.join(ROOT, cmd), os.X_OK), cmd)
        with open(os.path.join(ROOT, ".ci/run"), encoding="utf-8") as f:
            self.assertIn("tests/run.sh", f.read())


if __name__ == "__main__":
    unittest.main()
