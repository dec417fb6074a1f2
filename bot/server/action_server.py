"""The rasa-sdk action server, as Rasa alone calls it. Same arguments as
`rasa run actions`:

    python -m bot.server.action_server --actions actions --port 5055

Differences from `rasa run actions`, for a server that holds parents' drafts and does
less:
- Listens on 127.0.0.1 unless IEP_ACTION_HOST says otherwise (rasa-sdk: 0.0.0.0).
- With IEP_ACTION_SECRET set (the launcher always sets it), every call must carry it in
  the X-IEP-Action-Secret header; the Rasa server sends it (endpoints.yml `headers`).
  Without it, anyone who could reach the port could rewrite a draft whose id they knew.
- A compressed body may inflate to MAX_INFLATED_BYTES at most (rasa-sdk inflates any
  size); the raw body is capped by Sanic (SANIC_REQUEST_MAX_SIZE, set by the launcher).
- A failing action answers 500 with a bare error: rasa-sdk returns the whole tracker
  (the parent's words, codes) in the body, which Rasa then logs.
- No TensorFlow. spaCy's thinc imports it whenever it is installed (Rasa needs it),
  which costs about 350 MB of memory for nothing: our actions use spaCy's rule-based
  pipeline only.
- No CORS middleware unless --cors names origins. Only the Rasa server calls this
  server; rasa-sdk installs the extension even when it allows no origin, and it then
  runs on every response for nothing.
- No access log line per call (Sanic builds it even when the logger drops it).
"""

import hmac
import logging
import os
import sys
from typing import Any

# A None entry makes `import tensorflow` raise ImportError, so thinc treats it as absent.
sys.modules["tensorflow"] = None  # type: ignore[assignment]
os.environ.setdefault("SANIC_ACCESS_LOG", "false")  # read by Sanic when the app is made
# rasa-sdk reads its listening address from SANIC_HOST.
os.environ["SANIC_HOST"] = os.environ.get("IEP_ACTION_HOST", "127.0.0.1")

import rasa_sdk.endpoint  # noqa: E402
from rasa_sdk.__main__ import main  # noqa: E402
from sanic import Sanic, response  # noqa: E402
from sanic.request import Request  # noqa: E402
from sanic.response import HTTPResponse  # noqa: E402

from bot.server.action_calls import SECRET_HEADER, inflate  # noqa: E402

logger = logging.getLogger(__name__)


def guard(app: Sanic, secret: str | None) -> None:
    @app.on_request
    async def check_call(request: Request) -> HTTPResponse | None:
        if request.path == "/health":
            return None
        given = request.headers.get(SECRET_HEADER, "")
        if secret and not hmac.compare_digest(given.encode(), secret.encode()):
            return response.json({"error": "not allowed"}, status=403)
        if request.headers.get("Content-Encoding") == "deflate":
            data = inflate(request.body)
            if data is None:
                return response.json({"error": "body too large or not deflate data"}, status=413)
            request.body = data  # rasa-sdk then reads it as plain JSON
            del request.headers["Content-Encoding"]
        return None

    async def failed(request: Request, exception: Exception) -> HTTPResponse:
        # The traceback, but never the request body (the conversation).
        logger.error("An action failed (%s).", type(exception).__name__, exc_info=exception)
        return response.json({"error": "the action failed"}, status=500)

    app.error_handler.add(Exception, failed)


_create_app = rasa_sdk.endpoint.create_app
_configure_cors = rasa_sdk.endpoint.configure_cors


def _guarded_app(*args: Any, **kwargs: Any) -> Sanic:
    app = _create_app(*args, **kwargs)
    secret = os.environ.get("IEP_ACTION_SECRET") or None
    if secret is None:
        logger.warning("IEP_ACTION_SECRET is not set: any local process can call actions.")
    guard(app, secret)
    return app


def _cors_only_if_asked(app: Sanic, cors_origins: Any = None) -> None:
    if cors_origins:
        _configure_cors(app, cors_origins)


rasa_sdk.endpoint.configure_cors = _cors_only_if_asked
rasa_sdk.endpoint.create_app = _guarded_app

if __name__ == "__main__":
    main()
