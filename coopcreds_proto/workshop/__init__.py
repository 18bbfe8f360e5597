"""The consultation workshop for a room of participants: the web app, its server and the workshop pack."""

# The room's modules; import what you need from each (the room imports none of them).
__all__ = ["app", "catalogue", "chromium", "guards", "pack", "room_results", "round_pack",
           "server", "wallet_demo"]
