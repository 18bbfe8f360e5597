"""Package data for coopcreds_proto (JSON-LD contexts etc.), shipped from the top-level data/ directory."""
