/** The first Cluster Agent release that reads each key of the webhook configurations and the connectivity probe. */
export const CLUSTER_KEYS_SINCE: Readonly<Record<string, string>> = {
  'admission_controller.validation.enabled': '7.61',
  'admission_controller.mutation.enabled': '7.61',
  'admission_controller.kubernetes_admission_events.enabled': '7.61',
  'admission_controller.probe.enabled': '7.78',
  'admission_controller.probe.interval': '7.78',
  'admission_controller.probe.grace_period': '7.78',
};
