/**
 * The first Cluster Agent release that reads each library-injection key added
 * after 7.49 (lib-injection-7.78.md §10), for the "key exists only since"
 * check of the configuration.
 */
export const LIBRARY_KEY_SINCE: Readonly<Record<string, string>> = {
  'admission_controller.auto_instrumentation.init_security_context': '7.57',
  'apm_config.instrumentation.injector_image_tag': '7.57',
  'apm_config.instrumentation.targets': '7.64',
  'apm_config.instrumentation.injection_mode': '7.76',
};
