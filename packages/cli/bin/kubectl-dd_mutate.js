#!/usr/bin/env node
// kubectl finds plugins by the executable name `kubectl-dd_mutate` and runs it as `kubectl dd-mutate`.
import '../dist/dd-mutate.js';
