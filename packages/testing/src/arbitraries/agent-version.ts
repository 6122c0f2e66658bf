import fc from 'fast-check';

/** A Cluster Agent release to emulate: 7.49 and 7.78 exactly, or one between them (interpolated), each a third of the time. */
export const agentVersionArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.constant('7.49'),
  fc.constant('7.78'),
  fc.integer({ min: 50, max: 77 }).map((minor) => `7.${minor}`),
);
