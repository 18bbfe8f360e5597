"""Where the W3C vc-di-ecdsa vectors are, and the loader that reads their contexts."""

from __future__ import annotations

from pathlib import Path

from coopcreds_proto.loader import OfflineDocumentLoader

VECTORS = Path(__file__).parent / "vectors"
ECDSA = VECTORS / "vc-di-ecdsa"
CITIZENSHIP_URL = "https://w3id.org/citizenship/v4rc1"
# Pinned: the bytes of the citizenship context the vectors were made with.
CITIZENSHIP_SHA256 = "5038c7383afd7ab2158f1b997913a8f60978a0abcf96e0b0d08e29f146d2db1e"
LOADER = OfflineDocumentLoader.default().with_contexts({
    CITIZENSHIP_URL: (
        (VECTORS / "contexts" / "citizenship-v4rc1.json").read_bytes(), CITIZENSHIP_SHA256,
    )
})
