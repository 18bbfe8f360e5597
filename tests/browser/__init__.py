"""Browser tests of the workshop app (Playwright on Debian's Chromium)."""
