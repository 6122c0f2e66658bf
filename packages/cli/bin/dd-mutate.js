#!/usr/bin/env node
import '../dist/dd-mutate.js';
