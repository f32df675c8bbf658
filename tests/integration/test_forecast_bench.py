"""The forecast benchmark (tests/bench/forecast) keeps working: its generator writes small scenarios
from the data in schema/data, and its replay drives this build's renfortd through them with the
settings of today and of before, reads the alerts back and measures them. The full benchmark's
figures are in tests/bench/forecast/README.md; this test checks what must hold whatever the
scenario: the replay ran, its measures are consistent, today's settings raise no critical alert
from a cold start and warn the small wave's stock-outs in time."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.join(HERE, "..", "bench", "forecast")
RENFORTD = os.environ.get("RENFORTD", os.path.join(HERE, "../../build/server/renfortd"))


class ForecastBench(unittest.TestCase):
    def test_small_scenarios_replay(self):
        with tempfile.TemporaryDirectory(prefix="renfort-fcbench-") as tmp:
            p = subprocess.run([sys.executable, os.path.join(BENCH, "generate.py"), "--small", "--out", tmp],
                               capture_output=True, text=True, timeout=120)
            self.assertEqual(p.returncode, 0, p.stderr)
            names = sorted(f[:-5] for f in os.listdir(tmp) if f.endswith(".json"))
            self.assertEqual(names, ["calm-small", "cluster-small", "wave-small"])
            with open(os.path.join(tmp, "wave-small.json"), encoding="utf-8") as f:
                wave = json.load(f)
            # the scenario says where its figures come from, and holds the ARS rows of its départements
            self.assertIn("ars-occitanie-daily.csv", " ".join(wave["generated"]["sources"]))
            self.assertEqual({r["departement_code"] for r in wave["figures"]}, {s["dep"] for s in wave["structures"]})
            out = os.path.join(tmp, "results.json")
            p = subprocess.run([sys.executable, os.path.join(BENCH, "replay.py"), "--renfortd", RENFORTD,
                                "--scenarios", tmp, "--json", out], capture_output=True, text=True, timeout=600)
            self.assertEqual(p.returncode, 0, p.stderr[-3000:])
            for name in names:
                self.assertIn("scenario " + name, p.stdout)
            with open(out, encoding="utf-8") as f:
                results = json.load(f)
        for name, res in results.items():
            self.assertEqual(set(res), {"old", "new", "oracle"}, name)
            truth = {res[m]["stockouts"] + res[m]["unseeable"] + res[m]["too_soon"] for m in res}
            self.assertEqual(len(truth), 1, "the stock-outs are the scenario's, not the run's: %s" % name)
            for mode, m in res.items():
                self.assertLessEqual(m["late"], m["stockouts"], (name, mode))
                self.assertLessEqual(m["false_alarms"], m["alerts"], (name, mode))
                self.assertLessEqual(m["flaps"], m["resolutions"], (name, mode))
            self.assertEqual(res["new"]["cold_critical"], 0, name)
        self.assertGreater(results["wave-small"]["new"]["stockouts"], 0)
        self.assertEqual(results["wave-small"]["new"]["late"], 0)


if __name__ == "__main__":
    unittest.main()
