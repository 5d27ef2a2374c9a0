// Validates rendered Kubernetes manifests offline against the API's JSON schema, with the
// kubernetes-models package (npm).
//   node validate_manifests.mjs MODELS_DIR MANIFESTS.json
// MODELS_DIR: an installed node_modules/kubernetes-models; MANIFESTS.json: a JSON array of the
// objects (e.g. `kubectl kustomize` output converted from YAML). Prints one line per object and
// exits 1 when any is invalid or of a kind the package does not know.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [modelsDir, file] = process.argv.slice(2);
if (!modelsDir || !file) {
  console.error("usage: validate_manifests.mjs MODELS_DIR MANIFESTS.json");
  process.exit(2);
}
const docs = JSON.parse(readFileSync(file, "utf8"));
let failed = 0;
for (const doc of docs) {
  const name = `${doc.apiVersion} ${doc.kind} ${doc.metadata?.name}`;
  try {
    const url = pathToFileURL(`${modelsDir}/${doc.apiVersion}/${doc.kind}.js`).href;
    const Model = (await import(url))[doc.kind];
    if (!Model) throw new Error(`no model for ${doc.kind}`);
    new Model(doc).validate();
    console.log(`${name}: valid`);
  } catch (e) {
    failed += 1;
    console.log(`${name}: INVALID: ${e.message}`);
  }
}
process.exit(failed ? 1 : 0);
