// Preloaded (`node --import`) into a benchmarked process: its peak resident set size on exit, in KiB, on stderr.
process.on('exit', () => process.stderr.write(`maxRSS ${process.resourceUsage().maxRSS}\n`));
