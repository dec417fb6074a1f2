"""Custom actions for IEP Guide (run with `rasa run actions`).

What an action may rely on: every slot, the latest message, and the events of the
current turn (from the parent's latest message on). IEP Guide's Rasa server sends only
those events (bot/server/patches.py); anything older lives in slots or the database.
"""
