"""The consultation workshop for a room of participants: the pages, their server and the workshop pack."""

# The room's modules; import what you need from each (the room imports none of them).
__all__ = ["chromium", "pack", "voila_pages", "voila_server"]
