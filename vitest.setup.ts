// Runs before every test file: lets FC_SEED replay a failed property (see README, "Testing").
import fc from 'fast-check';
// The module itself, not the package: every test file pays for this import.
import { fastCheckReplaySettings } from './packages/testing/src/fast-check-replay.js';

fc.configureGlobal({ ...fc.readConfigureGlobal(), ...fastCheckReplaySettings(process.env) });
