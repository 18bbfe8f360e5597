"""The catalogue of error codes: what each one means, its error class, where it is raised.

Every workbench error carries a stable ``code`` (see :mod:`coopcreds_proto.errors`);
programs branch on it (the command line, a service answering with JSON errors,
the workshop app) and people look it up here, or with ``coopcreds errors CODE``:

>>> entry = explain("duplicate-key")
>>> entry.error_class
'UnsafeJsonLdError'
>>> entry.meaning
'A JSON object has the same key twice, which parsers read differently, so it is refused.'
>>> [entry.code for entry in codes_of("ChallengeError")]
['challenge-expired', 'challenge-replayed', 'challenge-wrong-domain', 'unknown-challenge']

Each code belongs to exactly one error class. The named checks of a
verification or a policy decision use the same codes: a check that fails
reports the code of the error that stopped it (``CheckFailed`` for the checks
themselves); the few codes that only a check result carries (a skipped check's
``not-checked``, a policy decision's checks) are listed under ``Check``. A
test reads the package's source and keeps this catalogue complete and true.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .errors import InputError

PACKAGE = "coopcreds_proto"

# Every error class of the workbench, by name, and the module that defines it;
# last, Check, for the codes only a check result carries.
ERROR_CLASSES: Mapping[str, str] = MappingProxyType({
    "CoopCredsError": "coopcreds_proto.errors",
    "InputError": "coopcreds_proto.errors",
    "KeyMaterialError": "coopcreds_proto.errors",
    "DocumentLoaderError": "coopcreds_proto.errors",
    "UnsafeJsonLdError": "coopcreds_proto.errors",
    "ProofError": "coopcreds_proto.errors",
    "CheckFailed": "coopcreds_proto.checks",
    "ChallengeError": "coopcreds_proto.vc.challenges",
    "SchemaCheckError": "coopcreds_proto.vc.schema_check",
    "StatusListError": "coopcreds_proto.vc.status_list",
    "StatusCheckError": "coopcreds_proto.vc.status_check",
    "DefinitionError": "coopcreds_proto.definitions.definition",
    "RegisterError": "coopcreds_proto.issuer.member_register",
    "IssuanceError": "coopcreds_proto.issuer.batch",
    "DecisionError": "coopcreds_proto.consultation.proposals",
    "FeedbackError": "coopcreds_proto.consultation.feedback",
    "ScenarioError": "coopcreds_proto.ecosystem.scenarios",
    "ResultsFileError": "coopcreds_proto.ecosystem.runner",
    "DatabaseError": "coopcreds_proto.database",
    "ChromiumError": "coopcreds_proto.workshop.chromium",
    "WorkshopPackError": "coopcreds_proto.workshop.pack",
    "WorkshopStoreError": "coopcreds_proto.consultation.store",
    "Check": "coopcreds_proto.checks",
})


@dataclass(frozen=True)
class ErrorCode:
    """One error code: its error class, what it means, and the modules that raise it.

    ``error_class`` names the exception that carries the code, or ``Check``
    for a code that only a check result carries.
    """

    code: str
    error_class: str
    meaning: str
    raised_in: tuple[str, ...]

    @property
    def class_path(self) -> str:
        """Where the class is defined, e.g. ``coopcreds_proto.errors.InputError``."""
        return f"{ERROR_CLASSES[self.error_class]}.{self.error_class}"

    def to_json(self) -> dict:
        return {"code": self.code, "class": self.class_path, "meaning": self.meaning,
                "raisedIn": list(self.raised_in)}

    def __str__(self) -> str:
        return (f"{self.code} ({self.error_class})\n  {self.meaning}\n"
                f"  class: {self.class_path}\n  raised in: {', '.join(self.raised_in)}")


# Per class: (code, the modules that raise it, relative to the package and
# separated by spaces, and its meaning in one sentence). Keep each class's
# codes in alphabetical order.
_TABLE: dict[str, tuple[tuple[str, str, str], ...]] = {
    "InputError": (
        ("bad-json-pointer", "cryptosuites.sd_primitives",
         ("A JSON pointer (RFC 6901) is malformed, too long, or names no claim of the"
          " credential.")),
        ("port-unavailable", "workshop.server",
         "The workshop cannot listen on that address and port (in use, or not this machine's)."),
        ("bad-catalogue", "workshop.catalogue",
         "A workshop message catalogue is not a JSON object of a language and its messages."),
        ("bad-status-entry-v1", "vc.data_model",
         "A VC 1.1 credentialStatus entry is not an object with an id and a type."),
        ("missing-issuance-date", "vc.data_model",
         "A VC 1.1 credential has no issuanceDate."),
        ("no-matching-credential", "vc.wallet",
         ("The wallet holds no credential of the requested type issued with ecdsa-sd-2023, so"
          " none can be disclosed in part.")),
        ("not-selectively-disclosable", "vc.disclosure",
         ("The credential has no (or more than one) ecdsa-sd-2023 proof, so its holder cannot"
          " disclose part of it; its issuer must issue it with ecdsa-sd-2023.")),
        ("sd-nothing-to-disclose", "cryptosuites.ecdsa_sd_2023",
         "A disclosure was asked for with no mandatory and no chosen claim."),
        ("unknown-profile", "verifier_options",
         "The verifier profile named is not one of default and strict."),
        ("agreement-needs-peer-to-peer", "demos.stay_fair_models",
         "The Stay Fair demo adds a bilateral agreement only in the peer-to-peer model."),
        ("already-adopted", "definitions.release",
         "This version of the credential definition has an adoption decision already."),
        ("already-published", "cli.status local_registry",
         ("Something is already published at this URL in the local registry, and it is never"
          " replaced.")),
        ("already-revoked", "demos.stay_fair",
         "The Stay Fair demo's accreditation was revoked already."),
        ("already-signed", "issuer.batch vc.credentials vc.presentations",
         ("The credential or presentation to sign already has a proof: sign the unsigned"
          " document.")),
        ("bad-accreditation", "trust.registry trust.revocation_log",
         ("An accreditation is incomplete or inconsistent (missing names, permissions or"
          " types, an end before its start, a negative chain length).")),
        ("bad-affinity", "ecosystem.simulation",
         "An ecosystem's sector affinities are negative or not finite numbers."),
        ("bad-anchor", "trust.accreditation",
         "A framework's trust anchors are missing or are not DIDs."),
        ("bad-anchors-file", "trust.accreditation",
         "The trust directory's anchors file is not in the expected format."),
        ("bad-assurance-methods", "trust.identity_assurance",
         "The identity-assurance methods are not a list of method names."),
        ("bad-band", "ecosystem.runner",
         "A summary band is not two quantiles with 0 <= low < high <= 1."),
        ("bad-benefit", "trust.policy",
         "A policy's benefit is not one of the known kinds."),
        ("bad-challenge", "purposes vc.presentations",
         ("A challenge (the verifier's one-time value a presentation is bound to) is missing or"
          " empty.")),
        ("bad-challenge-file", "vc.challenges",
         "The file where a verifier keeps its outstanding challenges is damaged."),
        ("bad-checked-on", "trust.identity_assurance",
         "The date an identity was checked on is not a date."),
        ("bad-confidence-method", "vc.data_model",
         "A confidenceMethod entry of a credential is not an object with a type."),
        ("bad-context-entry", "vc.data_model",
         "An @context item after the first is neither a URL nor a context object."),
        ("bad-coop", "cli.issue_batch",
         ("The co-operative file for batch issuing is not a JSON object with the expected"
          " fields.")),
        ("bad-count", "definitions.release issuer.member_register vc.challenges",
         ("A count is not a usable whole number (a negative vote count, a generated register"
          " of no members, a challenge store with no room).")),
        ("bad-credential-schema", "vc.data_model",
         "A credentialSchema entry is not an object with a type and an id."),
        ("bad-date", "cli.definitions",
         "A --date option is not an ISO date (YYYY-MM-DD)."),
        ("bad-did-web", "did_web local_registry",
         "The text is not a valid did:web DID (or is a DID URL where a DID is needed)."),
        ("bad-domain", "purposes vc.challenges vc.presentations vc.signin",
         "A domain (the verifier's name a presentation is bound to) is missing or empty."),
        ("bad-ecosystem-shape", "ecosystem.simulation",
         ("An ecosystem array has the wrong shape for the number of co-ops, sectors or"
          " groups.")),
        ("bad-edge-kind", "ecosystem.graph",
         "A trust network edge has a kind the network does not know."),
        ("bad-embedded-credential", "vc.data_model",
         ("A credential inside a presentation is not a JSON object, or verifiableCredential is"
          " an empty list.")),
        ("bad-enveloped-credential", "vc.data_model",
         ("An enveloped credential in a presentation lacks the VC 2.0 context, its type or a"
          " data: URL id.")),
        ("bad-evidence", "vc.data_model",
         "An evidence entry of a credential is not an object with a type."),
        ("bad-framework", "trust.accreditation",
         "A governance framework is not named by an http(s) URL."),
        ("bad-group-index", "ecosystem.simulation",
         "An ecosystem co-op points to a group that does not exist."),
        ("bad-holder", "vc.data_model vc.presentations",
         "A presentation's holder is not a URL (a DID) or an object whose id is one."),
        ("bad-id", "vc.data_model",
         "An id in a credential or presentation is not one URL (a list, null or not a URL)."),
        ("bad-if-exists", "ecosystem.runner",
         "The runner's if_exists is not one of error, resume or overwrite."),
        ("bad-ip", "workshop.server",
         "The --ip option of the workshop server is not an IP address."),
        ("bad-issuer", "vc.data_model",
         "A credential's issuer (or issuer.id) is missing or not a URL."),
        ("bad-key-length", "did_key",
         "A public key to put in a did:key is not 32 bytes long."),
        ("bad-max-age", "trust.policy",
         "A policy's maximum credential age is not a positive number of days."),
        ("bad-months", "ecosystem.simulation",
         "A simulation's number of months is not a positive whole number."),
        ("bad-multibase", "multibase",
         "A multibase value is not valid base58btc text with the 'z' prefix."),
        ("bad-multikey", "keys multibase",
         "A Multikey document or key value is malformed (wrong type, prefix or length)."),
        ("bad-name", "trust.registry",
         "The trust registry's display names are not strings mapped to non-empty strings."),
        ("bad-name-or-description", "vc.data_model",
         ("A name or description is neither a string nor a language value object (@value,"
          " @language, @direction).")),
        ("bad-number", "ecosystem.simulation",
         "A growth parameter is not a finite number."),
        ("bad-offer-period", "trust.policy",
         "A policy's offer ends before it starts."),
        ("bad-option", "cli.trust",
         "A command option is used without the option it depends on."),
        ("bad-policy", "trust.policy",
         "A recognition policy is missing a required text field or has the wrong shape."),
        ("bad-port", "workshop.server",
         "The --port option is not a port number from 1 to 65535."),
        ("bad-recognition", "trust.accreditation trust.registry",
         "A recognition between frameworks is incomplete or inconsistent."),
        ("bad-refresh-service", "vc.data_model",
         "A refreshService entry of a credential is not an object with a type."),
        ("bad-registry-url", "local_registry",
         ("The URL cannot be published in the local registry (not https, or with a query or"
          " fragment).")),
        ("bad-related-resource", "vc.data_model",
         ("A relatedResource entry is not an object with the id (URL) of a resource, or its"
          " mediaType is malformed.")),
        ("bad-relationship", "did_web",
         "A key's verification relationships are not among those a DID document may list."),
        ("bad-render-method", "vc.data_model",
         "A renderMethod entry of a credential is not an object with a type."),
        ("bad-request", "vc.presentation_request",
         ("A presentation request is malformed (a missing or unknown field, a field asked for"
          " twice).")),
        ("bad-revocation-log", "trust.revocation_log",
         ("A record of when a revocation was first seen is unreadable or damaged (not JSON, no"
          " accreditation id or time, or filed under another accreditation).")),
        ("bad-rule", "definitions.release",
         "An adoption decision names a voting rule the workbench does not know."),
        ("bad-runs", "cli.simulate ecosystem.runner ecosystem.scenarios",
         "The number of simulation runs is not a positive whole number."),
        ("bad-sector-index", "ecosystem.simulation",
         "An ecosystem co-op points to a sector that does not exist."),
        ("bad-sensitivity-change", "ecosystem.runner",
         "A sensitivity analysis's change is not a fraction between 0 and 1."),
        ("bad-share", "ecosystem.generator",
         "A share for the ecosystem generator is not between 0 and 1."),
        ("bad-sign-up-form", "trust.onboarding",
         ("A co-op's sign-up form is malformed (the co-op not named by its DID, a bad field"
          " name).")),
        ("bad-simulation-seed", "cli.simulate",
         "The --seed option of a simulation is negative."),
        ("bad-size", "ecosystem.generator ecosystem.simulation",
         "An ecosystem size (co-ops, members, sectors or groups) is too small."),
        ("bad-status", "vc.data_model",
         "A credentialStatus entry is not an object with a type."),
        ("bad-subject", "vc.data_model",
         "A credential's credentialSubject is missing, empty or not an object (or list of them)."),
        ("bad-terms-of-use", "vc.data_model",
         "A termsOfUse entry of a credential is not an object with a type."),
        ("bad-timestamp",
         "did_web ecosystem.trust_registry_for_model timestamps trust.registry trust.revocation_log",
         ("A date-time is not a valid xsd:dateTimeStamp (it needs a time zone, Z or"
          " +hh:mm).")),
        ("bad-trust-credential", "trust.accreditation",
         "An accreditation or recognition credential does not have the shape of one."),
        ("bad-trust-query", "trust.registry",
         ("A trust registry question names its frameworks as one string instead of a"
          " collection.")),
        ("bad-ttl", "vc.challenges vc.status_list",
         ("A lifetime is not positive (a challenge store's time-to-live, a status list's ttl in"
          " milliseconds).")),
        ("bad-type-value", "vc.data_model",
         "A type value is not a term or URL written as a non-empty string."),
        ("bad-url", "urls",
         ("A URL is unusable (a bad port or IPv6 address, user information, a space, control"
          " character or backslash, a bad percent-escape).")),
        ("bad-valid-days", "cli.issue_batch",
         "The --valid-days option is negative."),
        ("bad-validity", "vc.data_model",
         "A credential's validFrom is after its validUntil."),
        ("bad-verification-method", "did_web dids",
         "A verification method is malformed or is not a DID URL with a fragment."),
        ("bad-verification-method-date", "dids",
         "A verification method's expires or revoked date is not a valid date-time."),
        ("bad-witness-log", "trust.accreditation",
         "The log of credentials a registry witnessed has an unusable entry."),
        ("bad-workers", "cli.simulate",
         "The --workers option is not a positive whole number."),
        ("context-changed-after-publishing", "definitions.artefacts",
         ("A published version's context would change; published contexts never change, so"
          " make a new version.")),
        ("context-file-exists", "definitions.release",
         "A context file exists already with other content and is not replaced."),
        ("coop-missing", "cli.issue_batch",
         ("Batch issuing needs the issuing co-operative (--coop FILE, or --sample-coop for a"
          " demo).")),
        ("dask-missing", "cli.simulate",
         "Running on a Dask cluster needs dask.distributed installed."),
        ("decision-not-passed", "definitions.release",
         "The adoption vote did not pass under its rule, so the version is not adopted."),
        ("definition-exists", "definitions.definition",
         "A credential definition file exists already with other content."),
        ("definition-missing", "definitions.definition",
         "There is no credential definition file at this path."),
        ("did-document-id-mismatch", "did_web dids",
         "The DID document found for a DID carries another DID as its id."),
        ("digest-multibase-malformed", "vc.related_resources",
         ("A digestMultibase is not a base64url (u) or base58btc (z) multibase digest of a"
          " supported hash.")),
        ("duplicate-accreditation-id", "trust.registry",
         "Two accreditations in the trust registry have the same id."),
        ("duplicate-credential", "vc.wallet",
         "The wallet holds this credential already."),
        ("duplicate-did", "vc.wallet",
         "The wallet holds a key for this DID already."),
        ("duplicate-related-resource", "vc.data_model",
         "Two relatedResource entries of a credential have the same id."),
        ("duplicate-scenario", "ecosystem.runner ecosystem.scenarios",
         "Two scenarios have the same name."),
        ("ecosystem-bad-value", "ecosystem.data",
         ("A value in an ecosystem CSV file is not usable (not a whole number, not true or"
          " false, not one of its choices).")),
        ("ecosystem-bad-value-flows", "ecosystem.data",
         ("The value-flows table of an ecosystem does not list the same sectors in its rows and"
          " columns.")),
        ("ecosystem-duplicate-id", "ecosystem.data",
         "An id appears twice in an ecosystem CSV file."),
        ("ecosystem-file-missing", "ecosystem.data",
         "An ecosystem data directory lacks one of its CSV files."),
        ("ecosystem-member-count-mismatch", "ecosystem.data",
         "A co-op's member count differs from the memberships the ecosystem lists for it."),
        ("ecosystem-missing-column", "ecosystem.data",
         "An ecosystem CSV file lacks a column in its header."),
        ("ecosystem-unknown-id", "ecosystem.data",
         "An ecosystem CSV file refers to a co-op, body or sector id that is not defined."),
        ("ecosystem-would-overwrite", "ecosystem.data",
         "Writing the ecosystem would replace a file with other content."),
        ("empty-ecosystem", "ecosystem.simulation",
         "The ecosystem has no co-operatives to simulate."),
        ("enveloped-unsupported", "vc.data_model",
         ("An enveloped credential or presentation (JOSE or COSE, in a data: URL) cannot be"
          " verified: only Data Integrity proofs are.")),
        ("field-not-held", "vc.disclosure vc.presentation_request",
         "A presentation request asks for a claim the credential does not hold."),
        ("file-too-large", "bounded_read cli._common definitions.definition",
         ("A file, device or pipe (a credential, a definition, a register, a policy) holds more"
          " than the workbench reads from it.")),
        ("first-context", "vc.data_model",
         ("A credential or presentation has no @context, or its first @context is not the VC"
          " 2.0 context.")),
        ("framework-exists", "trust.accreditation",
         "The framework is in the trust directory already; its anchors are not changed here."),
        ("holder-key-mismatch", "cli.present vc.presentations",
         "The holder named is not the DID of the key that signs the presentation."),
        ("holder-not-chosen", "vc.wallet",
         "The wallet holds several DIDs and none was chosen to present as."),
        ("holder-required", "vc.data_model",
         "A presentation holds a credential with no proof of its own but names no holder."),
        ("issuer-key-mismatch", "issuer.batch vc.credentials",
         "The credential's issuer is not the DID of the signing key."),
        ("key-date-already-set", "did_web",
         ("A key in the DID document already has this retirement or compromise date, which is"
          " never changed.")),
        ("missing-option", "cli.trust",
         "A command option needs another option that was not given."),
        ("model-bad-field", "ecosystem.models",
         "An ecosystem model definition has a missing or wrong field."),
        ("model-file-missing", "ecosystem.models",
         "There is no ecosystem model file at this path."),
        ("model-needs-convenor", "ecosystem.graph",
         "The ecosystem model needs an industry body as convenor and the data has none."),
        ("model-not-object", "ecosystem.models",
         "An ecosystem model definition is not a JSON object."),
        ("model-unknown", "ecosystem.models",
         "There is no ecosystem model of this name."),
        ("negative-members", "ecosystem.simulation",
         "An ecosystem co-op has a negative member count."),
        ("negative-rate", "ecosystem.scenarios ecosystem.simulation",
         "A growth rate is negative."),
        ("no-accepted-issuers", "vc.signin",
         "A sign-in service must accept at least one issuer."),
        ("no-accepted-types", "trust.policy",
         "A policy must accept at least one credential type."),
        ("no-credential-id", "vc.presentation_request",
         "A credential without an id cannot be the original of a derived credential."),
        ("no-jupyterlab", "cli",
         "JupyterLab is not installed (pip install jupyterlab)."),
        ("no-key-for-did", "vc.wallet",
         "The wallet holds no key for this DID."),
        ("no-notebooks", "cli",
         ("There is no notebooks directory: the lab needs a source checkout of the"
          " repository.")),
        ("no-scenarios", "ecosystem.runner",
         "There are no scenarios to simulate."),
        ("no-status-entry", "cli.status cli.trust",
         "The credential has no status entry in this status list."),
        ("no-time", "demos.stay_fair",
         "The Stay Fair demo needs the time of the visit."),
        ("no-trust", "trust.policy",
         "A policy must trust at least one framework or issuer."),
        ("no-trust-dir", "trust.accreditation",
         "There is no trust directory at this path."),
        ("not-a-credential", "vc.data_model",
         "The document's type does not include VerifiableCredential."),
        ("not-a-presentation", "vc.data_model",
         "The document's type does not include VerifiablePresentation."),
        ("not-a-scenario-credential", "demos.stay_fair",
         "The Stay Fair demo looks up only membership and identity-assurance credentials."),
        ("not-adopted", "definitions.release",
         "This version of the credential definition has no passed adoption decision yet."),
        ("not-an-anchor", "cli.trust",
         "Only an anchor of a framework may recognise another framework for it."),
        ("not-an-object", "cli cli.definitions cli.present cli.status safe_jsonld vc.data_model",
         "A credential, presentation or JSON-LD document is not a JSON object."),
        ("not-did-key", "did_key",
         "The text is not a did:key DID."),
        ("not-did-web", "local_registry",
         "The text is not a did:web DID."),
        ("not-json", "ecosystem.models safe_json",
         "The text is not JSON (or not UTF-8 text)."),
        ("not-my-credential", "vc.wallet",
         "The credential is about a DID the wallet holds no key for."),
        ("not-the-issuer", "vc.presentation_request",
         "Only a credential's original issuer may derive a smaller credential from it."),
        ("not-utf8", "definitions.definition",
         "A credential definition file is not UTF-8 text."),
        ("not-verified", "vc.presentation_request",
         "The original credential does not verify, so nothing is derived from it."),
        ("not-yaml", "definitions.definition ecosystem.scenarios",
         "A YAML file (a definition, a scenario) is not valid YAML."),
        ("package-folder-read-only", "definitions.release",
         ("Publishing was pointed into the installed package, which is never written: publish"
          " into a folder of your own.")),
        ("policy-needs-presentation", "cli",
         "The verify command's --policy decides on a presentation, and the file is not one."),
        ("policy-needs-trust", "cli",
         "The policy trusts governance frameworks, so verify --policy needs --trust DIR."),
        ("presentation-needs-challenge", "cli",
         "Verifying a presentation needs the --challenge and --domain it must be bound to."),
        ("probability-above-one", "ecosystem.simulation",
         "A growth parameter that is a probability is above 1."),
        ("published-context-immutable", "definitions.release",
         ("The context is published already with other bytes; published contexts never"
          " change.")),
        ("register-exists", "issuer.member_register",
         "A member register file exists already and is not replaced."),
        ("register-missing", "issuer.member_register",
         "There is no member register file at this path."),
        ("registry-missing", "cli._common",
         ("A command that reads the local registry was given a folder that does not exist (it"
          " is created only by a command that publishes).")),
        ("related-resource-mismatch", "vc.related_resources",
         ("A resource the credential pins (relatedResource) has other bytes here than the digest"
          " its issuer gave.")),
        ("related-resource-no-digest", "vc.data_model",
         "A relatedResource entry has neither digestSRI nor digestMultibase."),
        ("release-file-exists", "definitions.release",
         "A release file exists already with other content; choose an empty directory."),
        ("revocation-log-unwritable", "trust.revocation_log",
         ("The time a revocation was first seen cannot be recorded (the trust directory's"
          " revocations folder is not writable).")),
        ("several-holders", "vc.wallet",
         ("The chosen credentials are about different DIDs of the wallet: name the one to"
          " present as.")),
        ("several-subjects", "vc.presentation_request",
         "A smaller credential can be derived only from a credential about one subject."),
        ("share-needed", "workshop.server",
         ("Serving the workshop beyond this computer needs --share, so that a join code is"
          " asked for.")),
        ("sri-algorithm", "vc.related_resources",
         "A related resource's digest uses an algorithm the workbench does not support."),
        ("sri-malformed", "vc.related_resources",
         "A digestSRI is not a string of SRI digests (algorithm-base64) of a supported algorithm."),
        ("status-list-not-yours", "cli.trust",
         ("The status list belongs to someone else: an authority revokes only in its own"
          " list.")),
        ("status-list-unpublished", "cli.trust",
         "The status list is not published in the registry yet (coopcreds status new)."),
        ("trust-credential-not-compact", "trust.accreditation",
         ("An accreditation or recognition is written in another JSON form than its compact one"
          " (a key as an IRI, @included, @nest, a value object), so it is not read.")),
        ("trust-file-exists", "trust.accreditation",
         "A file in the trust directory exists already; it is never overwritten."),
        ("trust-needs-policy", "cli",
         "The --trust option of verify is used with --policy."),
        ("unknown-accreditation", "cli.trust",
         "There is no accreditation of this id in the trust directory."),
        ("unknown-assurance-level", "trust.identity_assurance",
         "The identity-assurance level is not one of the known levels."),
        ("unknown-convenor", "ecosystem.graph",
         "The convenor named is not an industry body of the ecosystem."),
        ("unknown-error-code", "error_codes",
         "The error catalogue has no such code (coopcreds errors lists them all)."),
        ("unknown-executor", "ecosystem.runner",
         "The simulation executor is not one the runner knows."),
        ("unknown-metric", "ecosystem.runner",
         "The simulation metric is not one the runner computes."),
        ("unknown-model", "demos.stay_fair_models ecosystem.scenarios ecosystem.simulation",
         ("There is no ecosystem model of this name (convenor, federated, peer-to-peer,"
          " hybrid).")),
        ("unknown-node", "ecosystem.graph",
         "A trust network edge names a node the network does not have."),
        ("unknown-parameter", "ecosystem.runner",
         "A sensitivity analysis names a growth parameter that does not exist."),
        ("unknown-participant", "ecosystem.graph",
         "An ecosystem model names participants that are not co-ops of the ecosystem."),
        ("unknown-party", "demos.stay_fair",
         "The Stay Fair demo holds no key for this DID."),
        ("unknown-policy", "trust.policy",
         "There is no example policy of this name."),
        ("unknown-sector", "ecosystem.simulation",
         "A co-op's sector is not in the ecosystem's value flows."),
        ("unknown-verifier", "demos.stay_fair",
         "The Stay Fair demo has no verifier of this name."),
        ("unsecured-credential", "vc.data_model",
         ("A credential in a presentation has no proof and was not issued by the holder, so"
          " nothing secures it.")),
        ("unsigned-credential", "vc.presentations vc.wallet",
         "A credential to present or keep in a wallet has no proof."),
        ("unsupported-key-type", "did_key did_web",
         ("The did:key or key type is not Ed25519, P-256 or P-384, the kinds the workbench"
          " supports.")),
        ("verification-method-controller", "dids",
         "A verification method is controlled by another DID than the document's."),
        ("verification-method-not-found", "did_web dids",
         "The DID document has no verification method of this id."),
        ("wrong-credential-type", "vc.disclosure vc.presentation_request",
         "The credential is not of the type the presentation request asks for."),
        ("yaml-too-deep", "definitions.definition",
         "A credential definition's YAML is nested too deeply to read safely."),
    ),
    "KeyMaterialError": (
        ("bad-kdf-limits", "keys",
         "The passphrase key-derivation limits (opslimit, memlimit) are out of range."),
        ("bad-passphrase-file", "cli._common",
         "The passphrase file is not UTF-8 text."),
        ("bad-public-key", "keys",
         ("An Ed25519 public key is not 32 bytes long, or a P-256/P-384 public key is not a"
          " compressed point of the curve.")),
        ("bad-seed", "cli keys",
         ("An Ed25519 seed is not 32 bytes (64 hexadecimal digits), or a P-256/P-384 secret"
          " is not a valid scalar of 32/48 bytes.")),
        ("empty-passphrase", "cli._common",
         "The passphrase file's first line is empty."),
        ("key-file-exists", "cli cli.did_web keys",
         "The key file exists already and is never silently overwritten."),
        ("key-file-invalid", "keys",
         "A key file is not a valid Multikey key file."),
        ("key-file-missing", "keys",
         "There is no key file at this path."),
        ("key-file-not-json", "keys",
         "A key file is not JSON."),
        ("key-file-permissions", "keys",
         ("A key file holding a secret may be read or written by group or others; make it"
          " private (chmod 600) or allow it explicitly.")),
        ("key-mismatch", "keys",
         "A key's secret does not belong to its public key."),
        ("key-not-picklable", "keys",
         ("A key that holds a secret is never pickled: store it with save_key and read it back"
          " with load_key.")),
        ("key-not-saved", "cli.did_web",
         ("The new key was published in the DID document but its key file could not be"
          " written.")),
        ("no-secret-key", "keys",
         "The key holds only a public key, and signing needs the secret key."),
        ("passphrase-required", "keys",
         "The key file is encrypted: give its passphrase."),
        ("unsupported-curve", "keys",
         "An ECDSA key names a curve other than P-256 or P-384."),
        ("wrong-passphrase", "keys",
         "The passphrase does not open the key file (or the file is corrupted)."),
    ),
    "DocumentLoaderError": (
        ("bad-registry-document", "local_registry",
         "A document in the local registry is not a JSON object."),
        ("context-conflict", "loader",
         ("A context bundle pins a URL to other bytes than the loader serves it with already;"
          " a published context never changes.")),
        ("context-hash-mismatch", "loader",
         "A bundled context's bytes differ from the SHA-256 it is pinned by."),
        ("did-web-needs-registry", "loader",
         ("A did:web DID is read from a local registry, and none was given (no network"
          " access).")),
        ("export-would-overwrite", "loader",
         "Exporting the contexts would replace a file with other content."),
        ("not-a-context-bundle", "loader",
         "The folder given as a context bundle has no manifest.json."),
        ("not-in-registry", "local_registry",
         "Nothing is published at this URL in the local registry."),
        ("url-not-bundled", "loader",
         ("The URL is neither a bundled document nor a DID the workbench resolves offline, so"
          " it is refused (no network access).")),
    ),
    "UnsafeJsonLdError": (
        ("duplicate-value", "compact_form",
         "A set lists the same value twice (the signed graph holds it once), so what a reader counts would differ from what was signed."),
        ("id-not-compact", "compact_form",
         "An id is written other than as the signed graph holds it (a compact IRI, or under another name): write the full IRI under id."),
        ("iri-key", "compact_form",
         "A key is written as an IRI or compact IRI instead of the term its contexts define, so checks reading the term would miss it."),
        ("keyword-key", "compact_form",
         "A JSON-LD keyword (@id, @type, @included, @nest, @graph...) is written as a key, or a term stands for one: documents must be in compact form."),
        ("null-value", "compact_form",
         "A property's value is null, which the signed graph leaves out: omit the property."),
        ("split-node", "compact_form",
         "One node is written as two objects with the same id (two credentialSubject objects for one subject): write it once."),
        ("term-alias", "compact_form",
         "A key is another name for a property its published contexts name differently, so checks reading the usual name would miss it."),
        ("type-not-compact", "compact_form",
         "A type is written other than as its term (a full IRI where a term exists), or type and the signed types differ."),
        ("typed-value-not-native", "compact_form",
         "A value is a string where its context makes it a boolean or number (or the reverse), so JSON and the signed graph disagree on its type."),
        ("value-not-compact", "compact_form",
         "A value is written as a JSON-LD value object where the plain value is canonical, or differs in shape from what was signed."),
        ("bad-context", "safe_jsonld",
         "An @context entry is not a URL or an object."),
        ("canonicalization-too-complex", "canonical",
         ("Canonicalizing the document would take too much work (a poisoned or pathological"
          " dataset, a node with a flood of values), so it is refused.")),
        ("context-not-bundled", "safe_jsonld",
         "A context the document uses is not in the offline bundle (no network access)."),
        ("control-character", "safe_json",
         ("A string holds a control character, which canonical forms escape differently, so it"
          " is refused in a signed document.")),
        ("duplicate-key", "safe_json",
         ("A JSON object has the same key twice, which parsers read differently, so it is"
          " refused.")),
        ("inline-context", "safe_jsonld",
         ("The document defines its own inline @context, which is refused unless allowed: use a"
          " published context URL.")),
        ("invalid-jsonld", "canonical safe_jsonld",
         "The document is not valid JSON-LD."),
        ("lone-surrogate", "safe_json",
         "A string holds a lone surrogate (U+D800 to U+DFFF), which is not Unicode text."),
        ("non-finite-number", "safe_json",
         "The document holds NaN or Infinity, which JSON does not allow."),
        ("non-string-key", "safe_json",
         "An object key is not a string."),
        ("not-canonicalizable", "canonical",
         "The document cannot be canonicalized as JSON (JCS)."),
        ("not-json-value", "safe_json",
         "The document holds a value that is not JSON (a set, bytes, an object)."),
        ("number-out-of-range", "safe_json",
         "An integer is outside +-(2**53 - 1), where JSON numbers stop being exact."),
        ("protected-term-redefinition", "safe_jsonld",
         "The document redefines a term its contexts protect."),
        ("relative-iri", "safe_jsonld",
         ("An @id or @type value is not an absolute IRI (a term the contexts do not define, or"
          " a relative reference).")),
        ("too-deep", "safe_json safe_jsonld",
         "The JSON is nested deeper than the limit."),
        ("too-large", "safe_json",
         "The document is larger than the size limit."),
        ("too-many-values", "safe_json",
         "The document holds more JSON values than the limit, or one array more items than its limit."),
        ("undefined-term", "safe_jsonld",
         ("A property is not defined by the document's contexts, so a signature would not cover"
          " it.")),
    ),
    "ProofError": (
        ("bad-proof", "proofs",
         ("A proof is not a JSON object, or its verificationMethod, proofPurpose or proofValue"
          " is missing or not a string.")),
        ("bad-proof-purpose", "proofs purposes",
         "The proof purpose is not one the workbench signs for."),
        ("bad-proof-timestamp", "proofs",
         "A proof's created or expires is not a valid date-time."),
        ("bad-proof-type", "proofs",
         "A proof's type is not DataIntegrityProof."),
        ("bad-proof-value", "cryptosuites.base cryptosuites.ecdsa_sd_2023",
         "A proof's proofValue is not a string, or not a value its cryptosuite can read."),
        ("mandatory-pointers-not-sd", "cryptosuites.base",
         ("Mandatory pointers were given to a cryptosuite that signs the whole document; only"
          " ecdsa-sd-2023 takes them.")),
        ("previous-proof-missing", "proofs",
         "A proof's previousProof names a proof the document does not have."),
        ("proof-context-mismatch", "cryptosuites.base",
         "The document's @context does not start with the proof's @context."),
        ("sd-base-proof", "cryptosuites.ecdsa_sd_2023",
         ("An ecdsa-sd-2023 base proof was given to a verifier: it is the holder's, and a"
          " verifier needs a derived (disclosure) proof.")),
        ("sd-label-missing", "cryptosuites.sd_primitives",
         "A derived proof's label map has no label for a blank node of the disclosed document."),
        ("sd-not-a-base-proof", "cryptosuites.ecdsa_sd_2023",
         "A disclosure can be derived only from the issuer's base proof, not from a derived one."),
        ("sd-signature-count", "cryptosuites.ecdsa_sd_2023",
         ("The base proof signs another number of statements than the credential has: the"
          " credential was changed after signing.")),
        ("too-many-proofs", "proof_checks",
         "A document holds more proofs than the limit (each would be verified on its own)."),
        ("unknown-cryptosuite", "cryptosuites",
         ("The cryptosuite is not one the workbench knows (eddsa-rdfc-2022, eddsa-jcs-2022,"
          " ecdsa-rdfc-2019, ecdsa-jcs-2019, ecdsa-sd-2023).")),
        ("wrong-key-type", "cryptosuites.base cryptosuites.ecdsa_sd_2023",
         ("The key is not of the kind the cryptosuite signs with (Ed25519 for the eddsa suites,"
          " P-256 or P-384 for the ecdsa ones).")),
    ),
    "CheckFailed": (
        ("bad-signature", "proof_checks",
         ("The signature does not match: the document was changed after it was signed, or"
          " another key signed it.")),
        ("created-in-future", "proof_checks",
         "The proof was created in the future (beyond the allowed clock skew)."),
        ("credential-not-verified", "vc.presentations",
         "A credential inside the presentation does not verify."),
        ("expired", "vc.verification",
         "The credential's validUntil has passed."),
        ("holder-mismatch", "proof_checks",
         "The presentation was signed by a key of another DID than its holder."),
        ("holder-not-subject", "vc.presentations",
         "The holder is not the subject of a credential it presents."),
        ("issuer-mismatch", "proof_checks vc.verification",
         "The credential was signed by a key of another DID than its issuer."),
        ("key-expired", "proof_checks",
         "The signing key was retired before the proof was made (or before signing in)."),
        ("key-not-authorised", "proof_checks vc.presentations vc.verification",
         "The signer's DID document does not list the key for this purpose."),
        ("key-revoked", "proof_checks",
         "The signing key was declared compromised, so its signatures are not trusted."),
        ("no-challenge", "purposes",
         "The presentation's proof carries no challenge."),
        ("no-domain", "purposes",
         "The presentation's proof carries no domain."),
        ("no-holder", "vc.presentations",
         "The presentation names no holder, so nobody is signing in."),
        ("no-proof", "proof_checks",
         "The document has no proof."),
        ("not-yet-valid", "vc.verification",
         "The credential's validFrom is still to come."),
        ("proof-created-missing", "proof_checks",
         ("The signing key is retired or compromised and the proof has no created time to"
          " show it was made before.")),
        ("proof-expired", "proof_checks",
         "The proof's expires has passed."),
        ("wrong-challenge", "purposes",
         "The proof's challenge is not the one this verifier expects."),
        ("wrong-domain", "purposes",
         "The proof's domain is not this verifier's."),
        ("wrong-proof-purpose", "purposes vc.verification",
         ("The proof was made for another purpose (assertionMethod for issuing,"
          " authentication for signing in).")),
    ),
    "ChallengeError": (
        ("challenge-expired", "vc.challenges",
         "The challenge expired before the presentation came back."),
        ("challenge-replayed", "vc.challenges",
         "The challenge was used already: a replayed presentation is refused."),
        ("challenge-wrong-domain", "vc.challenges",
         "The challenge was issued for another domain."),
        ("unknown-challenge", "vc.challenges",
         ("This verifier did not issue the challenge, or forgot it (long expired, or evicted by"
          " newer ones).")),
    ),
    "SchemaCheckError": (
        ("schema-digest-mismatch", "vc.schema_check",
         ("The schema's bytes do not match (or cannot be checked against) the digest the"
          " credential pins it by.")),
        ("schema-entry-malformed", "vc.schema_check",
         "A credentialSchema entry has no id URL."),
        ("schema-id-mismatch", "vc.schema_check",
         "The schema found for a URL gives another $id."),
        ("schema-invalid", "vc.schema_check",
         "The schema is not a valid JSON Schema."),
        ("schema-mismatch", "vc.schema_check",
         "The credential does not match its schema."),
        ("schema-missing", "vc.schema_check",
         ("The schema cannot be read (no registry or schema store holds it), so the check"
          " fails closed.")),
        ("schema-type-unsupported", "vc.schema_check",
         ("The schema type is not JsonSchema, the only one supported, so the check fails"
          " closed.")),
    ),
    "StatusListError": (
        ("bad-index", "vc.status_list",
         "A status list index is not a whole number."),
        ("bad-length", "vc.status_list",
         "A status list is shorter than the minimum number of entries."),
        ("bad-purpose", "vc.status_list",
         "A status list's purpose is not one of the known purposes."),
        ("bad-status-file", "vc.status_list",
         "The file is not a usable saved status list."),
        ("index-not-allocated", "vc.status_list",
         "The index was never allocated in this status list."),
        ("index-out-of-range", "vc.status_list",
         "The index is outside the status list."),
        ("list-full", "vc.status_list",
         "The status list has no free indexes left."),
        ("list-too-large", "vc.status_list",
         "A status list's encodedList is larger than the limit."),
        ("list-too-short", "vc.status_list",
         "A status list holds fewer entries than the minimum."),
        ("malformed-list", "vc.status_list",
         "A status list's encodedList is not multibase base64url GZIP data."),
        ("revocation-is-permanent", "vc.status_list",
         "A revoked entry cannot be unrevoked."),
        ("status-file-exists", "vc.status_list",
         "A status list file exists already and is not replaced."),
        ("wrong-purpose", "cli.trust vc.status_list",
         ("The status list's purpose does not fit (revoking needs a revocation list,"
          " suspending a suspension list).")),
    ),
    "StatusCheckError": (
        ("status-entry-malformed", "vc.status_check",
         "A credentialStatus entry is malformed (no list URL, or a bad statusListIndex)."),
        ("status-index-out-of-range", "vc.status_check",
         "The credential's status index is outside its status list."),
        ("status-list-malformed", "vc.status_check",
         "The status list credential is malformed."),
        ("status-list-missing", "vc.status_check",
         "The status list cannot be read from the registry, so the status is unknown."),
        ("status-list-stale", "vc.status_check",
         "The status list is past its validUntil, so the status is unknown."),
        ("status-list-unverifiable", "vc.status_check",
         ("The status list credential does not verify, is not yet valid or has a status itself,"
          " so the status is unknown.")),
        ("status-list-wrong-issuer", "vc.status_check",
         ("The status list is published by someone other than the credential's issuer (or an"
          " authorised status issuer).")),
        ("status-list-wrong-url", "vc.status_check",
         ("The status list's id is not the URL it was read from (a list copied elsewhere), so"
          " the status is unknown.")),
        ("status-not-checked", "vc.status_check",
         ("The credential has a status but there was no registry to read its list from, so it"
          " fails closed.")),
        ("status-purpose-mismatch", "vc.status_check",
         "The status entry's purpose is not the purpose of the list it points to."),
        ("status-revoked", "vc.status_check",
         "The credential is revoked."),
        ("status-suspended", "vc.status_check",
         "The credential is suspended."),
        ("status-unsupported", "vc.status_check",
         "The status entry's type or purpose is not one the workbench understands."),
    ),
    "DefinitionError": (
        ("invalid-definition", "definitions.definition",
         "A credential definition has problems; the error lists every one."),
    ),
    "RegisterError": (
        ("bad-register", "issuer.member_register",
         ("A member register has problems, and nothing was imported; the error lists every"
          " one.")),
    ),
    "IssuanceError": (
        ("bad-log", "issuer.batch",
         "A line of the issuer's log is not usable."),
        ("bad-membership-number", "issuer.batch",
         ("A membership number cannot name a credential file (it holds characters a file name"
          " may not hold).")),
        ("bad-status-url", "issuer.batch",
         "The base of the status lists is not an https URL without query or fragment."),
        ("credential-file-exists", "issuer.batch",
         ("A credential file exists already and was not issued by this run; it is not"
          " overwritten.")),
        ("field-not-in-definition", "issuer.batch",
         "The register fills a claim the credential definition does not have."),
        ("issuer-busy", "issuer.batch",
         "Another run is using the issuer's output directory."),
        ("member-revoked", "issuer.batch",
         "The member's credential is revoked already."),
        ("no-status-list", "issuer.batch",
         ("The member's credential has no suspension entry, so it cannot be suspended or"
          " unsuspended.")),
        ("status-base-missing", "issuer.batch",
         "The issuer has status lists already: give the same status list base."),
        ("status-list-mismatch", "issuer.batch",
         "A saved status list belongs to another URL or issuer."),
        ("unknown-member", "issuer.batch",
         "No credential was issued to this membership number."),
    ),
    "DecisionError": (
        ("ambiguous-decision", "consultation.proposals",
         "The feedback is tied between actions: say which action the workshop decided."),
        ("bad-action", "consultation.proposals",
         "A decision's action is not keep, change, drop or add."),
        ("bad-change", "consultation.proposals",
         "A decision's changes name properties of a field that cannot be changed."),
        ("bad-decision", "consultation.proposals",
         "The decision is not a decision (an outcome, or a mapping of its parts)."),
        ("bad-outcome", "consultation.proposals",
         "A decision's outcome is not accept or reject."),
        ("change-without-changes", "consultation.proposals",
         "An accepted change needs the new values."),
        ("no-feedback", "consultation.proposals",
         "There is no feedback to base a decision or a new version on."),
        ("unknown-definition-field", "consultation.proposals",
         "The decision names a field the credential definition does not have."),
    ),
    "FeedbackError": (
        ("bad-column", "cli.feedback",
         "A --column option is not FIELD=HEADER."),
        ("bad-csv", "consultation.feedback",
         "The feedback CSV cannot be parsed."),
        ("bad-field", "consultation.feedback",
         ("A feedback record's field is not a field term of the definition or a new-field"
          " proposal.")),
        ("bad-priority", "consultation.feedback",
         "A feedback priority is not a whole number from 1 to 5."),
        ("bad-stance", "consultation.feedback",
         ("A feedback record's stance does not fit it (a new-field proposal has stance"
          " add).")),
        ("bad-term", "consultation.feedback",
         "A proposed term is not a JSON name such as recognisedBy."),
        ("bad-time", "consultation.feedback",
         "A feedback record's time is not a valid date-time."),
        ("blank-line", "consultation.feedback",
         "A line of the feedback file is empty."),
        ("csv-file-missing", "consultation.feedback",
         "There is no feedback CSV file at this path."),
        ("csv-not-utf8", "consultation.feedback",
         "The feedback CSV is not UTF-8 text."),
        ("duplicate-id", "consultation.feedback",
         "Two feedback records have the same id."),
        ("feedback-file-exists", "consultation.feedback",
         "The feedback file exists already."),
        ("feedback-file-missing", "consultation.feedback",
         "There is no feedback file at this path."),
        ("feedback-file-unusable", "consultation.feedback",
         "The feedback file is not a regular file (a device, a FIFO) or is larger than the limit."),
        ("invisible-character", "consultation.feedback",
         "A feedback text holds an invisible control or reordering character."),
        ("line-not-json", "consultation.feedback",
         "A line of the feedback file is not a JSON object."),
        ("line-not-utf8", "consultation.feedback",
         "A line of the feedback file is not UTF-8 text."),
        ("line-too-large", "consultation.feedback",
         "A line of the feedback file is longer than the limit."),
        ("missing-column", "consultation.feedback",
         "The feedback CSV lacks a column it needs."),
        ("missing-field", "consultation.feedback consultation.store",
         "A feedback record lacks a required field."),
        ("not-a-record", "consultation.feedback",
         "Only feedback records can be written to a feedback file."),
        ("not-text", "consultation.feedback consultation.store",
         "A feedback field that holds text holds something else."),
        ("record-not-an-object", "consultation.feedback",
         "A feedback record is not a JSON object."),
        ("too-long", "consultation.feedback",
         "A feedback text is longer than its limit."),
        ("unexpected-field", "consultation.feedback",
         "A feedback record fills a field meant only for new-field proposals."),
        ("unknown-consent", "consultation.feedback consultation.store",
         "A feedback record's consent is not one of the known choices."),
        ("unknown-key", "consultation.feedback",
         "A feedback record has a field that records do not have."),
        ("unknown-sphere", "consultation.feedback",
         "A feedback record's sphere is not one of the known spheres."),
        ("unknown-stance", "consultation.feedback",
         "A feedback record's stance is not one of the known stances."),
        ("untrimmed", "consultation.feedback",
         "A feedback text starts or ends with spaces."),
    ),
    "ScenarioError": (
        ("bad-ecosystem", "ecosystem.scenarios",
         "A scenario's ecosystem has not exactly one of data, generated or synthetic."),
        ("bad-sweep", "ecosystem.scenarios",
         "A scenario's sweep is not a non-empty list of values per swept field."),
        ("bad-type", "ecosystem.scenarios",
         "A scenario field has the wrong type (a number, a text, an object expected)."),
        ("out-of-range", "ecosystem.scenarios",
         "A scenario number is outside its allowed range."),
        ("scenario-field-missing", "ecosystem.scenarios",
         "A scenario lacks a required field."),
        ("scenario-file-missing", "ecosystem.scenarios",
         "There is no scenario file at this path."),
        ("scenario-unreadable", "ecosystem.scenarios",
         "The scenario file cannot be read."),
        ("several-scenarios", "ecosystem.scenarios",
         "The scenario file holds several scenarios where one was expected."),
        ("unknown-field", "ecosystem.scenarios",
         "A scenario has a field (or growth parameter) that scenarios do not have."),
    ),
    "ResultsFileError": (
        ("not-a-results-file", "ecosystem.runner",
         "The file is not a simulation results file of this workbench."),
        ("output-exists", "cli.simulate ecosystem.runner",
         "The results file exists already: resume it or overwrite it."),
        ("resume-mismatch", "ecosystem.runner",
         ("The results file was made by other scenarios, so it cannot be resumed with"
          " these.")),
    ),
    "DatabaseError": (
        ("database-too-new", "database",
         ("The database file was written by a newer release (its schema version is above what"
          " this one knows), so it is left as it is.")),
        ("database-too-old", "database",
         "A database opened read-only is at an older schema version: open it for writing once."),
        ("database-unreadable", "database",
         "The file cannot be opened or used as an SQLite database (not a database, damaged, locked)."),
        ("database-wrong-kind", "database",
         "The file is a database of another kind (a workshop's, a service's, another program's)."),
    ),
    "ChromiumError": (
        ("chromium-missing", "workshop.chromium",
         "Chromium is not installed, and printing a PDF needs it."),
        ("pdf-failed", "workshop.chromium",
         "Chromium did not print the PDF."),
        ("pdf-timeout", "workshop.chromium",
         "Chromium did not finish printing in time and was stopped."),
    ),
    "Check": (
        ("age-unknown", "trust.recognition",
         "A policy limits the credential's age, and the credential gives no issuance date."),
        ("assurance-missing", "trust.recognition",
         ("A policy requires an identity-assurance level, and no identity-assurance credential"
          " was presented.")),
        ("assurance-too-low", "trust.recognition",
         "The identity-assurance level presented is below the level the policy requires."),
        ("assurance-untrusted", "trust.recognition",
         ("The identity checks presented were made by an issuer the policy does not trust for"
          " them.")),
        ("claim-missing", "trust.recognition",
         "The credential does not disclose a claim the policy requires."),
        ("issuer-untrusted", "trust.recognition",
         "The credential's issuer is not trusted, under the policy, to issue its type."),
        ("not-about-holder", "trust.recognition",
         ("No subject of the credential relied on is the holder (or the holder's subject is split"
          " in two), so it gives the holder nothing.")),
        ("not-checked", "checks",
         ("The check did not run, because a check it needs did not pass (a skipped check,"
          " not a failure of its own).")),
        ("offer-closed", "trust.recognition",
         "The policy's offer is not open at this time."),
        ("over-disclosure", "trust.recognition",
         "The presentation discloses claims the verifier did not ask for."),
        ("too-old", "trust.recognition",
         "The credential is older than the policy accepts."),
        ("type-not-accepted", "trust.recognition",
         "No credential presented is of a type the policy accepts."),
    ),
    "WorkshopPackError": (
        ("conflicting-inputs", "workshop.pack",
         ("A workshop pack takes the workshop's decisions or an already proposed version, not"
          " both.")),
        ("missing-time", "workshop.pack",
         "A workshop pack needs the time it is generated at."),
        ("pack-exists", "workshop.pack",
         "The pack file exists already: choose another file, or replace it explicitly."),
        ("unknown-version", "workshop.pack",
         "There is no such version of the credential definition."),
    ),
    "WorkshopStoreError": (
        ("already-imported", "consultation.store",
         ("A feedback record being imported is in the workshop store already: the file was"
          " imported before.")),
        ("bad-vote-count", "consultation.store",
         "A vote count is not a whole number from 0."),
        ("bad-form-key", "consultation.store",
         "A form's one-time key is missing or malformed: reload the form."),
        ("change-without-label", "consultation.store",
         "A decision to change a field says what the field is called now."),
        ("export-exists", "consultation.store",
         "The export file exists already: choose another file, or replace it explicitly."),
        ("form-key-reused", "consultation.store",
         "A form's one-time key was used by another kind of form."),
        ("missing-value", "consultation.store",
         "A workshop request lacks a value it needs (a title, a reason, a name)."),
        ("own-view", "consultation.store",
         "A participant cannot react to their own view."),
        ("round-closed", "consultation.store",
         "The workshop round is closed: no more joining, views or reactions."),
        ("unknown-moderation", "consultation.store",
         "A moderation is not hide or show."),
        ("unknown-outcome", "consultation.store",
         "A decision is not adopt, change, drop or defer."),
        ("unknown-workshop-participant", "consultation.store",
         "There is no such participant in the workshop store."),
        ("unknown-reaction", "consultation.store",
         "A reaction is not agree, disagree or pass."),
        ("unknown-round", "consultation.store workshop.app",
         "There is no such workshop round."),
        ("unknown-view", "consultation.store",
         "There is no such view (of this participant, or of this round)."),
        ("view-withdrawn", "consultation.store",
         "The view was withdrawn and can no longer be edited."),
    ),
}


def _catalogue() -> dict[str, ErrorCode]:
    entries: dict[str, ErrorCode] = {}
    for error_class, rows in _TABLE.items():
        for code, modules, meaning in rows:
            if code in entries:  # one code, one class
                raise ValueError(f"{code} is catalogued twice")
            raised_in = tuple(f"{PACKAGE}.{m}" for m in modules.split())
            entries[code] = ErrorCode(code, error_class, meaning, raised_in)
    return dict(sorted(entries.items()))


CATALOGUE: Mapping[str, ErrorCode] = MappingProxyType(_catalogue())


def explain(code: str) -> ErrorCode:
    """The catalogue entry of ``code``; ``InputError('unknown-error-code')`` if there is none.

    >>> explain("status-revokd")
    Traceback (most recent call last):
    ...
    coopcreds_proto.errors.InputError: no error code 'status-revokd' (did you mean status-revoked?)
    """
    if not isinstance(code, str):
        raise TypeError(f"an error code is a string, not {type(code).__name__}")
    entry = CATALOGUE.get(code)
    if entry is not None:
        return entry
    close = difflib.get_close_matches(code, CATALOGUE, n=3, cutoff=0.8)
    hint = f" (did you mean {_one_of(close)}?)" if close else ""
    raise InputError("unknown-error-code", f"no error code {code!r}{hint}", path=code)


def _one_of(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def codes_of(error_class: str | type) -> tuple[ErrorCode, ...]:
    """The codes raised with ``error_class`` (a class or its name), in alphabetical order."""
    if not isinstance(error_class, (str, type)):
        raise TypeError(f"an error class is a name or a class, not {type(error_class).__name__}")
    name = error_class if isinstance(error_class, str) else error_class.__name__
    return tuple(entry for entry in CATALOGUE.values() if entry.error_class == name)
