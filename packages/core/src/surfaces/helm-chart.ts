import type { HelmValues } from './helm-values-schema.js';
import { truthy } from './user-values.js';

// The `datadog` chart's helpers (`_helpers.tpl`, 3.240.0) that decide names,
// the admission registry and the injection mode, as pure functions of the
// values (spec/helm-values.md §1, §3.5, §4). Each answer names what decided it.

/** A derived value and the values that decided it. */
export interface Decided {
  value: string;
  origin: string;
}

/** Names a value path for an origin: the path, with `(default X)` when the user left it at the chart default. */
export type OriginOf = (path: string) => string;

const DEFAULT_SITE = 'datadoghq.com';

// Helm's `trunc 63 | trimSuffix "-"`.
function dnsTrim(s: string): string {
  const cut = s.slice(0, 63);
  return cut.endsWith('-') ? cut.slice(0, -1) : cut;
}

/** The chart's `datadog.fullname` for a release (§1). */
export function helmFullname(values: HelmValues, release: string): Decided {
  if (values.fullnameOverride) return { value: dnsTrim(values.fullnameOverride), origin: 'fullnameOverride' };
  const name = values.nameOverride || 'datadog';
  const why = values.nameOverride ? `release "${release}", nameOverride` : `release "${release}"`;
  if (release.includes(name)) return { value: dnsTrim(release), origin: `chart fullname (${why})` };
  return { value: dnsTrim(`${release}-${name}`), origin: `chart fullname (${why})` };
}

/** The site the chart assumes (`datadog.site`, else datadoghq.com). */
export function helmSite(values: HelmValues): string {
  return values.datadog?.site || DEFAULT_SITE;
}

/** Whether the chart refuses a `registryMigrationMode` value (anything but auto, all or ""). */
export function isValidMigrationMode(mode: string | undefined): boolean {
  return mode === undefined || mode === '' || mode === 'auto' || mode === 'all';
}

/** The chart's `registry` helper (§3.5), used for the admission registry when `containerRegistry` is unset. */
export function helmRegistry(values: HelmValues, o: OriginOf): Decided {
  if (values.registry) return { value: values.registry, origin: 'registry' };
  const site = helmSite(values);
  const siteOrigin = values.datadog?.site ? 'datadog.site' : `datadog.site (unset: ${DEFAULT_SITE})`;
  const autopilot = values.providers?.gke?.autopilot === true;
  const gdc = values.providers?.gke?.gdc === true;
  if (site === 'ddog-gov.com') return { value: 'public.ecr.aws/datadog', origin: `registry helper: ${siteOrigin} ddog-gov.com` };
  if (site === 'us3.datadoghq.com' && !autopilot && !gdc) return { value: 'datadoghq.azurecr.io', origin: `registry helper: ${siteOrigin} us3.datadoghq.com` };
  const migration = values.registryMigrationMode ?? '';
  const excluded = autopilot ? ' (skipped on Autopilot: providers.gke.autopilot)' : gdc ? ' (skipped on GDC: providers.gke.gdc)' : '';
  if ((migration === 'auto' || migration === 'all') && !excluded) {
    return { value: 'registry.datadoghq.com', origin: `registry helper: ${o('registryMigrationMode')}` };
  }
  const why = excluded ? `migration${excluded}` : `${o('registryMigrationMode')}`;
  if (site === 'datadoghq.eu') return { value: 'eu.gcr.io/datadoghq', origin: `registry helper: ${siteOrigin}, ${why}` };
  if (site === 'ap1.datadoghq.com') return { value: 'asia.gcr.io/datadoghq', origin: `registry helper: ${siteOrigin}, ${why}` };
  return { value: 'gcr.io/datadoghq', origin: `registry helper: ${siteOrigin}, ${why}` };
}

/**
 * `DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE` as the chart derives it (§4),
 * first match wins. The helper printing `falsetrue` for a blocked socket is
 * reproduced as the plain boolean AND the caller's comparison amounts to.
 */
export function helmConfigMode(values: HelmValues, o: OriginOf): Decided {
  const ac = values.clusterAgent?.admissionController;
  if (ac?.configMode) return { value: ac.configMode, origin: o('clusterAgent.admissionController.configMode') };

  const apm = values.datadog?.apm ?? {};
  const autopilot = values.providers?.gke?.autopilot === true;
  const csi = values.datadog?.csi?.enabled === true;
  const gdc = values.providers?.gke?.gdc === true;
  const windows = values.targetSystem === 'windows';
  const blocked = (autopilot && !csi) || gdc || windows;
  const apmSocket = apm.socketEnabled === true || apm.useSocketVolume === true;
  const apmUDS = !blocked && apmSocket;
  const apmHostPort = apm.portEnabled === true || apm.enabled === true;
  const apmLocalService = truthy(apm.useLocalService) ? true : apmHostPort;
  const apmTCP = apmHostPort || apmLocalService;

  const socketOrigins = [
    apm.socketEnabled === true ? o('datadog.apm.socketEnabled') : '',
    apm.useSocketVolume === true ? o('datadog.apm.useSocketVolume') : '',
    autopilot ? `${o('datadog.csi.enabled')} on Autopilot` : '',
  ].filter(Boolean);
  if (apmUDS) return { value: 'socket', origin: socketOrigins.join(', ') };

  if (apmHostPort || autopilot) {
    const why = [
      apm.portEnabled === true ? o('datadog.apm.portEnabled') : '',
      apm.enabled === true ? o('datadog.apm.enabled') : '',
      autopilot ? `${o('providers.gke.autopilot')} (Autopilot: no APM socket without datadog.csi.enabled)` : '',
    ].filter(Boolean);
    return { value: 'hostip', origin: why.join(', ') };
  }
  if (apmLocalService) return { value: 'service', origin: o('datadog.apm.useLocalService') };
  if (!apm.enabled || (apmTCP && apmUDS)) {
    return { value: 'socket', origin: `chart fallback when APM has neither socket nor port (${fallbackWhy(values, o, blocked)})` };
  }
  // Unreachable in practice (datadog.apm.enabled already chose hostip), kept as the template has it.
  return { value: '', origin: 'chart fallback (empty configMode)' };
}

function fallbackWhy(values: HelmValues, o: OriginOf, blocked: boolean): string {
  if (values.providers?.gke?.gdc === true) return `${o('providers.gke.gdc')}: APM socket helper off`;
  if (values.targetSystem === 'windows') return `${o('targetSystem')}: windows: APM socket helper off`;
  if (blocked) return 'APM socket helper off';
  // A value the user set is named with what they set it to: here always false.
  const named = (path: string) => (o(path) === path ? `${path}: false` : o(path));
  return [named('datadog.apm.socketEnabled'), named('datadog.apm.portEnabled'), named('datadog.apm.useLocalService')].join(', ');
}
