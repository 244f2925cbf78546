"""The README's example runs as written, against the API under test."""

import pathlib
import re
import subprocess
import sys
import unittest

import api  # noqa: F401  (fails early without VISIONS_API_URL and VISIONS_TOKEN)

HERE = pathlib.Path(__file__).parent


class Readme(unittest.TestCase):
    def test_example_prints_the_page_url(self):
        readme = (HERE.parent / "README.md").read_text()
        example = re.search(r"```python\n(.*?)```", readme, re.S)
        self.assertIsNotNone(example, "README.md has a python example")
        self.assertLessEqual(len(example.group(1).strip().splitlines()), 12)
        run = subprocess.run([sys.executable, "-c", example.group(1)], capture_output=True, text=True, timeout=300)
        self.assertEqual(run.returncode, 0, run.stderr)
        lines = run.stdout.strip().splitlines()
        self.assertTrue(lines[-1].endswith("/index.html"), run.stdout)
        self.assertTrue(any(line.endswith(" 100") for line in lines), run.stdout)


if __name__ == "__main__":
    unittest.main()
