"""Custom actions for IEP Guide (run with `rasa run actions`)."""
