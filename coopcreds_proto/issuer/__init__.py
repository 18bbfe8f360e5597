"""The designated issuer: the member register and batch issuance with status entries."""
