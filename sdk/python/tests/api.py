"""The API under test: a running server (scripts/check-sdks starts `visions-ai serve`)."""

import os

BASE_URL = os.environ.get("VISIONS_API_URL", "")
TOKEN = os.environ.get("VISIONS_TOKEN", "")
if not BASE_URL or not TOKEN:
    raise RuntimeError("set VISIONS_API_URL and VISIONS_TOKEN (scripts/check-sdks does)")
