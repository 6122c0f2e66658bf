export * from './arbitraries.js';
export * from './strict-patch.js';
export * from './pod-validation.js';
export * from './invariants.js';
export * from './deep-freeze.js';
export * from './fixtures.js';
export * from './kubernetes-quantity.js';
