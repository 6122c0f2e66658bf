import { distributionChecks } from '@dd-admission/core';
import type { ConfigOptions } from './args.js';
import type { Io } from './io.js';
import { requireConfig } from './load-config.js';
import { renderConfigJson, renderConfigYaml } from './render-config.js';
import { explainConfigWarnings } from './render-explain.js';
import { explainFindings } from './render-findings.js';
import { styleFor } from './style.js';

/** `dd-mutate config`: the effective configuration with each value's origin on stdout; warnings and distribution checks on stderr. */
export async function configCommand(options: ConfigOptions, io: Io): Promise<number> {
  const style = styleFor(io.isTTY.stderr, io.env);
  const loaded = await requireConfig(options, io, (w) => io.stderr.write(explainConfigWarnings(w, style)));
  const findings = distributionChecks({ ...loaded, distributions: options.distributions });
  io.stdout.write(options.output === 'json' ? renderConfigJson(loaded, findings) : renderConfigYaml(loaded));
  io.stderr.write(explainFindings(findings, style));
  return 0;
}
