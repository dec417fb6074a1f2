"""IEP Guide: glue for the Rasa bot (launcher, spaCy pipeline, channels, web page)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
