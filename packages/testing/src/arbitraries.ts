// fast-check arbitraries for pods, configurations, request contexts and
// AdmissionReviews; each concept lives in its own module under arbitraries/.
export * from './arbitraries/values.js';
export * from './arbitraries/env.js';
export * from './arbitraries/containers.js';
export * from './arbitraries/metadata.js';
export * from './arbitraries/pod.js';
export * from './arbitraries/config.js';
export * from './arbitraries/context.js';
export * from './arbitraries/scenario.js';
export * from './arbitraries/review.js';
export * from './arbitraries/helm-values.js';
export * from './arbitraries/document-faults.js';
