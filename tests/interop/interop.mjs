// Interoperability check: coopcreds (Python) against Digital Bazaar's VC libraries.
//
// Usage (run.sh calls these; see README.md):
//   node interop.mjs verify --contexts DIR --now ISO FILE...
//       JS verifies each credential (must verify) and a tampered copy of it
//       (must be rejected). Prints one line per check; exit 1 if any check fails.
//   node interop.mjs resign --contexts DIR --key FILE FILE...
//       JS re-signs each credential (its proof removed) with the issuer's key
//       (Multikey JSON with secretKeyMultibase), the same cryptosuite and the
//       same `created`; Ed25519 is deterministic, so the proof must come out
//       identical, proofValue included.
//   node interop.mjs issue --contexts DIR --unsigned FILE --created ISO --out DIR
//       JS generates a did:key Ed25519 key and issues, with each cryptosuite,
//       (a) the given unsigned sample claims re-issued under that did:key and
//       (b) the W3C AlumniCredential example; writes js-<claims>-<suite>.json and
//       a tampered copy js-<claims>-<suite>.tampered.json for each.
//   node interop.mjs vp-verify --contexts DIR --now ISO --challenge C --domain D FILE...
//       JS verifies each presentation with vc.verify (presentations) for that challenge
//       and domain, and that its signer is its holder (must verify), and must
//       reject it for another challenge, another domain, or with a claim of its
//       embedded credential changed.
//   node interop.mjs vp-resign --contexts DIR --key FILE FILE...
//       JS re-signs each presentation (its proof removed) with the holder's key,
//       the same cryptosuite, created, challenge and domain: the proof must be
//       identical, proofValue included.
//   node interop.mjs vp-issue --contexts DIR --key FILE --challenge C --domain D
//                             --created ISO --out DIR CREDENTIAL...
//       JS presents the given credentials as the holder whose key is FILE, with
//       each cryptosuite; writes js-vp-<suite>.json.
//
// The document loader is offline: it serves only the contexts listed in the
// exported bundle (DIR/index.json, from `coopcreds contexts export DIR`) and
// resolves did:key URLs locally; any other URL is an error.

import {readFile, writeFile, mkdir} from 'node:fs/promises';
import path from 'node:path';
import {parseArgs} from 'node:util';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {
  createSignCryptosuite as jcsSignSuite,
  createVerifyCryptosuite as jcsVerifySuite
} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';
import {JsonLdDocumentLoader} from 'jsonld-document-loader';

const SUITES = ['eddsa-rdfc-2022', 'eddsa-jcs-2022'];
const EXAMPLES_CONTEXT = 'https://www.w3.org/ns/credentials/examples/v2';

async function readJson(file) {
  return JSON.parse(await readFile(file, 'utf8'));
}

async function writeJson(file, document) {
  await writeFile(file, JSON.stringify(document, null, 2) + '\n', 'utf8');
}

// An offline loader: the exported context bundle plus local did:key resolution.
async function buildDocumentLoader(contextsDir) {
  const index = await readJson(path.join(contextsDir, 'index.json'));
  const loader = new JsonLdDocumentLoader();
  for(const [url, file] of Object.entries(index)) {
    loader.addStatic(url, await readJson(path.join(contextsDir, file)));
  }
  const keyDriver = didKeyDriver();
  keyDriver.use({
    multibaseMultikeyHeader: 'z6Mk',
    fromMultibase: Ed25519Multikey.from
  });
  // Only did:key is resolvable offline; refuse other DID methods by name
  // rather than letting the did:key driver misparse them.
  loader.setProtocolHandler({
    protocol: 'did',
    handler: {
      async get({url}) {
        if(!url.startsWith('did:key:')) {
          throw new Error(`only did:key is resolvable offline: ${url}`);
        }
        return keyDriver.get({url});
      }
    }
  });
  const load = loader.build();
  return async url => {
    try {
      return await load(url);
    } catch(e) {
      throw new Error(`offline loader refused ${url}: ${e.message}`);
    }
  };
}

function verifySuites() {
  return [
    new DataIntegrityProof({cryptosuite: eddsaRdfc2022}),
    new DataIntegrityProof({cryptosuite: jcsVerifySuite()})
  ];
}

// A copy with one signed claim changed: every verifier must reject it.
export function tamper(credential) {
  const copy = structuredClone(credential);
  const subject = copy.credentialSubject;
  if('membershipNumber' in subject) {
    subject.membershipNumber = 'RFC-99999';
  } else {
    subject.id = 'did:example:mallory';
  }
  return copy;
}

