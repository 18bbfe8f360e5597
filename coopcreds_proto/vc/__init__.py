"""Verifiable Credentials 2.0 on the Data Integrity core: issuing, verifying, status lists, presentations, wallet, sign-in."""
