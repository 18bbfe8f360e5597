// Speed of Digital Bazaar's VC libraries verifying the same credentials as
// benchmarks/bench_core.py, on one thread, offline.
//
// Usage (bench_core.py calls it when node and node_modules are present):
//   node bench.mjs --contexts DIR --now ISO --n N --runs R [--warmup W] FILE...
// Prints one JSON object: {"node": version, "results": {FILE: {"verify_per_s": x,
// "per_run_s": [...]}}}, each figure the median of R runs of N verifications,
// after W warm-up verifications (default 300, so that V8 has compiled the hot
// code; the first must verify: exit 1 otherwise).
//
// With --serve, it warms up every FILE, prints {"node": version, "ready": true}
// and then answers each line "K N" read from stdin (verify FILE number K, N
// times) with one line {"seconds": s}: the caller interleaves these runs with
// its own, so that both sides are timed under the same load of the machine.
//
// The document loader serves only the contexts of the bundle in DIR (its
// manifest.json: url -> file, as in coopcreds_proto/data/contexts) and resolves
// did:key URLs locally; any other URL is an error, so nothing is fetched.

import {readFile} from 'node:fs/promises';
import {createInterface} from 'node:readline';
import path from 'node:path';
import {parseArgs} from 'node:util';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';
import {JsonLdDocumentLoader} from 'jsonld-document-loader';

async function readJson(file) {
  return JSON.parse(await readFile(file, 'utf8'));
}

async function buildDocumentLoader(contextsDir) {
  const manifest = await readJson(path.join(contextsDir, 'manifest.json'));
  const loader = new JsonLdDocumentLoader();
  for(const {url, file} of manifest.contexts) {
    loader.addStatic(url, await readJson(path.join(contextsDir, file)));
  }
  const keyDriver = didKeyDriver();
  keyDriver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});
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
  return loader.build();
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main() {
  const {values, positionals} = parseArgs({
    allowPositionals: true,
    options: {
      contexts: {type: 'string'},
      now: {type: 'string'},
      n: {type: 'string', default: '200'},
      runs: {type: 'string', default: '7'},
      warmup: {type: 'string', default: '300'},
      serve: {type: 'boolean', default: false}
    }
  });
  const documentLoader = await buildDocumentLoader(values.contexts);
  const now = new Date(values.now);
  const n = Number(values.n);
  const runs = Number(values.runs);
  const warmup = Number(values.warmup);
  // One suite object, made once, as a long-running verifier would.
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  const verify = credential => vc.verifyCredential({
    credential, suite, documentLoader, now, checkStatus: undefined
  });
  if(values.serve) {
    await serve(positionals, verify, warmup);
    return;
  }
  const results = {};
  for(const file of positionals) {
    const credential = await warmed(file, verify, warmup);
    const perRun = [];
    for(let r = 0; r < runs; ++r) {
      perRun.push(await timed(verify, credential, n) / n);
    }
    results[file] = {verify_per_s: 1 / median(perRun), per_run_s: perRun};
  }
  console.log(JSON.stringify({node: process.version, results}));
}

async function timed(verify, credential, n) {
  const start = process.hrtime.bigint();
  for(let i = 0; i < n; ++i) {
    await verify(credential);
  }
  return Number(process.hrtime.bigint() - start) / 1e9;
}

// The credential in `file`, verified once (exit 1 if it does not verify), then
// `warmup - 1` times more.
async function warmed(file, verify, warmup) {
  const credential = await readJson(file);
  const first = await verify(credential);
  if(!first.verified) {
    console.error(`${file} does not verify: ${JSON.stringify(first.error ?? first)}`);
    process.exit(1);
  }
  await timed(verify, credential, warmup - 1);
  return credential;
}

async function serve(files, verify, warmup) {
  const credentials = [];
  for(const file of files) {
    credentials.push(await warmed(file, verify, warmup));
  }
  console.log(JSON.stringify({node: process.version, ready: true}));
  const lines = createInterface({input: process.stdin});
  for await (const line of lines) {
    const [k, n] = line.trim().split(/\s+/).map(Number);
    console.log(JSON.stringify({seconds: await timed(verify, credentials[k], n)}));
  }
}

await main();
