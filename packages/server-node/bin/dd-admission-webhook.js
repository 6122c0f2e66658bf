#!/usr/bin/env node
import '../dist/dd-admission-webhook.js';
