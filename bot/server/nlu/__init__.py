"""The project's own Rasa NLU components (referenced by name in config.yml)."""
