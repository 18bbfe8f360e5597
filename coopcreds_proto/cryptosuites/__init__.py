"""The Data Integrity cryptosuites the workbench knows; no others are accepted.

>>> get_cryptosuite("eddsa-rdfc-2022").name
'eddsa-rdfc-2022'
>>> get_cryptosuite("bbs-2023")
Traceback (most recent call last):
...
coopcreds_proto.errors.ProofError: unknown cryptosuite 'bbs-2023' (known: ecdsa-jcs-2019, ecdsa-rdfc-2019, ecdsa-sd-2023, eddsa-jcs-2022, eddsa-rdfc-2022) (at $.proof.cryptosuite)
"""

from __future__ import annotations

from ..errors import ProofError
from .base import CanonicalizationInput, Cryptosuite
from .ecdsa_jcs_2019 import EcdsaJcs2019
from .ecdsa_rdfc_2019 import EcdsaRdfc2019
from .ecdsa_sd_2023 import EcdsaSd2023
from .eddsa_jcs_2022 import EddsaJcs2022
from .eddsa_rdfc_2022 import EddsaRdfc2022

CRYPTOSUITES: dict[str, Cryptosuite] = {
    suite.name: suite
    for suite in (
        EddsaRdfc2022(), EddsaJcs2022(), EcdsaRdfc2019(), EcdsaJcs2019(), EcdsaSd2023()
    )
}
DEFAULT_CRYPTOSUITE = "eddsa-rdfc-2022"


def get_cryptosuite(name: object) -> Cryptosuite:
    """The suite called ``name``, or ``ProofError`` 'unknown-cryptosuite'."""
    suite = CRYPTOSUITES.get(name) if isinstance(name, str) else None
    if suite is None:
        known = ", ".join(sorted(CRYPTOSUITES))
        raise ProofError(
            "unknown-cryptosuite",
            f"unknown cryptosuite {name!r} (known: {known})",
            path="$.proof.cryptosuite",
        )
    return suite


# The suites' modules, and the registry of suites above.
__all__ = [
    "CRYPTOSUITES",
    "DEFAULT_CRYPTOSUITE",
    "CanonicalizationInput",
    "base",
    "ecdsa_jcs_2019",
    "ecdsa_rdfc_2019",
    "ecdsa_sd_2023",
    "eddsa_jcs_2022",
    "eddsa_rdfc_2022",
    "get_cryptosuite",
    "sd_primitives",
]
