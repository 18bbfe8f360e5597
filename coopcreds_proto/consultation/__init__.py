"""The consultation: workshop feedback, its aggregation and report, and proposals for the next draft."""
