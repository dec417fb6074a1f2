"""The draft builder: walks a parent through the concerns and vision sections of the
IEP, saves every answer, and hands back a document."""
