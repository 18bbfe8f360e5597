"""The consultation workshop for a room of participants: the pages, their server and the workshop pack."""
