"""The rasa-sdk action server, started without TensorFlow.

spaCy's thinc imports TensorFlow whenever it is installed (Rasa needs it), which costs
the action server about 350 MB of memory for nothing: our actions use spaCy's
rule-based pipeline only. Same arguments as `rasa run actions`:

    python -m bot.action_server --actions actions --port 5055
"""
import sys

# A None entry makes `import tensorflow` raise ImportError, so thinc treats it as absent.
sys.modules["tensorflow"] = None  # type: ignore[assignment]

from rasa_sdk.__main__ import main  # noqa: E402

if __name__ == "__main__":
    main()