function errorText(result) {
  const errors = [];
  const collect = e => {
    if(!e) {
      return;
    }
    if(Array.isArray(e)) {
      e.forEach(collect);
      return;
    }
    errors.push(e.message || String(e));
    if(e.errors) {
      collect(e.errors);
    }
  };
  collect(result.error);
  for(const r of result.results || []) {
    collect(r.error);
  }
  for(const r of result.credentialResults || []) {
    collect(r.error);
  }
  return [...new Set(errors)].join('; ') || 'no error reported';
}

async function jsVerify(credential, {documentLoader, now}) {
  // No checkStatus: the credentials carry no credentialStatus (vc.js would
  // refuse one without a checkStatus function).
  return vc.verifyCredential({
    credential: structuredClone(credential),
    suite: verifySuites(),
    documentLoader,
    now
  });
}

async function cmdVerify({contexts, now, files}) {
  const documentLoader = await buildDocumentLoader(contexts);
  let failures = 0;
  const report = (ok, label, detail) => {
    failures += ok ? 0 : 1;
    console.log(`${ok ? 'PASS' : 'FAIL'}  ${label}${detail ? `  (${detail})` : ''}`);
  };
  for(const file of files) {
    const credential = await readJson(file);
    const name = path.basename(file);
    const suite = credential.proof?.cryptosuite;
    const good = await jsVerify(credential, {documentLoader, now});
    report(good.verified === true, `JS verifies ${name} [${suite}]`,
      good.verified ? 'verified: true' : errorText(good));
    // The tampered copy must be rejected for its signature, not for another reason.
    const bad = await jsVerify(tamper(credential), {documentLoader, now});
    const reason = bad.verified ? 'verified: true on a tampered credential' : errorText(bad);
    report(bad.verified === false && /invalid signature/i.test(reason),
      `JS rejects tampered ${name} [${suite}]`, reason);
  }
  return failures ? 1 : 0;
}

async function cmdResign({contexts, key, files}) {
  const documentLoader = await buildDocumentLoader(contexts);
  const keyPair = await Ed25519Multikey.from(await readJson(key));
  let failures = 0;
  for(const file of files) {
    const credential = await readJson(file);
    const {proof, ...unsigned} = credential;
    const cryptosuite = proof.cryptosuite === 'eddsa-rdfc-2022' ?
      eddsaRdfc2022 : jcsSignSuite();
    const suite = new DataIntegrityProof({
      signer: keyPair.signer(), cryptosuite, date: proof.created
    });
    const resigned = await vc.issue({
      credential: unsigned, suite, documentLoader, now: proof.created
    });
    const differences = Object.keys({...proof, ...resigned.proof})
      .filter(k => JSON.stringify(proof[k]) !== JSON.stringify(resigned.proof[k]));
    const ok = differences.length === 0;
    failures += ok ? 0 : 1;
    const detail = ok ? 'identical proof, proofValue included' :
      differences.map(k => `${k}: coopcreds ${JSON.stringify(proof[k])} ` +
        `vs JS ${JSON.stringify(resigned.proof[k])}`).join('; ');
    console.log(`${ok ? 'PASS' : 'FAIL'}  JS re-signs ${path.basename(file)} ` +
      `[${proof.cryptosuite}]  (${detail})`);
  }
  return failures ? 1 : 0;
}

function alumniCredential(did) {
  // The W3C VC Data Model 2.0 AlumniCredential example, issued by `did`.
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2', EXAMPLES_CONTEXT],
    id: 'http://university.example/credentials/1872',
    type: ['VerifiableCredential', 'ExampleAlumniCredential'],
    issuer: did,
    validFrom: '2010-01-01T19:23:24Z',
    credentialSubject: {
      id: 'did:example:ebfeb1f712ebc6f1c276e12ec21',
      alumniOf: {
        id: 'did:example:c276e12ec21ebfeb1f712ebc6f1',
        name: 'Example University'
      }
    }
  };
}

function reissue(unsigned, oldIssuer, did) {
  // The same claims, with the sample co-op's DID replaced by the JS key's DID
  // (as issuer and wherever the co-op is named).
  return JSON.parse(JSON.stringify(unsigned).replaceAll(oldIssuer, did));
}

