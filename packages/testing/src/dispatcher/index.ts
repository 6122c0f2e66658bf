// A kube-apiserver-like caller of mutating webhooks, for tests and benchmarks.
export * from './errors.js';
export * from './registration.js';
export * from './rules.js';
export * from './net-errors.js';
export * from './ca-bundle.js';
export * from './clients.js';
export * from './review-request.js';
export * from './review-response.js';
export * from './apply-patch.js';
export * from './http-call.js';
export * from './reinvocation.js';
export * from './invoke.js';
export * from './dispatch.js';
