// Interoperability check of ecdsa-sd-2023: coopcreds (Python) against Digital Bazaar's
// @digitalbazaar/ecdsa-sd-2023-cryptosuite. Optional, not run by CI (see ../README.md).
//
// Usage (run_sd.sh calls these):
//   node sd_interop.mjs verify --contexts DIR FILE...
//       JS verifies each derived credential (must verify) and a copy with one
//       disclosed claim changed (must be rejected).
//   node sd_interop.mjs derive --contexts DIR --reveal POINTER... --out FILE BASE
//       JS derives a disclosure from a base-proof credential (issued by coopcreds).
//   node sd_interop.mjs issue --contexts DIR --key FILE --mandatory POINTER...
//                             --created ISO --out FILE UNSIGNED
//       JS issues UNSIGNED with a base proof, with the P-256 key FILE (Multikey JSON
//       with secretKeyMultibase).
//
// The document loader is offline: the exported context bundle (DIR/index.json,
// from `coopcreds contexts export DIR`) and did:key P-256 DIDs built locally.

import {readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {parseArgs} from 'node:util';

import jsigs from 'jsonld-signatures';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import {
  createDiscloseCryptosuite,
  createSignCryptosuite,
  createVerifyCryptosuite
} from '@digitalbazaar/ecdsa-sd-2023-cryptosuite';

const {purposes: {AssertionProofPurpose}} = jsigs;

async function readJson(file) {
  return JSON.parse(await readFile(file, 'utf8'));
}

async function writeJson(file, document) {
  await writeFile(file, JSON.stringify(document, null, 2) + '\n', 'utf8');
}

// Offline: the context bundle and did:key (P-256) DID documents made here.
async function buildDocumentLoader(contextsDir) {
  const index = await readJson(path.join(contextsDir, 'index.json'));
  const contexts = new Map();
  for(const [url, file] of Object.entries(index)) {
    contexts.set(url, await readJson(path.join(contextsDir, file)));
  }
  return async url => {
    if(contexts.has(url)) {
      return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
    }
    if(url.startsWith('did:key:zDn')) {
      const did = url.split('#')[0];
      const mb = did.slice('did:key:'.length);
      const method = {
        '@context': 'https://w3id.org/security/multikey/v1',
        id: `${did}#${mb}`, type: 'Multikey', controller: did, publicKeyMultibase: mb
      };
      const document = url.includes('#') ? method : {
        '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
        id: did,
        verificationMethod: [method],
        assertionMethod: [method.id],
        authentication: [method.id]
      };
      return {contextUrl: null, documentUrl: url, document};
    }
    throw new Error(`not available offline: ${url}`);
  };
}

function report(ok, label) {
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${label}`);
  return ok;
}

async function verify(documentLoader, document) {
  const suite = new DataIntegrityProof({cryptosuite: createVerifyCryptosuite()});
  return jsigs.verify(document, {suite, purpose: new AssertionProofPurpose(), documentLoader});
}

function changeOneClaim(document) {
  const copy = structuredClone(document);
  const subject = copy.credentialSubject;
  for(const [key, value] of Object.entries(subject)) {
    if(key !== 'id' && key !== 'type' && typeof value === 'string') {
      subject[key] = value + ' (changed)';
      return copy;
    }
  }
  copy.validFrom = '2020-01-01T00:00:00Z';
  return copy;
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const {values, positionals} = parseArgs({
    args: rest, allowPositionals: true,
    options: {
      contexts: {type: 'string'}, out: {type: 'string'}, key: {type: 'string'},
      created: {type: 'string'},
      reveal: {type: 'string', multiple: true}, mandatory: {type: 'string', multiple: true}
    }
  });
  const documentLoader = await buildDocumentLoader(values.contexts);
  let ok = true;
  if(command === 'verify') {
    for(const file of positionals) {
      const document = await readJson(file);
      const name = path.basename(file);
      const result = await verify(documentLoader, document);
      ok = report(result.verified, `JS verifies ${name}`) && ok;
      if(!result.verified) {
        console.log(JSON.stringify(result.error?.errors?.map(e => e.message) ?? result.error));
      }
      const tampered = await verify(documentLoader, changeOneClaim(document));
      ok = report(!tampered.verified, `JS rejects ${name} with a claim changed`) && ok;
    }
  } else if(command === 'derive') {
    const document = await readJson(positionals[0]);
    const cryptosuite = createDiscloseCryptosuite({selectivePointers: values.reveal});
    const derived = await jsigs.derive(document, {
      suite: new DataIntegrityProof({cryptosuite}),
      purpose: new AssertionProofPurpose(), documentLoader
    });
    await writeJson(values.out, derived);
    ok = report(true, `JS derives a disclosure from ${path.basename(positionals[0])}`);
  } else if(command === 'issue') {
    const keyDoc = await readJson(values.key);
    const keyPair = await EcdsaMultikey.from({
      ...keyDoc, id: keyDoc.id, controller: keyDoc.controller
    });
    const unsigned = await readJson(positionals[0]);
    const cryptosuite = createSignCryptosuite({mandatoryPointers: values.mandatory ?? []});
    const suite = new DataIntegrityProof({
      signer: keyPair.signer(), date: values.created, cryptosuite
    });
    const signed = await jsigs.sign(unsigned, {
      suite, purpose: new AssertionProofPurpose(), documentLoader
    });
    await writeJson(values.out, signed);
    ok = report(true, `JS issues ${path.basename(positionals[0])} with a base proof`);
  } else {
    throw new Error(`unknown command ${command}`);
  }
  process.exit(ok ? 0 : 1);
}

main().catch(error => {
  console.log(`FAIL  ${error.stack || error}`);
  process.exit(1);
});
