#!/usr/bin/env node
// kubectl (1.26+) completes `kubectl dd-mutate ...` by running the executable kubectl_complete-dd_mutate
// found on PATH, with the words after the plugin name; it answers in cobra's __complete format.
import '../dist/dd-mutate.js';
