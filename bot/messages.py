"""Texts the glue code itself says to parents (kept free of heavy imports)."""

SORRY_MESSAGE = (
    "I'm sorry, something went wrong on my side and I couldn't answer just now. "
    "Anything you already saved is safe. Please try again in a minute, or call "
    "Exceptional Lives at 844-354-1212 to talk with a person."
)
