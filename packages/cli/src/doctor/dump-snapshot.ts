import { snapshotFromDocuments, type ClusterSnapshot } from '@dd-admission/core';
import { InputError, type Problem } from '../errors.js';
import { displayName, readText, type Io } from '../io.js';
import { loadYaml } from '../load-yaml.js';

// The snapshot of `kubectl get ... -A -o yaml` dumps (--from): every file, or
// stdin for `-`, through the preview's hostile-input-safe YAML loader (Lists
// and multi-document streams). A document the loader refuses stops the run
// with its file and position; objects of unknown kinds or of the wrong shape
// are the core's to count and report.

/** Reads the dumps in order and makes one snapshot of all their documents; throws InputError. */
export async function dumpSnapshot(paths: readonly string[], io: Io): Promise<ClusterSnapshot> {
  const documents: unknown[] = [];
  const problems: Problem[] = [];
  for (const path of paths) {
    const file = displayName(path);
    loadYaml(await readText(path, io)).forEach((doc, i) => {
      if ('problem' in doc) problems.push({ location: { file, document: i + 1 }, ...doc.problem });
      else if (doc.value !== null && doc.value !== undefined) documents.push(doc.value);
    });
  }
  if (problems.length > 0) throw new InputError(problems);
  return snapshotFromDocuments(documents);
}
