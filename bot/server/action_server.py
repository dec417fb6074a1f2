"""The rasa-sdk action server, as Rasa alone calls it. Same arguments as
`rasa run actions`:

    python -m bot.server.action_server --actions actions --port 5055

Three differences from `rasa run actions`, all for the same server doing less:
- No TensorFlow. spaCy's thinc imports it whenever it is installed (Rasa needs it),
  which costs about 350 MB of memory for nothing: our actions use spaCy's rule-based
  pipeline only.
- No CORS middleware unless --cors names origins. Only the Rasa server calls this
  server; rasa-sdk installs the extension even when it allows no origin, and it then
  runs on every response for nothing.
- No access log line per call (Sanic builds it even when the logger drops it).
"""

import os
import sys

# A None entry makes `import tensorflow` raise ImportError, so thinc treats it as absent.
sys.modules["tensorflow"] = None  # type: ignore[assignment]
os.environ.setdefault("SANIC_ACCESS_LOG", "false")  # read by Sanic when the app is made

import rasa_sdk.endpoint  # noqa: E402
from rasa_sdk.__main__ import main  # noqa: E402
from sanic import Sanic  # noqa: E402

_configure_cors = rasa_sdk.endpoint.configure_cors


def _cors_only_if_asked(app: Sanic, cors_origins: str | list[str] | None = None) -> None:
    if cors_origins:
        _configure_cors(app, cors_origins)


rasa_sdk.endpoint.configure_cors = _cors_only_if_asked

if __name__ == "__main__":
    main()
