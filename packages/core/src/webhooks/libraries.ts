import type { AdmissionConfig } from '../config/schema.js';
import type { Pod } from '../review/pod.js';
import { hasChange } from '../versions/behaviour-changes.js';
import type { AgentVersion } from '../versions/agent-version.js';

// Which tracing libraries a Cluster Agent release knows, their default image
// tags, and how library and injector images are named (lib-injection-7.78.md
// §1, §2). The 7.49 webhook only knows the first five languages, at `latest`.
// The registry is admission_controller.auto_instrumentation.container_registry,
// which parseConfig already falls back to the global registry (7.53).

/** Every library language, in the fixed order the webhook visits them. */
export const LIBRARY_LANGUAGES = ['java', 'js', 'python', 'dotnet', 'ruby', 'php'] as const;
export type LibraryLanguage = (typeof LIBRARY_LANGUAGES)[number];

const A = 'admission.datadoghq.com/';
/** Pod annotations of the v2 injector (lib-injection-7.78.md §5). */
export const INJECTOR_VERSION_ANNOTATION = `${A}apm-inject.version`;
export const INJECTOR_IMAGE_ANNOTATION = `${A}apm-inject.custom-image`;
export const INJECTOR_DEBUG_ANNOTATION = `${A}apm-inject.debug`;
export const INJECTION_MODE_ANNOTATION = `${A}apm-inject.injection-mode`;

/** The languages `version` can inject, in visiting order. */
export function languagesOf(version: AgentVersion): readonly LibraryLanguage[] {
  return hasChange(version, 'php-library') ? LIBRARY_LANGUAGES : LIBRARY_LANGUAGES.slice(0, 5);
}

/** The languages "all libraries" means (SSI without pins, all-lib.version): php only once it is on by default. */
export function defaultLanguagesOf(version: AgentVersion): readonly LibraryLanguage[] {
  return hasChange(version, 'php-default') ? LIBRARY_LANGUAGES : LIBRARY_LANGUAGES.slice(0, 5);
}

/** The tag a language gets when none is pinned (lib-injection-7.78.md §1 table). */
export function defaultTag(version: AgentVersion, lang: LibraryLanguage): string {
  if (!hasChange(version, 'lib-tags-v1-v5-v2')) return 'latest';
  switch (lang) {
    case 'java':
    case 'php':
      return 'v1';
    case 'js':
      return 'v5';
    case 'ruby':
      return 'v2';
    case 'dotnet':
      return hasChange(version, 'dotnet-v3') ? 'v3' : 'v2';
    case 'python':
      return hasChange(version, 'python-v4') ? 'v4' : hasChange(version, 'python-v3') ? 'v3' : 'v2';
  }
}

/** A pinned tag, with `default` read as the language's default tag where the release knows that word (7.61). */
export function resolveTag(version: AgentVersion, lang: LibraryLanguage, tag: string): string {
  return tag === 'default' && hasChange(version, 'ld-preload-join') ? defaultTag(version, lang) : tag;
}

/** `<registry>/dd-lib-<lang>-init:<tag>`. */
export function libraryImage(registry: string, lang: LibraryLanguage, tag: string): string {
  return `${registry}/dd-lib-${lang}-init:${tag}`;
}

/** The injector image and why (§2.2): the custom-image annotation, else `<registry>/apm-inject:<tag>`. */
export function injectorImage(pod: Pod, config: AdmissionConfig): { image: string; reason: string } {
  const annotations = pod.metadata?.annotations ?? {};
  if (Object.hasOwn(annotations, INJECTOR_IMAGE_ANNOTATION)) {
    return { image: annotations[INJECTOR_IMAGE_ANNOTATION]!, reason: `annotation ${INJECTOR_IMAGE_ANNOTATION}` };
  }
  const byAnnotation = Object.hasOwn(annotations, INJECTOR_VERSION_ANNOTATION);
  const tag = byAnnotation ? annotations[INJECTOR_VERSION_ANNOTATION]! : config.apm_config.instrumentation.injector_image_tag;
  const reason = byAnnotation ? `annotation ${INJECTOR_VERSION_ANNOTATION}` : 'apm_config.instrumentation.injector_image_tag';
  return { image: `${config.admission_controller.auto_instrumentation.container_registry}/apm-inject:${tag}`, reason };
}