async function cmdIssue({contexts, unsigned: unsignedFile, created, out}) {
  const documentLoader = await buildDocumentLoader(contexts);
  await mkdir(out, {recursive: true});
  const keyPair = await Ed25519Multikey.generate();
  const did = `did:key:${keyPair.publicKeyMultibase}`;
  keyPair.controller = did;
  keyPair.id = `${did}#${keyPair.publicKeyMultibase}`;
  console.log(`JS issuer: ${did}`);

  const sample = await readJson(unsignedFile);
  const oldIssuer = typeof sample.issuer === 'string' ? sample.issuer : sample.issuer.id;
  const claims = {
    membership: reissue(sample, oldIssuer, did),
    alumni: alumniCredential(did)
  };
  let failures = 0;
  for(const [label, credential] of Object.entries(claims)) {
    for(const suiteName of SUITES) {
      const cryptosuite = suiteName === 'eddsa-rdfc-2022' ? eddsaRdfc2022 : jcsSignSuite();
      const suite = new DataIntegrityProof({
        signer: keyPair.signer(), cryptosuite, date: created
      });
      const signed = await vc.issue({
        credential: structuredClone(credential), suite, documentLoader, now: created
      });
      const file = path.join(out, `js-${label}-${suiteName}.json`);
      await writeJson(file, signed);
      await writeJson(file.replace(/\.json$/, '.tampered.json'), tamper(signed));
      // Sanity: JS accepts what it just issued (so a Python failure is not a JS bug
      // that JS would also catch).
      const self = await jsVerify(signed, {documentLoader, now: created});
      console.log(`${self.verified ? 'ok  ' : 'FAIL'}  wrote ${file}` +
        (self.verified ? '' : `  (JS does not verify its own credential: ${errorText(self)})`));
      failures += self.verified ? 0 : 1;
    }
  }
  return failures ? 1 : 0;
}

// vc.verify checks the authentication purpose (challenge, domain, the key listed
// under the signer's `authentication`) but not that the signer is the
// presentation's holder: check that here too, as coopcreds does.
function signerIsHolder(presentation, result) {
  const holder = typeof presentation.holder === 'object' ?
    presentation.holder.id : presentation.holder;
  const proofs = result.presentationResult?.results || [];
  return proofs.length > 0 && proofs.every(r =>
    (r.purposeResult?.controller?.id ?? r.verificationMethod?.controller) === holder);
}

async function jsVerifyPresentation(presentation, {documentLoader, now, challenge, domain}) {
  // vc 7.x names it `verify` (a presentation, with challenge and domain).
  const result = await vc.verify({
    presentation: structuredClone(presentation),
    suite: verifySuites(),
    documentLoader,
    challenge,
    domain,
    now
  });
  if(result.verified && !signerIsHolder(presentation, result)) {
    return {...result, verified: false, error: new Error('the signer is not the holder')};
  }
  return result;
}

async function cmdVpVerify({contexts, now, challenge, domain, files}) {
  const documentLoader = await buildDocumentLoader(contexts);
  let failures = 0;
  const report = (ok, label, detail) => {
    failures += ok ? 0 : 1;
    console.log(`${ok ? 'PASS' : 'FAIL'}  ${label}${detail ? `  (${detail})` : ''}`);
  };
  for(const file of files) {
    const presentation = await readJson(file);
    const name = `${path.basename(file)} [${presentation.proof?.cryptosuite}]`;
    const good = await jsVerifyPresentation(presentation, {documentLoader, now, challenge, domain});
    report(good.verified === true, `JS verifies presentation ${name}`,
      good.verified ? 'verified: true' : errorText(good));
    const refusals = {
      'another challenge': [presentation, {challenge: `${challenge}-other`, domain},
        /challenge is not as expected/i],
      'another domain': [presentation, {challenge, domain: 'https://evil.example'},
        /domain is not as expected/i],
      'a changed embedded credential': [(() => {
        const copy = structuredClone(presentation);
        copy.verifiableCredential = [].concat(copy.verifiableCredential).map(tamper);
        return copy;
      })(), {challenge, domain}, /invalid signature/i]
    };
    for(const [what, [doc, expected, reasonPattern]] of Object.entries(refusals)) {
      const bad = await jsVerifyPresentation(doc, {documentLoader, now, ...expected});
      const reason = bad.verified ? 'verified: true' : errorText(bad);
      report(bad.verified === false && reasonPattern.test(reason),
        `JS rejects presentation ${name} for ${what}`, reason);
    }
  }
  return failures ? 1 : 0;
}

function suiteFor(name) {
  return name === 'eddsa-rdfc-2022' ? eddsaRdfc2022 : jcsSignSuite();
}

async function holderKey(file) {
  const keyPair = await Ed25519Multikey.from(await readJson(file));
  return keyPair;
}

