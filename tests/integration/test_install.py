"""`cmake --install` of the build tree into a temporary prefix gives a renfortd that runs on its own:
started as <prefix>/bin/renfortd with no --config and a fresh database, it takes its migrations,
browser clients and reference data from <prefix>/share/renfort (never from the source tree), fills
the demo region, serves the dashboard and answers the API. The systemd units name the installed
binary and configuration; installing again keeps a configuration file that was edited; a DESTDIR
staged install writes the final paths, not the staging directory, into the units."""

import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import Server, check_sanitizers

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
BUILD_DIR = os.environ.get("RENFORT_BUILD_DIR", os.path.join(ROOT, "build"))
CMAKE = os.environ.get("RENFORT_CMAKE", "cmake")  # the cmake that configured the build (ctest sets it)
UNITS = ("renfortd.service", "renfortd-backup.service", "renfortd-backup.timer")
MARK = "<!-- served from the installed tree -->"


def cmake_install(prefix, destdir=None):
    env = dict(os.environ)
    env.pop("DESTDIR", None)
    if destdir:
        env["DESTDIR"] = destdir
    p = subprocess.run([CMAKE, "--install", BUILD_DIR, "--prefix", prefix], capture_output=True, text=True,
                       timeout=120, env=env)
    if p.returncode != 0:
        raise AssertionError(f"cmake --install failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p.stdout


def installed_files(root):
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)


def unit_paths(text):
    """The renfortd binary, its --config file and the Documentation file a unit names."""
    m = re.search(r"([^\s=]+/renfortd) (?:backup \S+ )?--config (\S+)", text)
    doc = re.search(r"^Documentation=file:(\S+)$", text, re.M)
    return (m.group(1) if m else None, m.group(2) if m else None, doc.group(1) if doc else None)


class Installed(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="renfort-install-")
        cls.prefix = os.path.join(cls.tmp, "prefix")
        cls.install_log = cmake_install(cls.prefix)
        cls.renfortd = os.path.join(cls.prefix, "bin", "renfortd")
        cls.share = os.path.join(cls.prefix, "share", "renfort")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_installed(self, *args):
        # from a directory of its own: nothing is found relative to the test's working directory
        p = subprocess.run([self.renfortd, *args], capture_output=True, text=True, timeout=60, cwd=self.tmp)
        check_sanitizers(p.stderr)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def test_1_layout(self):
        files = installed_files(self.prefix)
        for f in ("bin/renfortd", "bin/renfort", "share/renfort/clients/index.html",
                  "share/renfort/clients/js/dashboard.js", "share/renfort/data/occitanie-communes.csv",
                  "share/renfort/schema/001_core.sql", "etc/renfort/renfortd.conf",
                  "share/renfort/exercise/driver.py", "share/renfort/exercise/scenario.py",
                  "share/renfort/exercise/scenarios/wave-cluster.json",
                  "share/doc/renfort/INSTALL.md", "share/doc/renfort/renfortd.conf",
                  *("lib/systemd/system/" + u for u in UNITS)):
            self.assertIn(f, files)
        migrations = sorted(f for f in os.listdir(os.path.join(ROOT, "schema")) if f.endswith(".sql"))
        self.assertEqual(sorted(os.listdir(os.path.join(self.share, "schema"))), migrations,
                         "share/renfort/schema holds the migrations and nothing else")
        self.assertTrue(os.access(self.renfortd, os.X_OK))
        p = subprocess.run([os.path.join(self.prefix, "bin", "renfort"), "--help"], capture_output=True, text=True,
                           timeout=60)
        check_sanitizers(p.stderr)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_2_defaults_are_the_installed_tree(self):
        out = self.run_installed("config")
        defaults = {line.split()[0]: line.split()[2] for line in out.splitlines()}
        self.assertEqual(defaults["schema_dir"], os.path.join(self.share, "schema"))
        self.assertEqual(defaults["clients_dir"], os.path.join(self.share, "clients"))
        self.assertEqual(defaults["data_dir"], os.path.join(self.share, "data"))
        self.assertEqual(defaults["exercise_dir"], os.path.join(self.share, "exercise"))
        self.assertNotIn(ROOT, out, "an installed renfortd must not use the source tree")

    def test_3_runs_the_demo_from_the_prefix(self):
        index = os.path.join(self.share, "clients", "index.html")
        with open(index, "a", encoding="utf-8") as f:
            f.write(MARK + "\n")
        server = Server(demo=True, binary=self.renfortd)
        try:
            server.start(timeout=120)
            err = server.stderr()
            self.assertIn("from " + os.path.join(self.share, "data"), err, "reference data from the installed tree")
            self.assertNotIn(ROOT, err)
            st, body, _ = server.http("GET", "/healthz")
            self.assertEqual((st, body["status"]), (200, "ok"), body)
            st, page, _ = server.http("GET", "/")
            self.assertEqual(st, 200)
            self.assertIn(MARK, page, "the dashboard comes from <prefix>/share/renfort/clients")
            token = self.demo_token(server)
            st, body, _ = server.http("GET", "/api/v1/territories", token=token)
            self.assertEqual(st, 200, body)
            self.assertEqual(body["name"], "Occitanie", body)
            self.assertEqual({t["code"]: t["name"] for t in body["items"]}.get("81"), "Tarn", body)
            # the demo's structures, filled from the installed reference data
            st, body, _ = server.http("GET", "/api/v1/structures?dep=81&limit=5", token=token)
            self.assertEqual(st, 200, body)
            self.assertEqual(len(body["items"]), 5, body)
            self.assertTrue(all(s["dep"] == "81" for s in body["items"]), body)
            server.stop()
        finally:
            server.cleanup()

    def demo_token(self, server):
        deadline = time.time() + 30
        while time.time() < deadline:
            with open(server.stdout_path, encoding="utf-8") as f:
                m = re.search(r"\?token=(\S+)", f.read())
            if m:
                return m.group(1)
            time.sleep(0.05)
        raise AssertionError("the demo printed no dashboard link")

    def test_4_units_name_the_installed_files(self):
        for unit in UNITS:
            with open(os.path.join(self.prefix, "lib", "systemd", "system", unit), encoding="utf-8") as f:
                text = f.read()
            self.assertNotRegex(text, r"@[A-Z_]+@", unit)
            binary, conf, doc = unit_paths(text)
            self.assertEqual(doc, os.path.join(self.prefix, "share", "doc", "renfort", "INSTALL.md"), unit)
            if unit.endswith(".service"):
                self.assertEqual(binary, self.renfortd, unit)
                self.assertEqual(conf, os.path.join(self.prefix, "etc", "renfort", "renfortd.conf"), unit)
        # the configuration the units name is valid for the installed renfortd
        self.run_installed("--config", os.path.join(self.prefix, "etc", "renfort", "renfortd.conf"), "config")

    def test_5_reinstall_keeps_the_configuration(self):
        conf = os.path.join(self.prefix, "etc", "renfort", "renfortd.conf")
        self.assertEqual(os.stat(conf).st_mode & 0o777, 0o640, "the configuration holds secrets")
        with open(conf, "a", encoding="utf-8") as f:
            f.write("public_url = https://edited.example.org\n")
        with open(conf, encoding="utf-8") as f:
            edited = f.read()
        log = cmake_install(self.prefix)
        self.assertIn("Kept: " + conf, log)
        with open(conf, encoding="utf-8") as f:
            self.assertEqual(f.read(), edited, "an install over an existing one overwrote the configuration")

    def test_6_staged_install(self):
        stage = os.path.join(self.tmp, "stage")
        cmake_install("/opt/renfort-test", destdir=stage)
        root = os.path.join(stage, "opt", "renfort-test")
        self.assertTrue(os.access(os.path.join(root, "bin", "renfortd"), os.X_OK))
        with open(os.path.join(root, "lib", "systemd", "system", "renfortd.service"), encoding="utf-8") as f:
            binary, conf, doc = unit_paths(f.read())
        self.assertEqual(binary, "/opt/renfort-test/bin/renfortd")
        self.assertNotIn(stage, conf + doc)
        self.assertTrue(os.path.isfile(stage + conf), "the configuration is staged where the unit looks for it")
        self.assertFalse(os.path.exists("/opt/renfort-test"), "DESTDIR: nothing outside the stage")


if __name__ == "__main__":
    unittest.main()