async function cmdVpResign({contexts, key, files}) {
  const documentLoader = await buildDocumentLoader(contexts);
  const keyPair = await holderKey(key);
  let failures = 0;
  for(const file of files) {
    const {proof, ...unsigned} = await readJson(file);
    const suite = new DataIntegrityProof({
      signer: keyPair.signer(), cryptosuite: suiteFor(proof.cryptosuite), date: proof.created
    });
    const resigned = await vc.signPresentation({
      presentation: unsigned, suite, documentLoader,
      challenge: proof.challenge, domain: proof.domain
    });
    const differences = Object.keys({...proof, ...resigned.proof})
      .filter(k => JSON.stringify(proof[k]) !== JSON.stringify(resigned.proof[k]));
    const ok = differences.length === 0;
    failures += ok ? 0 : 1;
    const detail = ok ? 'identical proof, proofValue included' :
      differences.map(k => `${k}: coopcreds ${JSON.stringify(proof[k])} ` +
        `vs JS ${JSON.stringify(resigned.proof[k])}`).join('; ');
    console.log(`${ok ? 'PASS' : 'FAIL'}  JS re-signs presentation ${path.basename(file)} ` +
      `[${proof.cryptosuite}]  (${detail})`);
  }
  return failures ? 1 : 0;
}

async function cmdVpIssue({contexts, key, challenge, domain, created, out, files}) {
  const documentLoader = await buildDocumentLoader(contexts);
  await mkdir(out, {recursive: true});
  const keyPair = await holderKey(key);
  const credentials = await Promise.all(files.map(readJson));
  let failures = 0;
  for(const suiteName of SUITES) {
    const presentation = vc.createPresentation({
      verifiableCredential: credentials, holder: keyPair.controller, now: created
    });
    const suite = new DataIntegrityProof({
      signer: keyPair.signer(), cryptosuite: suiteFor(suiteName), date: created
    });
    const signed = await vc.signPresentation({
      presentation, suite, documentLoader, challenge, domain
    });
    const file = path.join(out, `js-vp-${suiteName}.json`);
    await writeJson(file, signed);
    const self = await jsVerifyPresentation(signed, {
      documentLoader, now: created, challenge, domain
    });
    console.log(`${self.verified ? 'ok  ' : 'FAIL'}  wrote ${file}` +
      (self.verified ? '' : `  (JS does not verify its own presentation: ${errorText(self)})`));
    failures += self.verified ? 0 : 1;
  }
  return failures ? 1 : 0;
}

async function main(argv) {
  const [command, ...rest] = argv;
  const {values, positionals} = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      contexts: {type: 'string'},
      now: {type: 'string'},
      unsigned: {type: 'string'},
      created: {type: 'string'},
      out: {type: 'string'},
      key: {type: 'string'},
      challenge: {type: 'string'},
      domain: {type: 'string'}
    }
  });
  if(!values.contexts) {
    throw new Error('--contexts DIR is required');
  }
  if(command === 'verify' && values.now && positionals.length) {
    return cmdVerify({...values, files: positionals});
  }
  if(command === 'resign' && values.key && positionals.length) {
    return cmdResign({...values, files: positionals});
  }
  if(command === 'issue' && values.unsigned && values.created && values.out) {
    return cmdIssue(values);
  }
  const bound = values.challenge && values.domain;
  if(command === 'vp-verify' && values.now && bound && positionals.length) {
    return cmdVpVerify({...values, files: positionals});
  }
  if(command === 'vp-resign' && values.key && positionals.length) {
    return cmdVpResign({...values, files: positionals});
  }
  if(command === 'vp-issue' && values.key && bound && values.created && values.out &&
    positionals.length) {
    return cmdVpIssue({...values, files: positionals});
  }
  console.error('usage: node interop.mjs verify --contexts DIR --now ISO FILE...\n' +
    '       node interop.mjs resign --contexts DIR --key FILE FILE...\n' +
    '       node interop.mjs issue --contexts DIR --unsigned FILE --created ISO --out DIR\n' +
    '       node interop.mjs vp-verify --contexts DIR --now ISO --challenge C --domain D FILE...\n' +
    '       node interop.mjs vp-resign --contexts DIR --key FILE FILE...\n' +
    '       node interop.mjs vp-issue --contexts DIR --key FILE --challenge C --domain D ' +
    '--created ISO --out DIR CREDENTIAL...');
  return 2;
}

main(process.argv.slice(2)).then(code => {
  process.exitCode = code;
}, e => {
  console.error(`error: ${e.stack || e}`);
  process.exitCode = 2;
});
